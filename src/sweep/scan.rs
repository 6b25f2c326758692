//! Scanning one repository incrementally.
//!
//! The refs are compared with the last successful scan: when neither they nor the ruleset
//! changed, nothing is read. Otherwise history is walked (cheap: trees are visited once per
//! distinct subtree), the walk's blobs are filtered down to those the state has not matched
//! under this ruleset hash and the path `scan --history` would match them under
//! ([`crate::detection`]), only those are read and matched, and the matcher's stored output
//! for the older blobs is fed back into attribution alongside the new results. Attribution
//! therefore sees exactly what a full scan would, at the cost of the new blobs only. The stored
//! output holds findings of every confidence: the report threshold applies after reading it.

use super::SweepError;
use super::repo_config::{self, RepoConfig};
use super::secrets::{self, Secrets};
use super::state::{MatchedBlob, Reader};
use crate::coverage::{Coverage, CoverageRecord, SkipReason};
use crate::detection::{blob_path, match_history_blobs};
use crate::finding::Finding;
use crate::matcher::RuleSet;
use crate::pipeline::Limits;
use crate::report::RepoInfo;
use crate::source::git::{Tip, history, provenance, repo};
use git2::{Oid, Repository};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// What scanning a repository produced, ready for the state writer.
pub struct RepoScan {
    pub info: RepoInfo,
    /// (ref name, commit) of every ref scanned, sorted by name.
    pub tips: Vec<(String, String)>,
    /// Where the repository was read (for owner resolution after the state is written);
    /// `None` for an image.
    pub git_dir: Option<PathBuf>,
    pub work: Work,
    pub coverage: CoverageRecord,
    /// The repository's own `keytrace.toml`, read from HEAD.
    pub config: RepoConfig,
    /// Secrets of the findings, when an allowlist needs them (empty otherwise); never stored.
    pub secrets: Secrets,
    /// What an image target's layers gave (`None` for a repository).
    pub image: Option<ImageWork>,
}

/// The layers of an image target: those read now (stored for the next run), and counts.
#[derive(Debug, Default)]
pub struct ImageWork {
    /// (layer digest, result) of the layers read now.
    pub read: Vec<(String, crate::source::image::LayerResult)>,
    pub layers_read: u64,
    /// Layers answered from the state (same digest, same ruleset hash).
    pub layers_reused: u64,
}

/// Whether history was walked, and what it gave.
pub enum Work {
    /// Same refs and ruleset as the last complete scan.
    Unchanged,
    Walked {
        /// Every blob wanted was read (none missing, corrupt or over the size limit).
        complete: bool,
        /// Blobs read and matched now, with their number of raw matches and path.
        matched: Vec<MatchedBlob>,
        /// The matcher's output for the blobs read now that have matches.
        blob_findings: Vec<(Oid, Vec<Finding>)>,
        /// Every finding of the repository, attributed, scoped to its identity, no secrets.
        findings: Vec<Finding>,
    },
}

/// Scan the repository at `git_dir`, known as `identity`, against what `reader` remembers.
/// Blob matching runs on the current rayon pool. `want_secrets`: the sweep's allowlist looks at
/// secrets, so the findings' secrets are learnt for it (see [`super::secrets`]).
pub fn scan_repo(
    git_dir: &Path,
    identity: &str,
    reader: &Reader,
    set: &RuleSet,
    limits: Limits,
    want_secrets: bool,
) -> Result<RepoScan, SweepError> {
    let repo = repo::open(git_dir).map_err(|e| fail(identity, e.to_string()))?;
    let refs = repo::tips(&repo, &[]).map_err(|e| {
        let message = crate::source::git::text::git_message(&e);
        fail(identity, format!("cannot list refs: {message}"))
    })?;
    let pairs: Vec<(String, String)> = refs
        .tips
        .iter()
        .map(|t| (t.name.clone(), t.commit.to_string()))
        .collect();
    let config = repo_config::read(&repo, identity);
    let ctx = Ctx {
        identity,
        reader,
        set,
        limits,
        want_secrets: want_secrets || secrets::needed_by_repo(&config),
    };
    let prior = reader.prior(identity)?;
    let unchanged =
        prior.complete && prior.ruleset_hash.as_deref() == Some(set.hash()) && prior.tips == pairs;
    let (work, coverage, known) = if unchanged {
        let mut known = Secrets::new();
        if ctx.want_secrets {
            let stored = stored_blobs(&ctx, |_| true)?;
            secrets::recover(repo.path(), &stored, set, limits, &mut known);
        }
        (Work::Unchanged, CoverageRecord::default(), known)
    } else {
        walk(&repo, &refs, &ctx)?
    };
    Ok(RepoScan {
        info: crate::commands::git_scan::repo_info(&repo),
        tips: pairs,
        git_dir: Some(git_dir.to_path_buf()),
        work,
        coverage,
        config,
        secrets: known,
        image: None,
    })
}

/// What scanning one repository needs besides the repository itself.
struct Ctx<'a> {
    identity: &'a str,
    reader: &'a Reader,
    set: &'a RuleSet,
    limits: Limits,
    want_secrets: bool,
}

fn fail(identity: &str, message: String) -> SweepError {
    SweepError::Repo {
        identity: identity.to_string(),
        message,
    }
}

/// Walk the history, match the blobs the state lacks (or matched under another path) and
/// attribute every finding, old and new.
fn walk(
    repo: &Repository,
    refs: &repo::RefList,
    ctx: &Ctx<'_>,
) -> Result<(Work, CoverageRecord, Secrets), SweepError> {
    let (set, limits) = (ctx.set, ctx.limits);
    let coverage = Coverage::default();
    let index = history::index_history(repo, refs);
    coverage.skip_n(SkipReason::Submodule, index.submodules);
    coverage.skip_n(SkipReason::MissingObject, index.gaps.missing());
    coverage.skip_n(SkipReason::CorruptObject, index.gaps.corrupt());
    let done = ctx.reader.matched_blobs(ctx.identity, set.hash())?;
    // A blob is matched again when it was matched under another path: what it yields depends
    // on the path (see `crate::detection`).
    let wanted: Vec<Oid> = index
        .blob_ids()
        .into_iter()
        .filter(|b| done.get(b) != Some(&blob_path(&index, *b)))
        .collect();
    let (readable, mut complete) = readable_blobs(repo, &wanted, limits, &coverage);
    complete &= index.gaps.total() == 0;
    if !complete && readable.is_empty() && !index.blobs.keys().any(|b| done.contains_key(b)) {
        let message = nothing_read(&index, refs.count(), &coverage);
        return Err(fail(ctx.identity, message));
    }
    let bar = indicatif::ProgressBar::hidden();
    let scanned = match_history_blobs(repo.path(), &index, &readable, set, limits, &coverage, &bar);
    let mut known = Secrets::new();
    if ctx.want_secrets {
        secrets::learn(&scanned, &mut known);
        let now: HashSet<Oid> = readable.iter().copied().collect();
        let old = |b: &Oid| index.blobs.contains_key(b) && !now.contains(b);
        let stored = stored_blobs(ctx, old)?;
        secrets::recover(repo.path(), &stored, set, limits, &mut known);
    }
    let scanned: Vec<(Oid, Vec<Finding>)> = scanned
        .into_iter()
        .map(|(oid, found)| (oid, scrubbed(found)))
        .collect();
    let matched = matched_now(&index, &readable, &scanned);
    let stored = ctx.reader.blob_findings(ctx.identity, set.hash())?;
    let per_blob = with_stored(&index, &readable, &scanned, stored);
    let findings = attribute(repo, &index, &refs.tips, per_blob, ctx.identity);
    let work = Work::Walked {
        complete,
        matched,
        blob_findings: scanned,
        findings,
    };
    Ok((work, coverage.snapshot(), known))
}

/// Stored blobs with findings that `keep` accepts, with the path each was matched under.
fn stored_blobs(
    ctx: &Ctx<'_>,
    keep: impl Fn(&Oid) -> bool,
) -> Result<HashMap<Oid, String>, SweepError> {
    let (reader, hash) = (ctx.reader, ctx.set.hash());
    let paths = reader.matched_blobs(ctx.identity, hash)?;
    Ok(reader
        .blob_findings(ctx.identity, hash)?
        .into_iter()
        .map(|(oid, _)| oid)
        .filter(|oid| keep(oid))
        .filter_map(|oid| paths.get(&oid).map(|p| (oid, p.clone())))
        .collect())
}

/// One blob's findings as a redacted report shows them: free text (a config store's `tool`, an
/// identity) that quotes a secret of the blob gets its redacted form, and the clear text is
/// dropped. A scan scrubs with every secret of its report; a sweep, which keeps no secret past
/// its blob (the state stores this output), scrubs each blob with its own.
pub(super) fn scrubbed(found: Vec<Finding>) -> Vec<Finding> {
    let mut report = crate::report::Report {
        findings: found,
        ..crate::report::Report::default()
    };
    report.redact(true);
    report.findings
}

/// What the state records for the blobs matched now: hits and the path each was matched under.
fn matched_now(
    index: &history::HistoryIndex,
    readable: &[Oid],
    scanned: &[(Oid, Vec<Finding>)],
) -> Vec<MatchedBlob> {
    let hits: HashMap<Oid, usize> = scanned.iter().map(|(o, f)| (*o, f.len())).collect();
    readable
        .iter()
        .map(|o| MatchedBlob {
            id: *o,
            hits: hits.get(o).copied().unwrap_or(0),
            path: blob_path(index, *o),
        })
        .collect()
}

/// The matcher's output for every blob of the walk: what was matched now, and the stored output
/// of blobs matched in earlier runs (never a stored output of a blob matched again now, which
/// may have yielded less this time).
fn with_stored(
    index: &history::HistoryIndex,
    readable: &[Oid],
    scanned: &[(Oid, Vec<Finding>)],
    stored: Vec<(Oid, Finding)>,
) -> Vec<(Oid, Vec<Finding>)> {
    let now: HashSet<Oid> = readable.iter().copied().collect();
    let mut per_blob: BTreeMap<Oid, Vec<Finding>> = BTreeMap::new();
    for (oid, f) in stored {
        if index.blobs.contains_key(&oid) && !now.contains(&oid) {
            per_blob.entry(oid).or_default().push(f);
        }
    }
    for (oid, found) in scanned {
        per_blob.insert(*oid, found.clone());
    }
    per_blob.into_iter().collect()
}

/// Why a repository with refs gave nothing to match, on one line.
fn nothing_read(index: &history::HistoryIndex, refs: u64, coverage: &Coverage) -> String {
    let skipped = coverage.snapshot().skipped;
    let get = |r: SkipReason| skipped.get(r.as_str()).copied().unwrap_or(0);
    let what = if index.commits.is_empty() {
        "commit"
    } else {
        "blob"
    };
    format!(
        "could not read any {what} ({refs} ref(s), {} object(s) missing, {} corrupt)",
        get(SkipReason::MissingObject),
        get(SkipReason::CorruptObject)
    )
}

/// Attribute per-blob findings and scope them to the repository: the repository identity is
/// the fingerprint scope, so one secret in two repositories is two findings that
/// `secret_sha256` still correlates.
fn attribute(
    repo: &Repository,
    index: &history::HistoryIndex,
    tips: &[Tip],
    per_blob: Vec<(Oid, Vec<Finding>)>,
    identity: &str,
) -> Vec<Finding> {
    let mut findings = provenance::attribute(repo, index, tips, per_blob);
    for f in &mut findings {
        f.secret = None;
        f.props.repository = Some(identity.to_string());
        f.refresh_fingerprint();
    }
    findings.sort_by(|a, b| {
        a.sort_key()
            .cmp(&b.sort_key())
            .then(a.fingerprint.cmp(&b.fingerprint))
    });
    findings
}

/// The blobs that exist and are within the size limit. The rest are counted in coverage and
/// left unmatched (so a later run with the objects, or a higher limit, reads them); the flag
/// says whether nothing was left out.
fn readable_blobs(
    repo: &Repository,
    wanted: &[Oid],
    limits: Limits,
    coverage: &Coverage,
) -> (Vec<Oid>, bool) {
    let Ok(odb) = repo.odb() else {
        coverage.skip_n(SkipReason::Unreadable, wanted.len() as u64);
        return (Vec::new(), wanted.is_empty());
    };
    let mut complete = true;
    let mut out = Vec::with_capacity(wanted.len());
    for &oid in wanted {
        match odb.read_header(oid) {
            Ok((size, _)) if size as u64 > limits.max_file_size => {
                coverage.skip(SkipReason::TooLarge);
                complete = false;
            }
            Ok(_) => out.push(oid),
            Err(e) => {
                coverage.skip(if e.code() == git2::ErrorCode::NotFound {
                    SkipReason::MissingObject
                } else {
                    SkipReason::CorruptObject
                });
                complete = false;
            }
        }
    }
    (out, complete)
}
