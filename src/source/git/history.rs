//! History enumeration: every commit reachable from the chosen refs, oldest first, and for
//! every unique blob the first commit in which it appears at each path.
//!
//! Tree traversal remembers every (tree id, path) pair it has descended and never descends one
//! twice, so unchanged subtrees cost one hash-set lookup per commit. Blob contents are not read
//! here: the pipeline reads each unique blob exactly once, in parallel.

use super::repo::Tip;
use git2::{ObjectType, Oid, Repository, Sort};
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
        let offset = chrono::FixedOffset::east_opt(self.offset_minutes * 60)?;
        let t = chrono::DateTime::from_timestamp(self.time, 0)?.with_timezone(&offset);
        Some(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    }
}

/// Where and when each unique blob first appeared.
#[derive(Debug, Default)]
pub struct HistoryIndex {
    /// Commits in commit-graph order, parents before children.
    pub commits: Vec<CommitMeta>,
    pub paths: Vec<String>,
    /// Blob id → (path index, index of the first commit holding the blob at that path).
    pub blobs: HashMap<Oid, Vec<(u32, u32)>>,
    pub submodules: u64,
    pub missing_objects: u64,
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
}

/// Build the index for every commit reachable from `tips`.
pub fn index_history(repo: &Repository, tips: &[Tip]) -> Result<HistoryIndex, git2::Error> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    for tip in tips {
        walk.push(tip.commit)?;
    }
    let mut index = HistoryIndex::default();
    let mut walker = TreeWalker::default();
    for oid in walk {
        let Ok(oid) = oid else {
            index.missing_objects += 1;
            continue;
        };
        let commit = match repo.find_commit(oid) {
            Ok(c) => c,
            Err(_) => {
                index.missing_objects += 1;
                continue;
            }
        };
        let commit_idx = index.commits.len() as u32;
        index.commits.push(CommitMeta::from_commit(&commit));
        index.position.insert(oid, commit_idx);
        let parents = commit
            .parent_ids()
            .filter_map(|p| index.position.get(&p).copied())
            .collect();
        index.parents.push(parents);
        walker.walk(repo, commit.tree_id(), commit_idx, &mut index);
    }
    Ok(index)
}

/// Range scans: the commits of `A..B` (reachable from B, not from A), oldest first.
pub fn range_commits(repo: &Repository, range: &str) -> Result<Vec<Oid>, git2::Error> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    walk.push_range(range)?;
    walk.collect()
}

#[derive(Default)]
struct TreeWalker {
    seen_trees: HashSet<(Oid, u32)>,
    path_ids: HashMap<String, u32>,
    seen_submodules: HashSet<u32>,
}

impl TreeWalker {
    fn intern(&mut self, index: &mut HistoryIndex, path: String) -> u32 {
        if let Some(&id) = self.path_ids.get(&path) {
            return id;
        }
        let id = index.paths.len() as u32;
        index.paths.push(path.clone());
        self.path_ids.insert(path, id);
        id
    }

    fn walk(&mut self, repo: &Repository, root: Oid, commit_idx: u32, index: &mut HistoryIndex) {
        let root_path = self.intern(index, String::new());
        if !self.seen_trees.insert((root, root_path)) {
            return;
        }
        let mut stack = vec![(root, String::new())];
        while let Some((tree_id, prefix)) = stack.pop() {
            let Ok(tree) = repo.find_tree(tree_id) else {
                index.missing_objects += 1;
                continue;
            };
            for entry in tree.iter() {
                let name = String::from_utf8_lossy(entry.name_bytes());
                let path = if prefix.is_empty() {
                    name.into_owned()
                } else {
                    format!("{prefix}/{name}")
                };
                match entry.kind() {
                    Some(ObjectType::Blob) => {
                        let path_id = self.intern(index, path);
                        let places = index.blobs.entry(entry.id()).or_default();
                        if !places.iter().any(|(p, _)| *p == path_id) {
                            places.push((path_id, commit_idx));
                        }
                    }
                    Some(ObjectType::Tree) => {
                        let path_id = self.intern(index, path.clone());
                        if self.seen_trees.insert((entry.id(), path_id)) {
                            stack.push((entry.id(), path));
                        }
                    }
                    Some(ObjectType::Commit) => {
                        let path_id = self.intern(index, path);
                        if self.seen_submodules.insert(path_id) {
                            index.submodules += 1;
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}
