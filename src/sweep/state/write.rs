//! Recording one repository's outcome in one transaction: matched blobs, the matcher's
//! per-blob output, scanned refs, and findings with their status transitions.

use super::read::{repo_findings, repo_id};
use super::{RunCtx, State, StateError, sql_err};
use crate::finding::Finding;
use crate::report::RepoInfo;
use crate::source::image::LayerResult;
use crate::sweep::status::{self, FindingStatus, Previous, Seen};
use crate::sweep::summary::RepoOutcome;
use git2::Oid;
use rusqlite::{Transaction, params};
use std::collections::{HashMap, HashSet};

/// A blob read and matched in this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedBlob {
    pub id: Oid,
    /// Number of raw matches.
    pub hits: usize,
    /// The path the blob was matched under (see `crate::detection::blob_path`).
    pub path: String,
}

/// What to record for a repository.
pub enum RepoWrite<'a> {
    /// History was walked: `matched` blobs were read now (with their hit counts), `findings`
    /// are every finding the walk attributes (old and new blobs alike).
    Walked {
        info: &'a RepoInfo,
        tips: &'a [(String, String)],
        complete: bool,
        matched: &'a [MatchedBlob],
        blob_findings: &'a [(Oid, Vec<Finding>)],
        findings: &'a [Finding],
        rule_ids: &'a HashSet<String>,
        /// Image layers read now (image targets), by digest.
        layers: &'a [(String, LayerResult)],
    },
    /// Refs and ruleset as last time: nothing read.
    Unchanged,
    /// Clone, fetch or scan failed; earlier results stay.
    Failed { error: &'a str },
}

impl RepoWrite<'_> {
    fn outcome(&self) -> RepoOutcome {
        match self {
            RepoWrite::Walked { .. } => RepoOutcome::Scanned,
            RepoWrite::Unchanged => RepoOutcome::Unchanged,
            RepoWrite::Failed { .. } => RepoOutcome::Failed,
        }
    }
}

/// What a recorded repository contributes to the report.
#[derive(Debug, Default)]
pub struct Recorded {
    /// Every stored finding of the repository, status and dates set, without secrets.
    pub findings: Vec<Finding>,
    pub blobs_matched: u64,
}

/// A finding as stored: no secret, no per-run status fields (those are columns).
fn stored_json(f: &Finding) -> String {
    let mut f = f.clone();
    f.secret = None;
    f.props.status = None;
    f.props.first_seen = None;
    f.props.last_seen = None;
    serde_json::to_string(&f).expect("finding serialises")
}

impl State {
    /// Record one repository's outcome in one transaction and return its stored findings.
    pub fn record(
        &mut self,
        run: &RunCtx,
        identity: &str,
        location: &str,
        write: RepoWrite<'_>,
    ) -> Result<Recorded, StateError> {
        let path = self.path.clone();
        let err = sql_err(&path);
        let tx = self.conn.transaction().map_err(&err)?;
        tx.execute(
            "INSERT INTO repos (identity, location) VALUES (?1, ?2)
             ON CONFLICT (identity) DO UPDATE SET location = excluded.location",
            params![identity, location],
        )
        .map_err(&err)?;
        let id = repo_id(&tx, identity)
            .map_err(&err)?
            .expect("row just upserted");
        let outcome = write.outcome();
        let (blobs, new, error) = match write {
            RepoWrite::Walked {
                info,
                tips,
                complete,
                matched,
                blob_findings,
                findings,
                rule_ids,
                layers,
            } => {
                write_blobs(&tx, run, id, matched, blob_findings).map_err(&err)?;
                write_layers(&tx, run, layers).map_err(&err)?;
                write_tips(&tx, run, id, info, tips, complete).map_err(&err)?;
                let new = merge_findings(&tx, run, id, findings, rule_ids).map_err(&err)?;
                (matched.len() as u64, new, None)
            }
            RepoWrite::Unchanged => (0, age_findings(&tx, run, id).map_err(&err)?, None),
            RepoWrite::Failed { error } => (0, 0, Some(error)),
        };
        let outcome = serde_json::to_value(outcome).expect("outcome");
        let outcome = outcome.as_str().unwrap_or("failed");
        tx.execute(
            "UPDATE repos SET last_run = ?1, last_outcome = ?2, last_error = ?3 WHERE id = ?4",
            params![run.id, outcome, error, id],
        )
        .map_err(&err)?;
        tx.execute(
            "INSERT OR REPLACE INTO repo_runs (run_id, repo_id, outcome, error, blobs_matched, new_findings)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![run.id, id, outcome, error, blobs as i64, new as i64],
        )
        .map_err(&err)?;
        tx.commit().map_err(&err)?;
        Ok(Recorded {
            findings: repo_findings(&self.conn, &path, id)?,
            blobs_matched: blobs,
        })
    }
}

/// Newly matched blobs, the path each was matched under, and their raw findings; rows of other
/// rulesets are dropped (a changed ruleset matches every blob again), and so is what a blob
/// matched now yielded under an earlier path.
fn write_blobs(
    tx: &Transaction<'_>,
    run: &RunCtx,
    id: i64,
    matched: &[MatchedBlob],
    blob_findings: &[(Oid, Vec<Finding>)],
) -> rusqlite::Result<()> {
    let hash = &run.ruleset_hash;
    tx.execute(
        "DELETE FROM matched_blobs WHERE repo_id = ?1 AND ruleset_hash <> ?2",
        params![id, hash],
    )?;
    tx.execute(
        "DELETE FROM blob_findings WHERE repo_id = ?1 AND ruleset_hash <> ?2",
        params![id, hash],
    )?;
    let mut ins = tx.prepare_cached(
        "INSERT OR REPLACE INTO matched_blobs (repo_id, ruleset_hash, blob_id, run_id, hits, path)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut stale = tx.prepare_cached(
        "DELETE FROM blob_findings WHERE repo_id = ?1 AND ruleset_hash = ?2 AND blob_id = ?3",
    )?;
    for m in matched {
        let blob = m.id.to_string();
        ins.execute(params![id, hash, blob, run.id, m.hits as i64, m.path])?;
        stale.execute(params![id, hash, blob])?;
    }
    let mut ins = tx.prepare_cached(
        "INSERT OR REPLACE INTO blob_findings (repo_id, ruleset_hash, blob_id, seq, finding)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (oid, found) in blob_findings {
        for (seq, f) in found.iter().enumerate() {
            ins.execute(params![
                id,
                hash,
                oid.to_string(),
                seq as i64,
                stored_json(f)
            ])?;
        }
    }
    Ok(())
}

/// Image layers read now, with what they gave (no secrets); layers stored under another
/// ruleset are dropped (a changed ruleset reads every layer again).
fn write_layers(
    tx: &Transaction<'_>,
    run: &RunCtx,
    layers: &[(String, LayerResult)],
) -> rusqlite::Result<()> {
    if layers.is_empty() {
        return Ok(());
    }
    let hash = &run.ruleset_hash;
    tx.execute(
        "DELETE FROM image_layers WHERE ruleset_hash <> ?1",
        params![hash],
    )?;
    let mut ins = tx.prepare_cached(
        "INSERT OR REPLACE INTO image_layers (ruleset_hash, digest, run_id, result)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (digest, result) in layers {
        let mut stored = result.clone();
        for f in &mut stored.findings {
            f.secret = None;
        }
        let json = serde_json::to_string(&stored).expect("layer result serialises");
        ins.execute(params![hash, digest, run.id, json])?;
    }
    Ok(())
}

fn write_tips(
    tx: &Transaction<'_>,
    run: &RunCtx,
    id: i64,
    info: &RepoInfo,
    tips: &[(String, String)],
    complete: bool,
) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM tips WHERE repo_id = ?1", [id])?;
    let mut ins =
        tx.prepare_cached("INSERT INTO tips (repo_id, name, commit_id) VALUES (?1, ?2, ?3)")?;
    for (name, commit) in tips {
        ins.execute(params![id, name, commit])?;
    }
    tx.execute(
        "UPDATE repos SET ruleset_hash = ?1, complete = ?2, head = ?3, branch = ?4, uri = ?5
         WHERE id = ?6",
        params![
            run.ruleset_hash,
            complete,
            info.revision,
            info.branch,
            info.uri,
            id
        ],
    )?;
    Ok(())
}

/// Upsert every finding the walk attributes, deciding its status from the stored row; stored
/// findings the walk no longer reaches become `removed-from-head`, or are dropped when their
/// rule no longer exists. A finding whose `new` status no report has shown yet (its first run
/// was killed before reporting) stays `new`. Returns how many findings are new.
fn merge_findings(
    tx: &Transaction<'_>,
    run: &RunCtx,
    id: i64,
    findings: &[Finding],
    rule_ids: &HashSet<String>,
) -> rusqlite::Result<usize> {
    let mut existing: HashMap<(String, String), (String, Previous, bool)> = HashMap::new();
    {
        let mut stmt = tx.prepare(
            "SELECT fingerprint, path, rule_id, status, in_head, announced FROM findings
             WHERE repo_id = ?1",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok((
                (r.get::<_, String>(0)?, r.get::<_, String>(1)?),
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<bool>>(4)?,
                r.get::<_, bool>(5)?,
            ))
        })?;
        for row in rows {
            let (key, rule, st, in_head, announced) = row?;
            let status = FindingStatus::parse(&st).unwrap_or(FindingStatus::Present);
            existing.insert(key, (rule, Previous { status, in_head }, announced));
        }
    }
    let mut upsert = tx.prepare_cached(
        "INSERT INTO findings (repo_id, fingerprint, path, rule_id, secret_sha256, status, in_head,
                               reachable, first_seen, last_seen, first_run, last_run, finding,
                               announced, notified)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, ?8, ?9, ?9, ?10, 0, 0)
         ON CONFLICT (repo_id, fingerprint, path) DO UPDATE SET
             status = excluded.status, in_head = excluded.in_head, reachable = 1,
             last_seen = excluded.last_seen, last_run = excluded.last_run,
             finding = excluded.finding,
             fixed_shown = CASE
                 WHEN excluded.status != 'removed-from-head' THEN 1
                 WHEN findings.status != 'removed-from-head' THEN 0
                 ELSE findings.fixed_shown END",
    )?;
    let mut new = 0;
    for f in findings {
        // Keyed by the secret-level form (`keytrace/v1`) and path, as before `keytrace/v2`:
        // the same identity, so a state written by an older release stays valid.
        let key = (f.secret_fingerprint(), f.location.path.clone());
        let previous = existing.remove(&key);
        let unannounced = previous
            .as_ref()
            .is_some_and(|(_, p, announced)| p.status == FindingStatus::New && !announced);
        let st = if unannounced {
            FindingStatus::New
        } else {
            status::reachable(
                previous.map(|(_, p, _)| p),
                Seen {
                    in_head: f.props.in_head,
                    removed_on_head_line: f.props.removed_in.is_some(),
                },
            )
        };
        new += usize::from(st == FindingStatus::New);
        upsert.execute(params![
            id,
            key.0,
            key.1,
            f.rule_id,
            f.props.secret_sha256,
            st.as_str(),
            f.props.in_head,
            run.date,
            run.id,
            stored_json(f)
        ])?;
    }
    for ((fingerprint, path), (rule, _, _)) in existing {
        if rule_ids.contains(&rule) {
            tx.execute(
                "UPDATE findings SET status = ?1, reachable = 0, in_head = 0,
                     fixed_shown = CASE WHEN status != ?1 THEN 0 ELSE fixed_shown END
                 WHERE repo_id = ?2 AND fingerprint = ?3 AND path = ?4",
                params![status::unreachable().as_str(), id, fingerprint, path],
            )?;
        } else {
            tx.execute(
                "DELETE FROM findings WHERE repo_id = ?1 AND fingerprint = ?2 AND path = ?3",
                params![id, fingerprint, path],
            )?;
        }
    }
    Ok(new)
}

/// Nothing changed: findings still reached are seen again (`new` ages to `present` once a
/// report has shown it).
fn age_findings(tx: &Transaction<'_>, run: &RunCtx, id: i64) -> rusqlite::Result<usize> {
    let aged = status::unchanged(Previous {
        status: FindingStatus::New,
        in_head: None,
    });
    tx.execute(
        "UPDATE findings SET status = CASE WHEN status = 'new' AND announced = 1 THEN ?1
                                           ELSE status END,
                             last_seen = ?2, last_run = ?3
         WHERE repo_id = ?4 AND reachable = 1",
        params![aged.as_str(), run.date, run.id, id],
    )?;
    Ok(0)
}
