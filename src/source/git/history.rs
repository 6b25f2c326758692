//! History enumeration: every commit reachable from the chosen refs, oldest first, and for
//! every unique blob the first commit in which it appears at each path.
//!
//! Commits are read one by one ([`super::walk`]), so a missing or corrupt object is counted
//! and walked around instead of ending the walk; when there are such holes, what lies behind
//! them is recovered from the object database ([`super::recover`]). Tree traversal
//! ([`super::tree`]) never descends one (tree id, path) pair twice, so unchanged subtrees cost
//! one hash-set lookup per commit. Blob contents are not read here: the pipeline reads each
//! unique blob exactly once, in parallel.

use super::gaps::Gaps;
use super::recover::{Recovered, Recovery};
use super::repo::RefList;
use super::tree::{PathTable, TreeWalker};
use super::walk::{CommitWalk, shallow_boundary};
use git2::{Oid, Repository};
use std::collections::{HashMap, HashSet};

/// The commit metadata attribution needs.
#[derive(Debug, Clone)]
pub struct CommitMeta {
    pub id: Oid,
    pub author_name: String,
    pub author_email: String,
    /// Author time: seconds since the epoch and offset in minutes.
    pub time: i64,
    pub offset_minutes: i32,
}

impl CommitMeta {
    pub fn from_commit(c: &git2::Commit<'_>) -> CommitMeta {
        let a = c.author();
        CommitMeta {
            id: c.id(),
            author_name: String::from_utf8_lossy(a.name_bytes()).into_owned(),
            author_email: String::from_utf8_lossy(a.email_bytes()).into_owned(),
            time: a.when().seconds(),
            offset_minutes: a.when().offset_minutes(),
        }
    }

    /// Author time as RFC 3339 in the author's own offset.
    pub fn rfc3339(&self) -> Option<String> {
        let offset = chrono::FixedOffset::east_opt(self.offset_minutes.checked_mul(60)?)?;
        let t = chrono::DateTime::from_timestamp(self.time, 0)?.with_timezone(&offset);
        Some(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    }
}

/// The commit index of a blob place found only in a tree no readable commit holds.
pub const NO_COMMIT: u32 = u32::MAX;

/// Where and when each unique blob first appeared.
#[derive(Debug, Default)]
pub struct HistoryIndex {
    /// Commits in commit-graph order, parents before children.
    pub commits: Vec<CommitMeta>,
    pub paths: PathTable,
    /// Blob id → (path id, index of the first commit holding the blob at that path, or
    /// [`NO_COMMIT`]).
    pub blobs: HashMap<Oid, Vec<(u32, u32)>>,
    pub submodules: u64,
    /// Commits, trees and refs that could not be read.
    pub gaps: Gaps,
    /// Commits of a shallow clone's boundary (their parents are not in the clone).
    pub shallow_boundary: u64,
    /// What was found only by listing the object database.
    pub recovered: Recovered,
    /// Tree objects met at more paths than are listed.
    pub capped_trees: u64,
    /// Objects were unreadable, but the object database was not listed to recover what lies
    /// behind them (it holds another repository's objects too).
    pub recovery_skipped: bool,
    /// Parents of each commit (indices into `commits`; parents outside the walk are left out).
    pub parents: Vec<Vec<u32>>,
    /// Commit id → index into `commits`.
    pub position: HashMap<Oid, u32>,
}

impl HistoryIndex {
    /// Unique blob ids in a deterministic work order that keeps the versions of one file next to
    /// each other (by first path, then first commit): consecutive reads then resolve deltas
    /// against bases that are still in libgit2's delta-base cache.
    pub fn blob_ids(&self) -> Vec<Oid> {
        let mut ids: Vec<(u32, u32, Oid)> = self
            .blobs
            .iter()
            .map(|(oid, places)| (places[0].0, places[0].1, *oid))
            .collect();
        ids.sort();
        ids.into_iter().map(|(_, _, oid)| oid).collect()
    }

    /// A path at which `blob` appears, as text ("" when unknown).
    pub fn first_path(&self, blob: Oid) -> String {
        self.blobs
            .get(&blob)
            .and_then(|p| p.first())
            .map(|(p, _)| self.paths.display(*p))
            .unwrap_or_default()
    }
}

/// Build the index for every commit reachable from the refs (and, when objects are missing or
/// corrupt, for what the object database still holds behind them).
pub fn index_history(repo: &Repository, refs: &RefList) -> HistoryIndex {
    let mut gaps = Gaps::default();
    gaps.unreadable_refs = refs.unreadable;
    let seeds = refs
        .tips
        .iter()
        .map(|t| t.commit)
        .chain(refs.broken.iter().map(|b| b.target));
    let mut walk = CommitWalk::new();
    walk.visit(repo, seeds, &HashSet::new(), &mut gaps);
    // Objects borrowed from another repository (alternates) are not this one's history: the
    // object database is only listed when it is the repository's own.
    let borrowed = super::recover::has_alternates(repo);
    let mut tried = false;
    let mut recovery = None;
    if gaps.total() > 0 && !borrowed {
        tried = true;
        recovery = Recovery::start(repo, &refs.excluded, &mut walk, &mut gaps);
    }
    let (mut index, mut walker) = build(repo, &walk, &mut gaps);
    if !tried && gaps.total() > 0 && !borrowed {
        // Only trees were unreadable: unreferenced commits may still hold what they held.
        recovery = Recovery::start(repo, &refs.excluded, &mut walk, &mut gaps);
        if recovery.as_ref().is_some_and(|r| r.recovered.commits > 0) {
            (index, walker) = build(repo, &walk, &mut gaps);
        }
    }
    index.recovery_skipped = borrowed && gaps.total() > 0;
    if let Some(r) = recovery.as_mut() {
        r.orphans(repo, &mut walker, &mut index, &mut gaps);
        index.recovered = r.recovered;
    }
    index.capped_trees = walker.capped_trees;
    index.gaps = gaps;
    index
}

/// Index the commits of `walk` in order and walk their trees.
fn build(repo: &Repository, walk: &CommitWalk, gaps: &mut Gaps) -> (HistoryIndex, TreeWalker) {
    let boundary = shallow_boundary(repo);
    let mut index = HistoryIndex::default();
    let mut walker = TreeWalker::default();
    for node in walk.topological() {
        let commit_idx = index.commits.len() as u32;
        if boundary.contains(&node.meta.id) {
            index.shallow_boundary += 1;
        }
        index.position.insert(node.meta.id, commit_idx);
        let parents = node
            .parents
            .iter()
            .filter_map(|p| index.position.get(p).copied())
            .collect();
        index.parents.push(parents);
        index.commits.push(node.meta.clone());
        walker.walk(repo, node.tree, commit_idx, &mut index, gaps);
    }
    (index, walker)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absurd_author_offsets_give_no_time_rather_than_a_panic() {
        let meta = |offset_minutes| CommitMeta {
            id: Oid::ZERO_SHA1,
            author_name: String::new(),
            author_email: String::new(),
            time: 0,
            offset_minutes,
        };
        assert_eq!(meta(0).rfc3339().as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(meta(i32::MAX).rfc3339(), None);
        assert_eq!(meta(i32::MIN).rfc3339(), None);
    }
}
