//! Tree traversal for history: every (blob, path) pair, each tree descended once per path.
//!
//! Paths are interned as a trie of raw name bytes, (parent path, last name): distinct byte
//! names stay distinct even when they are not UTF-8, and memory grows with the number of
//! names rather than with depth × paths (a hostile repository can nest trees thousands deep).
//!
//! A tree can appear at many paths; one that nests two copies of the next one at each level
//! (a "tree bomb") has 2^depth paths. Each tree object is therefore descended at no more than
//! [`MAX_PATHS_PER_TREE`] distinct paths: its blobs are still all recorded (at its first
//! paths), only further copies of the same subtree are not listed, and those are counted.

use super::gaps::Gaps;
use super::history::HistoryIndex;
use git2::{ObjectType, Oid, Repository};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

/// Distinct paths at which one tree object is descended.
pub const MAX_PATHS_PER_TREE: u32 = 1024;

/// Interned paths: id 0 is the root (""), every other id is a name under a parent id.
#[derive(Debug)]
pub struct PathTable {
    nodes: Vec<(u32, Box<[u8]>)>,
    ids: HashMap<(u32, Box<[u8]>), u32>,
}

impl Default for PathTable {
    fn default() -> Self {
        PathTable {
            nodes: vec![(0, Box::default())],
            ids: HashMap::new(),
        }
    }
}

impl PathTable {
    /// The root path, "".
    pub const ROOT: u32 = 0;

    /// The id of `name` under `parent`.
    pub fn child(&mut self, parent: u32, name: &[u8]) -> u32 {
        if let Some(&id) = self.ids.get(&(parent, Box::from(name))) {
            return id;
        }
        let id = self.nodes.len() as u32;
        self.nodes.push((parent, Box::from(name)));
        self.ids.insert((parent, Box::from(name)), id);
        id
    }

    /// The path's raw bytes, components joined by `/`.
    pub fn bytes(&self, id: u32) -> Vec<u8> {
        let mut parts = Vec::new();
        let mut cur = id as usize;
        while cur != 0 {
            let Some((parent, name)) = self.nodes.get(cur) else {
                break;
            };
            parts.push(&name[..]);
            cur = *parent as usize;
        }
        parts.reverse();
        parts.join(&b'/')
    }

    /// The path as text, invalid UTF-8 bytes escaped (see [`super::text::display_bytes`]).
    pub fn display(&self, id: u32) -> String {
        super::text::display_bytes(&self.bytes(id))
    }

    /// Number of interned paths (the root included).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether only the root is interned.
    pub fn is_empty(&self) -> bool {
        self.nodes.len() <= 1
    }
}

/// A path from raw bytes, for tree look-ups (`Tree::get_path`).
pub fn as_path(bytes: &[u8]) -> Option<PathBuf> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Some(PathBuf::from(std::ffi::OsStr::from_bytes(bytes)))
    }
    #[cfg(not(unix))]
    {
        std::str::from_utf8(bytes).ok().map(PathBuf::from)
    }
}

/// Walks commit trees into a [`HistoryIndex`], remembering what it has descended.
#[derive(Default)]
pub struct TreeWalker {
    seen: HashSet<(Oid, u32)>,
    paths_per_tree: HashMap<Oid, u32>,
    blob_places: HashSet<(Oid, u32)>,
    seen_submodules: HashSet<u32>,
    /// Tree objects met at more than [`MAX_PATHS_PER_TREE`] paths.
    pub capped_trees: u64,
}

impl TreeWalker {
    /// Whether any path of `tree` was descended.
    pub fn visited(&self, tree: Oid) -> bool {
        self.paths_per_tree.contains_key(&tree)
    }

    fn descend(&mut self, tree: Oid, path: u32) -> bool {
        if !self.seen.insert((tree, path)) {
            return false;
        }
        let n = self.paths_per_tree.entry(tree).or_default();
        if *n >= MAX_PATHS_PER_TREE {
            if *n == MAX_PATHS_PER_TREE {
                self.capped_trees += 1;
                *n += 1;
            }
            return false;
        }
        *n += 1;
        true
    }

    /// Record every blob under `root` (a commit's tree) as first seen in `commit_idx`.
    pub fn walk(
        &mut self,
        repo: &Repository,
        root: Oid,
        commit_idx: u32,
        index: &mut HistoryIndex,
        gaps: &mut Gaps,
    ) {
        if !self.descend(root, PathTable::ROOT) {
            return;
        }
        let mut stack = vec![(root, PathTable::ROOT)];
        while let Some((tree_id, prefix)) = stack.pop() {
            let tree = match repo.find_tree(tree_id) {
                Ok(t) => t,
                Err(e) => {
                    gaps.record(tree_id, &e);
                    continue;
                }
            };
            for entry in tree.iter() {
                let path = index.paths.child(prefix, entry.name_bytes());
                let id = entry.id();
                // Each guard records the place and says whether it is new.
                match entry.kind() {
                    Some(ObjectType::Blob) if self.blob_places.insert((id, path)) => {
                        index.blobs.entry(id).or_default().push((path, commit_idx));
                    }
                    Some(ObjectType::Tree) if self.descend(id, path) => stack.push((id, path)),
                    Some(ObjectType::Commit) if self.seen_submodules.insert(path) => {
                        index.submodules += 1;
                    }
                    _ => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_keep_raw_bytes_apart() {
        let mut t = PathTable::default();
        let dir = t.child(PathTable::ROOT, b"dir");
        let a = t.child(dir, b"a\xff.env");
        let b = t.child(dir, b"a\xfe.env");
        assert_ne!(a, b);
        assert_eq!(t.child(dir, b"a\xff.env"), a);
        assert_eq!(t.bytes(a), b"dir/a\xff.env");
        assert_ne!(t.display(a), t.display(b));
        assert_eq!(t.display(PathTable::ROOT), "");
    }

    #[test]
    fn deep_paths_cost_one_node_per_level() {
        let mut t = PathTable::default();
        let mut id = PathTable::ROOT;
        for _ in 0..10_000 {
            id = t.child(id, b"d");
        }
        assert_eq!(t.len(), 10_001);
        assert_eq!(t.bytes(id).len(), 2 * 10_000 - 1);
    }

    #[test]
    fn a_tree_is_descended_at_a_bounded_number_of_paths() {
        let mut w = TreeWalker::default();
        let tree = Oid::from_bytes(&[7; 20]).unwrap();
        let taken = (0..MAX_PATHS_PER_TREE + 10)
            .filter(|&p| w.descend(tree, p))
            .count();
        assert_eq!(taken as u32, MAX_PATHS_PER_TREE);
        assert_eq!(w.capped_trees, 1);
        assert!(!w.descend(tree, 0), "same path twice");
    }
}
