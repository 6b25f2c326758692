//! Added lines of a diff: the staged change (index against HEAD) and each commit of a range
//! (against its first parent). Only what a change adds can be introduced by it.
//!
//! Unreadable objects never end the scan and never shrink it: each file's patch is computed on
//! its own, a file whose old version cannot be read (or whose patch fails) counts as wholly
//! added, a new version that cannot be read is counted in [`Gaps`], and a tree diff that fails
//! on an unreadable subtree falls back to listing the new tree's blobs that the parent does
//! not hold at the same path. Scanning more than was added is the price of a hole; scanning
//! less would let a secret through.

use super::gaps::Gaps;
use super::text::display_bytes;
use super::tree::{MAX_PATHS_PER_TREE, as_path};
use super::walk::CommitNode;
use git2::{
    Binding, Delta, Diff, DiffFile, DiffOptions, ErrorCode, ObjectType, Oid, Patch, Repository,
};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Which lines of a blob a change adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddedLines {
    /// These 1-based line numbers.
    Lines(BTreeSet<usize>),
    /// Every line: the old version could not be compared.
    All,
}

impl AddedLines {
    /// Whether 1-based `line` is added.
    pub fn contains(&self, line: usize) -> bool {
        match self {
            AddedLines::Lines(l) => l.contains(&line),
            AddedLines::All => true,
        }
    }
}

/// A blob on the new side of a diff, at a path, with the lines the diff adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedBlob {
    /// The path as text (invalid UTF-8 bytes escaped).
    pub path: String,
    pub blob: Oid,
    pub lines: AddedLines,
}

/// What could not be compared: unreadable objects, and files taken as wholly added.
#[derive(Debug, Default, Clone)]
pub struct DiffGaps {
    pub gaps: Gaps,
    pub whole_files: u64,
}

/// Limits for one diff: blobs above `max_file_size` are never loaded to compute a patch.
#[derive(Debug, Clone, Copy)]
pub struct DiffLimits {
    pub max_file_size: u64,
}

fn options() -> DiffOptions {
    let mut opts = DiffOptions::new();
    opts.context_lines(0)
        .ignore_submodules(true)
        .include_typechange(true);
    opts
}

/// Collect added lines per new-side blob, one file at a time.
pub fn added_blobs(
    repo: &Repository,
    diff: &Diff<'_>,
    limits: DiffLimits,
    out: &mut DiffGaps,
) -> Result<Vec<AddedBlob>, git2::Error> {
    let odb = repo.odb()?;
    let mut found: BTreeMap<(String, Oid), AddedLines> = BTreeMap::new();
    for idx in 0..diff.deltas().len() {
        let Some(delta) = diff.get_delta(idx) else {
            continue;
        };
        let new = delta.new_file();
        let adds = matches!(
            delta.status(),
            Delta::Added | Delta::Modified | Delta::Copied | Delta::Renamed | Delta::Typechange
        );
        let (Some(path), blob) = (new.path_bytes(), new.id()) else {
            continue;
        };
        if !adds || blob.is_zero() || is_submodule(&new) {
            continue;
        }
        let key = (display_bytes(path), blob);
        let lines = file_lines(diff, idx, &odb, (delta.old_file().id(), blob), limits, out);
        match (lines, found.get_mut(&key)) {
            (None, _) => {}
            (Some(AddedLines::Lines(l)), Some(AddedLines::Lines(have))) => have.extend(l),
            (Some(_), Some(have)) => *have = AddedLines::All,
            (Some(l), None) => {
                found.insert(key, l);
            }
        }
    }
    Ok(found
        .into_iter()
        .map(|((path, blob), lines)| AddedBlob { path, blob, lines })
        .collect())
}

/// Whether a diff side is a submodule (gitlink, mode 160000).
///
/// `DiffFile::mode` panics on a mode outside git's five (a hostile tree can hold `100645`;
/// libgit2 passes it through), so the raw mode is read and compared instead.
fn is_submodule(file: &DiffFile<'_>) -> bool {
    const GITLINK: u32 = 0o160000;
    // SAFETY: `raw()` points at the `git_diff_file` owned by the diff that `file` borrows, so it
    // is valid for the lifetime of `file`; only a plain integer field is read.
    let mode = unsafe { (*file.raw()).mode };
    u32::from(mode) == GITLINK
}

/// The lines one file adds, checking both sides first: a new side that cannot be read gives
/// nothing (counted); one over the size limit, or an old side that cannot be compared, gives
/// `All` (the scan then counts the too-large blob, or reads the whole new one).
fn file_lines(
    diff: &Diff<'_>,
    idx: usize,
    odb: &git2::Odb<'_>,
    (old, new): (Oid, Oid),
    limits: DiffLimits,
    out: &mut DiffGaps,
) -> Option<AddedLines> {
    match odb.read_header(new) {
        Err(e) => {
            out.gaps.record(new, &e);
            return None;
        }
        Ok((size, _)) if size as u64 > limits.max_file_size => return Some(AddedLines::All),
        Ok(_) => {}
    }
    let old_comparable = old.is_zero()
        || match odb.read_header(old) {
            Ok((size, _)) => size as u64 <= limits.max_file_size,
            Err(e) => {
                out.gaps.record(old, &e);
                false
            }
        };
    let lines = if old_comparable {
        patch_lines(diff, idx, odb, old, out)
    } else {
        Some(AddedLines::All)
    };
    if lines == Some(AddedLines::All) {
        out.whole_files += 1;
    }
    lines
}

/// The `+` lines of one file's patch; `All` when the patch cannot be made (then an unreadable
/// old side is counted) or either side is binary; `None` when nothing is added.
fn patch_lines(
    diff: &Diff<'_>,
    idx: usize,
    odb: &git2::Odb<'_>,
    old: Oid,
    out: &mut DiffGaps,
) -> Option<AddedLines> {
    let patch = match Patch::from_diff(diff, idx) {
        // A side libgit2 takes for binary (a NUL anywhere in either version) gives a patch
        // without lines: the new version is read whole, so a file that was binary and now
        // holds text with a key is scanned (a binary new version is then skipped and counted).
        Ok(None) => return Some(AddedLines::All),
        Ok(Some(p)) if p.delta().flags().is_binary() => return Some(AddedLines::All),
        Ok(Some(p)) => p,
        Err(_) => {
            if !old.is_zero()
                && let Err(e) = odb.read(old)
            {
                out.gaps.record(old, &e);
            }
            return Some(AddedLines::All);
        }
    };
    let mut lines = BTreeSet::new();
    for h in 0..patch.num_hunks() {
        for l in 0..patch.num_lines_in_hunk(h).unwrap_or(0) {
            if let Ok(line) = patch.line_in_hunk(h, l)
                && line.origin() == '+'
                && let Some(n) = line.new_lineno()
            {
                lines.insert(n as usize);
            }
        }
    }
    (!lines.is_empty()).then_some(AddedLines::Lines(lines))
}

/// What `git commit` is about to record: the index against HEAD (an unborn HEAD diffs against
/// the empty tree). Only staged blobs are read. When HEAD's commit or trees cannot be read,
/// every staged file counts as wholly new.
pub fn staged(
    repo: &Repository,
    limits: DiffLimits,
    out: &mut DiffGaps,
) -> Result<Vec<AddedBlob>, git2::Error> {
    let head_tree = match repo.head() {
        Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => None,
        Err(e) => return Err(e),
        Ok(head) => readable_head_tree(repo, &head, &mut out.gaps),
    };
    let index = repo.index()?;
    let diff = match repo.diff_tree_to_index(head_tree.as_ref(), Some(&index), Some(&mut options()))
    {
        Ok(d) => d,
        Err(e) => {
            let Some(tree) = &head_tree else {
                return Err(e);
            };
            record_tree_gaps(repo, tree.id(), &mut out.gaps);
            repo.diff_tree_to_index(None, Some(&index), Some(&mut options()))?
        }
    };
    added_blobs(repo, &diff, limits, out)
}

fn readable_head_tree<'r>(
    repo: &'r Repository,
    head: &git2::Reference<'r>,
    gaps: &mut Gaps,
) -> Option<git2::Tree<'r>> {
    let target = head.resolve().ok()?.target()?;
    let commit = repo
        .find_commit(target)
        .map_err(|e| gaps.record(target, &e))
        .ok()?;
    repo.find_tree(commit.tree_id())
        .map_err(|e| gaps.record(commit.tree_id(), &e))
        .ok()
}

/// What one commit adds against its first parent (merge commits are skipped: their changes
/// arrive with the commits they merge). Never fails: what cannot be read is counted.
pub fn commit_added(
    repo: &Repository,
    commit: &CommitNode,
    limits: DiffLimits,
    out: &mut DiffGaps,
) -> Vec<AddedBlob> {
    if commit.parents.len() > 1 {
        return Vec::new();
    }
    let tree = match repo.find_tree(commit.tree) {
        Ok(t) => t,
        Err(e) => {
            out.gaps.record(commit.tree, &e);
            return Vec::new();
        }
    };
    let parent_tree = commit.parents.first().and_then(|&p| {
        let c = repo
            .find_commit(p)
            .map_err(|e| out.gaps.record(p, &e))
            .ok()?;
        let t = c.tree_id();
        repo.find_tree(t).map_err(|e| out.gaps.record(t, &e)).ok()
    });
    let diffed = repo
        .diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut options()))
        .and_then(|d| added_blobs(repo, &d, limits, out));
    match diffed {
        Ok(added) => added,
        Err(_) => {
            if let Some(parent) = &parent_tree {
                record_tree_gaps(repo, parent.id(), &mut out.gaps);
            }
            new_blobs(repo, &tree, parent_tree.as_ref(), out)
        }
    }
}

/// Every blob of `tree` that `parent` does not hold at the same path, wholly added; subtrees
/// the parent holds unchanged are skipped, unreadable ones counted.
fn new_blobs(
    repo: &Repository,
    tree: &git2::Tree<'_>,
    parent: Option<&git2::Tree<'_>>,
    out: &mut DiffGaps,
) -> Vec<AddedBlob> {
    let in_parent = |path: &[u8]| -> Option<Oid> {
        let p = as_path(path)?;
        parent?.get_path(&p).ok().map(|e| e.id())
    };
    let mut descended: HashMap<Oid, u32> = HashMap::new();
    let mut found = Vec::new();
    let mut stack: Vec<(Oid, Vec<u8>)> = vec![(tree.id(), Vec::new())];
    while let Some((id, prefix)) = stack.pop() {
        let t = match repo.find_tree(id) {
            Ok(t) => t,
            Err(e) => {
                out.gaps.record(id, &e);
                continue;
            }
        };
        for entry in t.iter() {
            let mut path = prefix.clone();
            if !path.is_empty() {
                path.push(b'/');
            }
            path.extend_from_slice(entry.name_bytes());
            if in_parent(&path) == Some(entry.id()) {
                continue;
            }
            match entry.kind() {
                Some(ObjectType::Blob) => {
                    out.whole_files += 1;
                    found.push(AddedBlob {
                        path: display_bytes(&path),
                        blob: entry.id(),
                        lines: AddedLines::All,
                    });
                }
                Some(ObjectType::Tree) => {
                    let n = descended.entry(entry.id()).or_default();
                    if *n < MAX_PATHS_PER_TREE {
                        *n += 1;
                        stack.push((entry.id(), path));
                    }
                }
                _ => {}
            }
        }
    }
    found
}

/// Count the unreadable trees under `root` (each tree read once).
fn record_tree_gaps(repo: &Repository, root: Oid, gaps: &mut Gaps) {
    let mut seen = HashSet::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        match repo.find_tree(id) {
            Ok(t) => stack.extend(
                t.iter()
                    .filter(|e| e.kind() == Some(ObjectType::Tree))
                    .map(|e| e.id()),
            ),
            Err(e) => gaps.record(id, &e),
        }
    }
}
