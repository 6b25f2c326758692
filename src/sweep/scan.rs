//! Scanning one repository incrementally.
//!
//! The refs are compared with the last successful scan: when neither they nor the ruleset
//! changed, nothing is read. Otherwise history is walked (cheap: trees are visited once per
//! distinct subtree), the walk's blobs are filtered down to those the state has not matched
//! under this ruleset hash, only those are read and matched, and the matcher's stored output
//! for the older blobs is fed back into attribution alongside the new results. Attribution
//! therefore sees exactly what a full scan would, at the cost of the new blobs only.

use super::SweepError;
use super::repo_config::{self, RepoConfig};
use super::state::Reader;
use crate::coverage::{Coverage, CoverageRecord, SkipReason};
use crate::finding::Finding;
use crate::matcher::RuleSet;
use crate::pipeline::{self, Limits};
use crate::report::RepoInfo;
use crate::source::git::{Tip, history, provenance, repo};
use git2::{Oid, Repository};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// What scanning a repository produced, ready for the state writer.
pub struct RepoScan {
    pub info: RepoInfo,
    /// (ref name, commit) of every ref scanned, sorted by name.
    pub tips: Vec<(String, String)>,
    pub work: Work,
    pub coverage: CoverageRecord,
    /// The repository's own `keytrace.toml`, read from HEAD.
    pub config: RepoConfig,
}

/// Whether history was walked, and what it gave.
pub enum Work {
    /// Same refs and ruleset as the last complete scan.
    Unchanged,
    Walked {
        /// Every blob wanted was read (none missing, corrupt or over the size limit).
        complete: bool,
        /// Blobs read and matched now, with their number of raw matches.
        matched: Vec<(Oid, usize)>,
        /// The matcher's output for the blobs read now that have matches.
        blob_findings: Vec<(Oid, Vec<Finding>)>,
        /// Every finding of the repository, attributed, scoped to its identity, no secrets.
        findings: Vec<Finding>,
    },
}

/// Scan the repository at `git_dir`, known as `identity`, against what `reader` remembers.
/// Blob matching runs on the current rayon pool.
pub fn scan_repo(
    git_dir: &Path,
    identity: &str,
    reader: &Reader,
    set: &RuleSet,
    limits: Limits,
) -> Result<RepoScan, SweepError> {
    let fail = |message: String| SweepError::Repo {
        identity: identity.to_string(),
        message,
    };
    let repo = repo::open(git_dir).map_err(|e| fail(e.to_string()))?;
    let refs = repo::tips(&repo, &[]).map_err(|e| {
        fail(format!(
            "cannot list refs: {}",
            crate::source::git::text::git_message(&e)
        ))
    })?;
    let pairs: Vec<(String, String)> = refs
        .tips
        .iter()
        .map(|t| (t.name.clone(), t.commit.to_string()))
        .collect();
    let info = crate::commands::git_scan::repo_info(&repo);
    let prior = reader.prior(identity)?;
    if prior.complete && prior.ruleset_hash.as_deref() == Some(set.hash()) && prior.tips == pairs {
        return Ok(RepoScan {
            info,
            tips: pairs,
            work: Work::Unchanged,
            coverage: CoverageRecord::default(),
            config: repo_config::read(&repo, identity),
        });
    }
    let coverage = Coverage::default();
    let index = history::index_history(&repo, &refs);
    coverage.skip_n(SkipReason::Submodule, index.submodules);
    coverage.skip_n(SkipReason::MissingObject, index.gaps.missing());
    coverage.skip_n(SkipReason::CorruptObject, index.gaps.corrupt());
    let done = reader.matched_blobs(identity, set.hash())?;
    let wanted: Vec<Oid> = index
        .blob_ids()
        .into_iter()
        .filter(|b| !done.contains(b))
        .collect();
    let (readable, mut complete) = readable_blobs(&repo, &wanted, limits, &coverage);
    complete &= index.gaps.total() == 0;
    if !complete && readable.is_empty() && !index.blobs.keys().any(|b| done.contains(b)) {
        return Err(fail(nothing_read(&index, refs.count(), &coverage)));
    }
    let bar = indicatif::ProgressBar::hidden();
    let scanned = pipeline::scan_git_blobs(repo.path(), &readable, set, limits, &coverage, &bar);
    let hits: HashMap<Oid, usize> = scanned.iter().map(|(o, f)| (*o, f.len())).collect();
    let matched: Vec<(Oid, usize)> = readable
        .iter()
        .map(|o| (*o, hits.get(o).copied().unwrap_or(0)))
        .collect();
    let mut per_blob: BTreeMap<Oid, Vec<Finding>> = BTreeMap::new();
    for (oid, f) in reader.blob_findings(identity, set.hash())? {
        if index.blobs.contains_key(&oid) {
            per_blob.entry(oid).or_default().push(f);
        }
    }
    for (oid, found) in &scanned {
        per_blob.insert(*oid, found.clone());
    }
    let findings = attribute(
        &repo,
        &index,
        &refs.tips,
        per_blob.into_iter().collect(),
        identity,
    );
    Ok(RepoScan {
        info,
        tips: pairs,
        work: Work::Walked {
            complete,
            matched,
            blob_findings: scanned,
            findings,
        },
        coverage: coverage.snapshot(),
        config: repo_config::read(&repo, identity),
    })
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
