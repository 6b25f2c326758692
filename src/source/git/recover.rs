//! Walking around holes in history. When a commit or tree cannot be read, what lies behind it
//! is unreachable from the refs, yet usually still in the object database: the parents of a
//! missing commit, the tree of a corrupt one. Only then (a complete history never pays for it)
//! the object database is listed and
//! - commits that no walk reached are walked too (their ancestry with them),
//! - trees that no commit reached are walked from their roots (paths known, commit unknown),
//! - blobs that no tree reached are scanned without a path.
//!
//! Unreferenced objects (an amended commit, a blob staged and then changed) are found the same
//! way: the object database cannot tell them from what sits behind a hole, and a secret in
//! either is in the repository. Objects reachable only from refs left out by `--branch` are
//! not taken.

use super::gaps::Gaps;
use super::history::{HistoryIndex, NO_COMMIT};
use super::tree::{PathTable, TreeWalker};
use super::walk::CommitWalk;
use git2::{ObjectType, Oid, Repository};
use std::collections::HashSet;

/// Path shown for a blob found in no tree.
pub const ORPHAN_BLOB_PATH: &str = "(orphan blob)";

/// Readable objects of the object database, by type.
#[derive(Debug, Default)]
struct Inventory {
    commits: Vec<Oid>,
    trees: Vec<Oid>,
    blobs: Vec<Oid>,
}

fn inventory(repo: &Repository) -> Option<Inventory> {
    let odb = repo.odb().ok()?;
    let mut all = Vec::new();
    // A damaged pack index can stop the listing part-way: keep what it gave.
    let _ = odb.foreach(|oid| {
        all.push(*oid);
        true
    });
    all.sort();
    all.dedup();
    let mut inv = Inventory::default();
    for oid in all {
        match odb.read_header(oid) {
            Ok((_, ObjectType::Commit)) => inv.commits.push(oid),
            Ok((_, ObjectType::Tree)) => inv.trees.push(oid),
            Ok((_, ObjectType::Blob)) => inv.blobs.push(oid),
            _ => {}
        }
    }
    Some(inv)
}

/// What recovery added, for the coverage note.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Recovered {
    pub commits: u64,
    pub trees: u64,
    pub blobs: u64,
}

/// Recovery in progress: the inventory, and what belongs only to refs left out.
pub struct Recovery {
    inventory: Inventory,
    hidden: HashSet<Oid>,
    pub recovered: Recovered,
}

impl Recovery {
    /// List the object database and walk every commit no walk has reached yet. `excluded` are
    /// the commits of refs left out by `--branch`.
    pub fn start(
        repo: &Repository,
        excluded: &[Oid],
        walk: &mut CommitWalk,
        gaps: &mut Gaps,
    ) -> Option<Recovery> {
        let inventory = inventory(repo)?;
        let hidden = hidden_objects(repo, excluded, walk);
        let before = walk.len();
        let unreached: Vec<Oid> = inventory
            .commits
            .iter()
            .copied()
            .filter(|c| !walk.has_seen(*c) && !hidden.contains(c))
            .collect();
        walk.visit(repo, unreached, &hidden, gaps);
        let commits = (walk.len() - before) as u64;
        Some(Recovery {
            inventory,
            hidden,
            recovered: Recovered {
                commits,
                ..Recovered::default()
            },
        })
    }

    /// After every commit's tree was walked: walk the trees no commit reached, from their
    /// roots, and add the blobs no tree reached.
    pub fn orphans(
        &mut self,
        repo: &Repository,
        walker: &mut TreeWalker,
        index: &mut HistoryIndex,
        gaps: &mut Gaps,
    ) {
        let trees: Vec<Oid> = self
            .inventory
            .trees
            .iter()
            .copied()
            .filter(|t| !walker.visited(*t) && !self.hidden.contains(t))
            .collect();
        for root in root_trees(repo, &trees) {
            walker.walk(repo, root, NO_COMMIT, index, gaps);
            self.recovered.trees += 1;
        }
        let path = index
            .paths
            .child(PathTable::ROOT, ORPHAN_BLOB_PATH.as_bytes());
        for &blob in &self.inventory.blobs {
            if !index.blobs.contains_key(&blob) && !self.hidden.contains(&blob) {
                index.blobs.insert(blob, vec![(path, NO_COMMIT)]);
                self.recovered.blobs += 1;
            }
        }
    }
}

/// Whether the repository reads objects from other object directories (`objects/info/
/// alternates`, as `git clone --shared` or `--reference` set up).
pub fn has_alternates(repo: &Repository) -> bool {
    let file = repo.commondir().join("objects/info/alternates");
    std::fs::read(file).is_ok_and(|b| b.iter().any(|c| !c.is_ascii_whitespace()))
}

/// The trees among `candidates` that no other candidate holds as a subtree.
fn root_trees(repo: &Repository, candidates: &[Oid]) -> Vec<Oid> {
    let mut inner = HashSet::new();
    for &t in candidates {
        if let Ok(tree) = repo.find_tree(t) {
            inner.extend(
                tree.iter()
                    .filter(|e| e.kind() == Some(ObjectType::Tree))
                    .map(|e| e.id()),
            );
        }
    }
    candidates
        .iter()
        .copied()
        .filter(|t| !inner.contains(t))
        .collect()
}

/// Commits, trees and blobs reachable from `excluded` but not reached by `walk`.
fn hidden_objects(repo: &Repository, excluded: &[Oid], walk: &CommitWalk) -> HashSet<Oid> {
    if excluded.is_empty() {
        return HashSet::new();
    }
    let mut other = CommitWalk::new();
    other.visit(
        repo,
        excluded.iter().copied(),
        &HashSet::new(),
        &mut Gaps::default(),
    );
    let mut hidden = HashSet::new();
    let mut trees = Vec::new();
    for c in other.topological() {
        if !walk.has_seen(c.meta.id) {
            hidden.insert(c.meta.id);
            trees.push(c.tree);
        }
    }
    while let Some(t) = trees.pop() {
        if !hidden.insert(t) {
            continue;
        }
        let Ok(tree) = repo.find_tree(t) else {
            continue;
        };
        for e in tree.iter() {
            match e.kind() {
                Some(ObjectType::Tree) => trees.push(e.id()),
                Some(ObjectType::Blob) => {
                    hidden.insert(e.id());
                }
                _ => {}
            }
        }
    }
    hidden
}
