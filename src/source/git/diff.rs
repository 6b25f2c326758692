//! Added lines of a diff: the staged change (index against HEAD) and each commit of a range
//! (against its first parent). Only what a change adds can be introduced by it.

use git2::{Delta, Diff, DiffOptions, Oid, Repository};
use std::collections::{BTreeMap, BTreeSet};

/// A blob on the new side of a diff, at a path, with the 1-based line numbers the diff adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedBlob {
    pub path: String,
    pub blob: Oid,
    pub lines: BTreeSet<usize>,
}

fn options() -> DiffOptions {
    let mut opts = DiffOptions::new();
    opts.context_lines(0)
        .ignore_submodules(true)
        .include_typechange(true);
    opts
}

/// Collect added lines per new-side blob.
pub fn added_blobs(diff: &Diff<'_>) -> Result<Vec<AddedBlob>, git2::Error> {
    let mut found: BTreeMap<(String, Oid), BTreeSet<usize>> = BTreeMap::new();
    diff.foreach(
        &mut |_, _| true,
        None,
        None,
        Some(&mut |delta, _hunk, line| {
            if line.origin() == '+'
                && matches!(
                    delta.status(),
                    Delta::Added
                        | Delta::Modified
                        | Delta::Copied
                        | Delta::Renamed
                        | Delta::Typechange
                )
                && let (Some(path), Some(n)) = (delta.new_file().path(), line.new_lineno())
            {
                let key = (
                    path.to_string_lossy().replace('\\', "/"),
                    delta.new_file().id(),
                );
                found.entry(key).or_default().insert(n as usize);
            }
            true
        }),
    )?;
    Ok(found
        .into_iter()
        .map(|((path, blob), lines)| AddedBlob { path, blob, lines })
        .collect())
}

/// What `git commit` is about to record: the index against HEAD (an unborn HEAD diffs against
/// the empty tree). Only staged blobs are read.
pub fn staged(repo: &Repository) -> Result<Vec<AddedBlob>, git2::Error> {
    let head_tree = repo.head().ok().and_then(|h| h.peel_to_tree().ok());
    let index = repo.index()?;
    let diff = repo.diff_tree_to_index(head_tree.as_ref(), Some(&index), Some(&mut options()))?;
    added_blobs(&diff)
}

/// What one commit adds against its first parent (merge commits are skipped: their changes
/// arrive with the commits they merge).
pub fn commit_added(repo: &Repository, commit: Oid) -> Result<Vec<AddedBlob>, git2::Error> {
    let commit = repo.find_commit(commit)?;
    if commit.parent_count() > 1 {
        return Ok(Vec::new());
    }
    let tree = commit.tree()?;
    let parent_tree = commit.parent(0).ok().and_then(|p| p.tree().ok());
    let diff = repo.diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut options()))?;
    added_blobs(&diff)
}
