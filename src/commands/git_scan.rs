//! Git modes of `keytrace scan`: full history, staged changes and commit ranges.

use crate::cli::ScanArgs;
use crate::coverage::{Coverage, SkipReason};
use crate::finding::{Finding, SourceKind};
use crate::matcher::RuleSet;
use crate::pipeline::{self, Limits};
use crate::report::RepoInfo;
use crate::source::git::{diff, history, provenance, repo};
use anyhow::Context;
use git2::{Oid, Repository};
use std::collections::HashMap;
use std::path::Path;

/// Scan the full history of one repository.
pub fn scan_history(
    path: &Path,
    args: &ScanArgs,
    set: &RuleSet,
    coverage: &Coverage,
) -> anyhow::Result<(Vec<Finding>, RepoInfo)> {
    repo::limit_memory();
    let repo = repo::open(path)?;
    let tips = repo::tips(&repo, &args.history.refs)
        .with_context(|| format!("{}: cannot list refs", path.display()))?;
    if tips.is_empty() {
        coverage.note(format!(
            "{}: no refs to scan (empty repository or no matching --branch)",
            path.display()
        ));
    }
    let index = history::index_history(&repo, &tips)
        .with_context(|| format!("{}: cannot walk history", path.display()))?;
    note_gaps(path, &index, coverage);
    let blobs = index.blob_ids();
    let bar = crate::progress::blobs(blobs.len() as u64, show_progress(args));
    let limits = Limits {
        max_file_size: args.max_file_size,
    };
    let git_dir = repo.path().to_path_buf();
    let path_of = |oid: Oid| {
        index
            .blobs
            .get(&oid)
            .and_then(|p| p.first())
            .map(|(p, _)| index.paths[*p as usize].clone())
            .unwrap_or_default()
    };
    let scanned = pipeline::with_threads(args.threads, || {
        pipeline::scan_git_blobs_at(&git_dir, &blobs, &path_of, set, limits, coverage, &bar)
    });
    bar.finish_and_clear();
    warn_missing(path, coverage);
    let findings = provenance::attribute(&repo, &index, &tips, scanned);
    Ok((findings, repo_info(&repo)))
}

/// Scan the staged change of the repository containing `path`: added lines only.
pub fn scan_staged(
    path: &Path,
    args: &ScanArgs,
    set: &RuleSet,
    coverage: &Coverage,
) -> anyhow::Result<(Vec<Finding>, RepoInfo)> {
    let repo = Repository::discover(path).map_err(|e| repo::GitError::NotARepository {
        path: path.display().to_string(),
        message: e.message().to_string(),
    })?;
    let added = diff::staged(&repo).context("cannot diff the index against HEAD")?;
    let findings = scan_added(&repo, &added, args, set, coverage, SourceKind::Staged, None)?;
    Ok((findings, repo_info(&repo)))
}

/// Scan what the commits of `range` add, attributing each finding to its introducing commit.
pub fn scan_range(
    path: &Path,
    range: &str,
    args: &ScanArgs,
    set: &RuleSet,
    coverage: &Coverage,
) -> anyhow::Result<(Vec<Finding>, RepoInfo)> {
    let repo = repo::open(path)?;
    let commits = history::range_commits(&repo, range).map_err(|e| repo::GitError::Git {
        path: path.display().to_string(),
        what: format!("bad range `{range}`"),
        message: e.message().to_string(),
    })?;
    let tips = repo::tips(&repo, &[]).unwrap_or_default();
    let mut all = Vec::new();
    let mut first_seen: HashMap<(String, String, String), usize> = HashMap::new();
    for oid in commits {
        let added =
            diff::commit_added(&repo, oid).with_context(|| format!("cannot diff commit {oid}"))?;
        let commit = repo.find_commit(oid)?;
        let meta = history::CommitMeta::from_commit(&commit);
        for mut f in scan_added(
            &repo,
            &added,
            args,
            set,
            coverage,
            SourceKind::GitHistory,
            Some(&meta),
        )? {
            let key = (
                f.rule_id.clone(),
                f.props.secret_sha256.clone(),
                f.location.path.clone(),
            );
            if first_seen.contains_key(&key) {
                continue;
            }
            f.props.refs = provenance::reaching_refs(&repo, &tips, oid);
            first_seen.insert(key, all.len());
            all.push(f);
        }
    }
    Ok((all, repo_info(&repo)))
}

/// Scan the new-side blobs of a diff and keep findings that start on an added line.
fn scan_added(
    repo: &Repository,
    added: &[diff::AddedBlob],
    args: &ScanArgs,
    set: &RuleSet,
    coverage: &Coverage,
    source: SourceKind,
    commit: Option<&history::CommitMeta>,
) -> anyhow::Result<Vec<Finding>> {
    let mut blobs: Vec<Oid> = added.iter().map(|a| a.blob).collect();
    blobs.sort();
    blobs.dedup();
    let limits = Limits {
        max_file_size: args.max_file_size,
    };
    let bar = indicatif::ProgressBar::hidden();
    let git_dir = repo.path().to_path_buf();
    let paths: HashMap<Oid, String> = added.iter().map(|a| (a.blob, a.path.clone())).collect();
    let path_of = |oid: Oid| paths.get(&oid).cloned().unwrap_or_default();
    let scanned: HashMap<Oid, Vec<Finding>> = pipeline::with_threads(args.threads, || {
        pipeline::scan_git_blobs_at(&git_dir, &blobs, &path_of, set, limits, coverage, &bar)
    })
    .into_iter()
    .collect();
    let mut out = Vec::new();
    for a in added {
        for f in scanned.get(&a.blob).into_iter().flatten() {
            if !a.lines.contains(&f.location.start_line) {
                continue;
            }
            let mut f = f.clone();
            f.location.path = a.path.clone();
            f.props.source = source;
            f.props.blob_id = Some(a.blob.to_string());
            if let Some(meta) = commit {
                provenance::fill_commit(&mut f, meta);
            }
            out.push(f);
        }
    }
    Ok(out)
}

fn show_progress(args: &ScanArgs) -> bool {
    !args.history.no_progress && args.output.format == crate::report::Format::Human
}

fn note_gaps(path: &Path, index: &history::HistoryIndex, coverage: &Coverage) {
    coverage.skip_n(SkipReason::Submodule, index.submodules);
    if index.submodules > 0 {
        coverage.note(format!(
            "{}: {} submodule path(s) not followed",
            path.display(),
            index.submodules
        ));
    }
    coverage.skip_n(SkipReason::MissingObject, index.missing_objects);
}

/// Warn once when objects could not be read (shallow or partial clones).
fn warn_missing(path: &Path, coverage: &Coverage) {
    let snap = coverage.snapshot();
    let missing = snap.skipped.get("missing-object").copied().unwrap_or(0);
    if missing > 0 {
        coverage.note(format!(
            "{}: {missing} object(s) unavailable (shallow or partial clone?); scanned what exists",
            path.display()
        ));
        eprintln!(
            "keytrace: warning: {}: {missing} git object(s) unavailable; scanned what exists",
            path.display()
        );
    }
}

/// HEAD revision, branch and remote URL, for SARIF `versionControlProvenance`.
pub fn repo_info(repo: &Repository) -> RepoInfo {
    let head = repo.head().ok();
    RepoInfo {
        uri: repo
            .find_remote("origin")
            .ok()
            .and_then(|r| r.url().ok().map(str::to_string)),
        revision: head
            .as_ref()
            .and_then(|h| h.target())
            .map(|o| o.to_string()),
        branch: head
            .as_ref()
            .filter(|h| h.is_branch())
            .and_then(|h| h.shorthand().ok().map(str::to_string)),
    }
}
