//! Commit enumeration that survives missing and corrupt objects.
//!
//! libgit2's revwalk stops at the first commit it cannot parse, and with topological sorting
//! that means no commit at all: one bad object anywhere made a history scan read nothing.
//! Here every commit is read on its own; one that cannot be read is counted in [`Gaps`] and
//! the walk goes on from every other seed. Ordering is a separate step (parents before
//! children, then oldest first), done once the set of commits is known.
//!
//! Shallow clones need nothing special: libgit2 grafts the boundary commits listed in
//! `.git/shallow` to have no parents, so nothing behind the boundary is ever asked for.

use super::gaps::Gaps;
use super::history::CommitMeta;
use git2::{Oid, Repository};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

/// One readable commit: what attribution and tree walking need.
#[derive(Debug, Clone)]
pub struct CommitNode {
    pub meta: CommitMeta,
    pub tree: Oid,
    pub parents: Vec<Oid>,
    /// Committer time, for a stable oldest-first order among unrelated commits.
    committed: i64,
}

/// Commits visited so far (read or not).
#[derive(Debug, Default)]
pub struct CommitWalk {
    nodes: Vec<CommitNode>,
    seen: HashSet<Oid>,
    keep: bool,
}

impl CommitWalk {
    /// A walk that keeps every commit it reads.
    pub fn new() -> CommitWalk {
        CommitWalk {
            keep: true,
            ..CommitWalk::default()
        }
    }

    /// A walk that only records which commits it reached (for the hidden side of a range).
    pub fn marking() -> CommitWalk {
        CommitWalk::default()
    }

    /// Read every commit reachable from `seeds` and not in `stop`, counting the ones that
    /// cannot be read. Iterative: history depth never grows the call stack.
    pub fn visit(
        &mut self,
        repo: &Repository,
        seeds: impl IntoIterator<Item = Oid>,
        stop: &HashSet<Oid>,
        gaps: &mut Gaps,
    ) {
        let mut stack: Vec<Oid> = seeds.into_iter().collect();
        while let Some(oid) = stack.pop() {
            if stop.contains(&oid) {
                continue;
            }
            if let Some(parents) = self.read(repo, oid, gaps) {
                stack.extend(parents.into_iter().filter(|p| !self.seen.contains(p)));
            }
        }
    }

    /// Read the one commit `oid` (not its ancestry) unless it was reached before; returns its
    /// parents when it was read now.
    pub fn read(&mut self, repo: &Repository, oid: Oid, gaps: &mut Gaps) -> Option<Vec<Oid>> {
        if !self.seen.insert(oid) {
            return None;
        }
        let commit = match repo.find_commit(oid) {
            Ok(c) => c,
            Err(e) => {
                gaps.record(oid, &e);
                return None;
            }
        };
        let parents: Vec<Oid> = commit.parent_ids().collect();
        if self.keep {
            self.nodes.push(CommitNode {
                meta: CommitMeta::from_commit(&commit),
                tree: commit.tree_id(),
                parents: parents.clone(),
                committed: commit.time().seconds(),
            });
        }
        Some(parents)
    }

    /// Whether `oid` was reached (read or counted as unreadable).
    pub fn has_seen(&self, oid: Oid) -> bool {
        self.seen.contains(&oid)
    }

    /// Commits read so far.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether no commit was read.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Every id reached, read or not.
    pub fn into_seen(self) -> HashSet<Oid> {
        self.seen
    }

    /// The commits read, parents before children and otherwise oldest first (by committer
    /// time, then id). A cycle cannot come from real objects; if forged ones made one, its
    /// commits are appended at the end rather than dropped.
    pub fn topological(&self) -> Vec<&CommitNode> {
        let n = self.nodes.len();
        let position: HashMap<Oid, usize> = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.meta.id, i))
            .collect();
        let mut pending = vec![0usize; n];
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, c) in self.nodes.iter().enumerate() {
            for p in &c.parents {
                if let Some(&j) = position.get(p) {
                    pending[i] += 1;
                    children[j].push(i);
                }
            }
        }
        let key = |i: usize| Reverse((self.nodes[i].committed, self.nodes[i].meta.id, i));
        let mut ready: BinaryHeap<_> = (0..n).filter(|&i| pending[i] == 0).map(key).collect();
        let mut order = Vec::with_capacity(n);
        let mut placed = vec![false; n];
        while let Some(Reverse((_, _, i))) = ready.pop() {
            order.push(i);
            placed[i] = true;
            for &c in &children[i] {
                pending[c] -= 1;
                if pending[c] == 0 {
                    ready.push(key(c));
                }
            }
        }
        if order.len() < n {
            let mut rest: Vec<usize> = (0..n).filter(|&i| !placed[i]).collect();
            rest.sort_by_key(|&i| (self.nodes[i].committed, self.nodes[i].meta.id));
            order.extend(rest);
        }
        order.into_iter().map(|i| &self.nodes[i]).collect()
    }
}

/// Commits listed in `.git/shallow` (the boundary of a shallow clone).
pub fn shallow_boundary(repo: &Repository) -> HashSet<Oid> {
    let Ok(text) = std::fs::read_to_string(repo.path().join("shallow")) else {
        return HashSet::new();
    };
    text.lines()
        .filter_map(|l| Oid::from_str(l.trim()).ok())
        .collect()
}

/// Range scans: the commits of `A..B` (reachable from B, not from A), oldest first, with the
/// objects that could not be read. libgit2's revwalk runs first (it stops early once the
/// hidden side is settled); only when it fails on a bad object are both sides walked here.
pub fn range(repo: &Repository, from: Oid, to: Oid, gaps: &mut Gaps) -> Vec<CommitNode> {
    if let Ok(ids) = revwalk_range(repo, from, to) {
        let mut walk = CommitWalk::new();
        for id in ids {
            walk.read(repo, id, gaps);
        }
        return walk.topological().into_iter().cloned().collect();
    }
    let mut hidden = CommitWalk::marking();
    hidden.visit(repo, [from], &HashSet::new(), gaps);
    let hidden = hidden.into_seen();
    let mut walk = CommitWalk::new();
    walk.visit(repo, [to], &hidden, gaps);
    walk.topological().into_iter().cloned().collect()
}

fn revwalk_range(repo: &Repository, from: Oid, to: Oid) -> Result<Vec<Oid>, git2::Error> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)?;
    walk.push(to)?;
    walk.hide(from)?;
    walk.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: u8, parents: &[u8], committed: i64) -> CommitNode {
        let oid = |b: u8| Oid::from_bytes(&[b; 20]).unwrap();
        CommitNode {
            meta: CommitMeta {
                id: oid(id),
                author_name: String::new(),
                author_email: String::new(),
                time: committed,
                offset_minutes: 0,
            },
            tree: Oid::ZERO_SHA1,
            parents: parents.iter().map(|&p| oid(p)).collect(),
            committed,
        }
    }

    fn order(nodes: Vec<CommitNode>) -> Vec<u8> {
        let walk = CommitWalk {
            nodes,
            seen: HashSet::new(),
            keep: true,
        };
        walk.topological()
            .iter()
            .map(|c| c.meta.id.as_bytes()[0])
            .collect()
    }

    #[test]
    fn parents_come_first_even_with_skewed_clocks() {
        // 3 is a child of 2 but claims to be older than everything.
        let nodes = vec![node(3, &[2], 1), node(1, &[], 10), node(2, &[1, 9], 20)];
        assert_eq!(order(nodes), vec![1, 2, 3]);
    }

    #[test]
    fn unrelated_commits_are_oldest_first_and_a_forged_cycle_is_kept() {
        assert_eq!(order(vec![node(2, &[], 5), node(1, &[], 7)]), vec![2, 1]);
        let cycle = vec![node(1, &[2], 1), node(2, &[1], 2), node(3, &[], 3)];
        assert_eq!(order(cycle), vec![3, 1, 2]);
    }
}
