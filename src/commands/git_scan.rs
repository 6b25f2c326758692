//! Git modes of `keytrace scan`: full history, staged changes and commit ranges.
//!
//! A damaged repository is scanned as far as it can be read. What could not be read is
//! counted in coverage (`missing-object`, `corrupt-object`) and named in one warning line; a
//! scan that read no blob while objects were missing or corrupt is an error (exit 2), never
//! a clean report.

use crate::cli::ScanArgs;
use crate::coverage::{Coverage, CoverageRecord, SkipReason};
use crate::finding::{Finding, SourceKind};
use crate::matcher::RuleSet;
use crate::pipeline::{self, Limits};
use crate::report::RepoInfo;
use crate::source::git::diff::{self, DiffGaps, DiffLimits};
use crate::source::git::gaps::Gaps;
use crate::source::git::repo::{GitError, shown};
use crate::source::git::text::escape_control;
use crate::source::git::tree::MAX_PATHS_PER_TREE;
use crate::source::git::{deepen, history, provenance, repo, walk, worktree};
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
    let repo = worktree::open_containing(path)?;
    let refs = repo::tips(&repo, &args.history.refs)
        .map_err(|e| GitError::git(path, "cannot list refs", &e))?;
    if refs.is_empty() {
        coverage.note(format!(
            "{}: no refs to scan (empty repository or no matching --branch)",
            shown(path)
        ));
    }
    let index = history::index_history(&repo, &refs);
    note_history(path, &index, coverage);
    let blobs = index.blob_ids();
    let bar = crate::progress::blobs(blobs.len() as u64, show_progress(args));
    let git_dir = repo.path().to_path_buf();
    let before = coverage.snapshot();
    let scanned = pipeline::with_threads(args.threads, || {
        crate::detection::match_history_blobs(
            &git_dir,
            &index,
            &blobs,
            set,
            limits(args),
            coverage,
            &bar,
        )
    });
    bar.finish_and_clear();
    let reads = Reads {
        refs: Some(refs.count()),
        commits: index.commits.len(),
        blobs: blobs.len(),
    };
    account(path, coverage, &before, &reads, &index.gaps)?;
    let findings = provenance::attribute(&repo, &index, &refs.tips, scanned);
    Ok((findings, repo_info(&repo)))
}

/// Scan the staged change of the repository containing `path`: added lines only.
pub fn scan_staged(
    path: &Path,
    args: &ScanArgs,
    set: &RuleSet,
    coverage: &Coverage,
) -> anyhow::Result<(Vec<Finding>, RepoInfo)> {
    let repo = repo::discover_or_fail(path)?;
    if repo.is_bare() {
        return Err(GitError::NoWorkTree { path: shown(path) }.into());
    }
    let mut gaps = DiffGaps::default();
    let added = diff::staged(&repo, diff_limits(args), &mut gaps)
        .map_err(|e| GitError::git(path, "cannot diff the index against HEAD", &e))?;
    let before = coverage.snapshot();
    let (findings, blobs) =
        scan_added(&repo, &added, args, set, coverage, SourceKind::Staged, None);
    note_whole_files(path, &gaps, coverage);
    let reads = Reads {
        refs: None,
        commits: 1,
        blobs,
    };
    account(path, coverage, &before, &reads, &gaps.gaps)?;
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
    let repo = deepen::open_for_range(path, range, !args.history.no_deepen, coverage)?;
    let (from, to) = parse_range(&repo, path, range)?;
    let mut gaps = DiffGaps::default();
    let commits = walk::range(&repo, from, to, &mut gaps.gaps);
    let tips = repo::tips(&repo, &[]).map(|l| l.tips).unwrap_or_default();
    let before = coverage.snapshot();
    let mut all = Vec::new();
    let mut first_seen: HashMap<(String, String, String), usize> = HashMap::new();
    let mut blobs = 0;
    for node in &commits {
        let added = diff::commit_added(&repo, node, diff_limits(args), &mut gaps);
        let source = SourceKind::GitHistory;
        let (found, n) = scan_added(&repo, &added, args, set, coverage, source, Some(&node.meta));
        blobs += n;
        for mut f in found {
            let key = (
                f.rule_id.clone(),
                f.props.secret_sha256.clone(),
                f.location.path.clone(),
            );
            if first_seen.contains_key(&key) {
                continue;
            }
            provenance::fill_refs(&mut f, &repo, &tips, node.meta.id);
            first_seen.insert(key, all.len());
            all.push(f);
        }
    }
    note_whole_files(path, &gaps, coverage);
    let reads = Reads {
        refs: None,
        commits: commits.len(),
        blobs,
    };
    account(path, coverage, &before, &reads, &gaps.gaps)?;
    Ok((all, repo_info(&repo)))
}

/// The two ends of `A..B` as commit ids. A revision range is one line of plain text: control
/// characters are refused before git sees them, and every message quotes the range escaped.
fn parse_range(repo: &Repository, path: &Path, range: &str) -> Result<(Oid, Oid), GitError> {
    let what = format!("bad range `{}`", escape_control(range));
    let refuse = |message: &str| GitError::Git {
        path: shown(path),
        what: what.clone(),
        message: message.to_string(),
    };
    if range.chars().any(char::is_control) {
        return Err(refuse(
            "control characters are not allowed in a revision range",
        ));
    }
    let spec = repo
        .revparse(range)
        .map_err(|e| GitError::git(path, what.clone(), &e))?;
    if spec.mode().contains(git2::RevparseMode::MERGE_BASE) {
        return Err(refuse(
            "symmetric ranges (A...B) are not supported; use A..B",
        ));
    }
    let (Some(from), Some(to)) = (spec.from(), spec.to()) else {
        return Err(refuse("expected a range A..B"));
    };
    let commit_of = |o: &git2::Object<'_>| o.peel_to_commit().map(|c| c.id()).unwrap_or(o.id());
    Ok((commit_of(from), commit_of(to)))
}

/// Scan the new-side blobs of a diff and keep findings that start on an added line. Returns
/// the findings and the number of distinct blobs asked for.
fn scan_added(
    repo: &Repository,
    added: &[diff::AddedBlob],
    args: &ScanArgs,
    set: &RuleSet,
    coverage: &Coverage,
    source: SourceKind,
    commit: Option<&history::CommitMeta>,
) -> (Vec<Finding>, usize) {
    let mut blobs: Vec<Oid> = added.iter().map(|a| a.blob).collect();
    blobs.sort();
    blobs.dedup();
    let bar = indicatif::ProgressBar::hidden();
    let git_dir = repo.path().to_path_buf();
    let paths: HashMap<Oid, String> = added.iter().map(|a| (a.blob, a.path.clone())).collect();
    let path_of = |oid: Oid| paths.get(&oid).cloned().unwrap_or_default();
    let scanned: HashMap<Oid, Vec<Finding>> = pipeline::with_threads(args.threads, || {
        pipeline::scan_git_blobs_at(
            &git_dir,
            &blobs,
            &path_of,
            set,
            limits(args),
            coverage,
            &bar,
        )
    })
    .into_iter()
    .collect();
    let mut out = Vec::new();
    for a in added {
        for f in scanned.get(&a.blob).into_iter().flatten() {
            if !a.lines.contains(f.location.start_line) {
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
    (out, blobs.len())
}

fn limits(args: &ScanArgs) -> Limits {
    Limits {
        max_file_size: args.max_file_size,
    }
}

fn diff_limits(args: &ScanArgs) -> DiffLimits {
    DiffLimits {
        max_file_size: args.max_file_size,
    }
}

fn show_progress(args: &ScanArgs) -> bool {
    !args.history.no_progress && args.output.format == crate::report::Format::Human
}

/// Coverage notes about the shape of the history walked (nothing here is an error).
fn note_history(path: &Path, index: &history::HistoryIndex, coverage: &Coverage) {
    let p = shown(path);
    coverage.skip_n(SkipReason::Submodule, index.submodules);
    if index.submodules > 0 {
        coverage.note(format!(
            "{p}: {} submodule path(s) not followed",
            index.submodules
        ));
    }
    if index.shallow_boundary > 0 {
        coverage.note(format!(
            "{p}: shallow clone: history stops at {} boundary commit(s); scanned what the clone holds",
            index.shallow_boundary
        ));
    }
    let r = index.recovered;
    if r.commits + r.trees + r.blobs > 0 {
        coverage.note(format!(
            "{p}: {} commit(s), {} tree(s) and {} blob(s) reached by no readable ref were found in the object database and scanned",
            r.commits, r.trees, r.blobs
        ));
    }
    if index.recovery_skipped {
        coverage.note(format!(
            "{p}: objects are borrowed from other repositories (alternates): history behind unreadable objects was not searched for"
        ));
    }
    if index.capped_trees > 0 {
        coverage.note(format!(
            "{p}: {} tree(s) occur at more than {MAX_PATHS_PER_TREE} paths; findings in them name the first {MAX_PATHS_PER_TREE}",
            index.capped_trees
        ));
    }
    if index.gaps.unreadable_refs > 0 {
        coverage.note(format!(
            "{p}: {} ref(s) could not be parsed",
            index.gaps.unreadable_refs
        ));
    }
}

fn note_whole_files(path: &Path, gaps: &DiffGaps, coverage: &Coverage) {
    if gaps.whole_files > 0 {
        coverage.note(format!(
            "{}: {} file(s) could not be compared with their previous version; every line of them was scanned",
            shown(path),
            gaps.whole_files
        ));
    }
}

/// What a git scan asked for: refs (history only), readable commits and distinct blobs.
struct Reads {
    refs: Option<u64>,
    commits: usize,
    blobs: usize,
}

/// Count what could not be read (the walk's gaps, plus the blobs the pipeline counted since
/// `before`), warn once on stderr when something is missing, and fail when nothing was read.
fn account(
    path: &Path,
    coverage: &Coverage,
    before: &CoverageRecord,
    reads: &Reads,
    gaps: &Gaps,
) -> Result<(), GitError> {
    let after = coverage.snapshot();
    let delta = |reason: SkipReason| {
        let key = reason.as_str();
        let get = |r: &CoverageRecord| r.skipped.get(key).copied().unwrap_or(0);
        get(&after).saturating_sub(get(before))
    };
    let blobs_unreadable = delta(SkipReason::MissingObject) + delta(SkipReason::CorruptObject);
    coverage.skip_n(SkipReason::MissingObject, gaps.missing());
    coverage.skip_n(SkipReason::CorruptObject, gaps.corrupt());
    let missing = delta(SkipReason::MissingObject) + gaps.missing();
    let corrupt = delta(SkipReason::CorruptObject) + gaps.corrupt();
    if missing + corrupt + gaps.unreadable_refs == 0 {
        return Ok(());
    }
    let mut detail = match reads.refs {
        Some(n) => format!("{n} ref(s), "),
        None => String::new(),
    };
    detail.push_str(&format!(
        "{} object(s) missing/corrupt: {missing} missing, {corrupt} corrupt",
        missing + corrupt
    ));
    if gaps.unreadable_refs > 0 {
        detail.push_str(&format!(", {} unparsable ref(s)", gaps.unreadable_refs));
    }
    if (reads.blobs as u64).saturating_sub(blobs_unreadable) == 0 {
        let what = if reads.commits == 0 { "commit" } else { "blob" };
        return Err(GitError::NothingReadable {
            path: shown(path),
            what,
            detail,
        });
    }
    coverage.note(format!(
        "{}: incomplete: {detail}; scanned what could be read",
        shown(path)
    ));
    let refs = match gaps.unreadable_refs {
        0 => String::new(),
        n => format!(", {n} unparsable ref(s)"),
    };
    eprintln!(
        "keytrace: warning: {}: {} git object(s) unavailable ({missing} missing, {corrupt} corrupt{refs}); scanned what exists",
        shown(path),
        missing + corrupt
    );
    Ok(())
}

/// HEAD revision, branch and remote URL, for SARIF `versionControlProvenance`. The URL is the
/// `origin` (else first) remote's https form without credentials, absent when there is no
/// network remote: never a filesystem path.
pub fn repo_info(repo: &Repository) -> RepoInfo {
    let head = repo.head().ok();
    RepoInfo {
        uri: crate::source::git::remote_url::repository_uri(repo),
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

#[cfg(test)]
mod tests {

    #[test]
    fn remote_urls_lose_their_credentials() {
        assert_eq!(
            crate::sweep::target::strip_credentials(
                "https://x-access-token:ghp_abc@github.com/o/r.git"
            ),
            "https://github.com/o/r.git"
        );
        assert_eq!(
            crate::sweep::target::strip_credentials("https://github.com/o/r@v1"),
            "https://github.com/o/r@v1"
        );
        assert_eq!(
            crate::sweep::target::strip_credentials("git@github.com:o/r.git"),
            "git@github.com:o/r.git"
        );
        assert_eq!(
            crate::sweep::target::strip_credentials("ssh://git@host/r"),
            "ssh://host/r"
        );
    }
}
