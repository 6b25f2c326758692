//! Attribution of history findings: each blob was scanned once; here every finding is mapped
//! back to every path that blob appeared at, and for each (secret, path) the earliest
//! introducing commit wins. Then: the refs that reach that commit, whether HEAD still holds the
//! secret at that path, and which HEAD-line commit removed it.

use super::history::{CommitMeta, HistoryIndex};
use super::repo::{Tip, short_name};
use super::tree::as_path;
use crate::finding::{Finding, SourceKind};
use git2::{Oid, Repository};
use std::collections::{HashMap, HashSet};

/// Most refs listed per finding (a repository can have thousands of tags): the most relevant
/// ones ([`super::ref_rank`]); `refs_omitted` counts the rest.
pub const MAX_REFS_PER_FINDING: usize = 20;
/// Findings absent from HEAD for which the removing commit is searched.
const MAX_REMOVAL_SEARCHES: usize = 200;

/// Expand per-blob findings to per-(secret, path) findings with commit attribution.
pub fn attribute(
    repo: &Repository,
    index: &HistoryIndex,
    tips: &[Tip],
    scanned: Vec<(Oid, Vec<Finding>)>,
) -> Vec<Finding> {
    let mut blobs_with_secret: HashMap<(String, String), HashSet<Oid>> = HashMap::new();
    let mut best: HashMap<(String, String, u32), (u32, Finding)> = HashMap::new();
    for (blob, findings) in scanned {
        let places = index.blobs.get(&blob).map(Vec::as_slice).unwrap_or(&[]);
        for f in findings {
            blobs_with_secret
                .entry((f.rule_id.clone(), f.props.secret_sha256.clone()))
                .or_default()
                .insert(blob);
            for &(path_id, commit_idx) in places {
                let key = (f.rule_id.clone(), f.props.secret_sha256.clone(), path_id);
                let earlier = best.get(&key).is_none_or(|(c, _)| commit_idx < *c);
                if earlier {
                    let mut g = f.clone();
                    g.location.path = index.paths.display(path_id);
                    g.props.blob_id = Some(blob.to_string());
                    best.insert(key, (commit_idx, g));
                }
            }
        }
    }
    let head = HeadState::new(repo);
    let reach = Reachability::new(index, &super::ref_rank::by_relevance(repo, tips));
    let mut removal_budget = MAX_REMOVAL_SEARCHES;
    let mut out = Vec::with_capacity(best.len());
    // The removal search has a budget: spend it in a fixed order, most severe first, so that
    // two runs (a scan and a sweep of the same history) name the same removing commits.
    let mut best: Vec<_> = best.into_iter().collect();
    best.sort_by(
        |((rule_a, sha_a, _), (_, a)), ((rule_b, sha_b, _), (_, b))| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.location.path.cmp(&b.location.path))
                .then_with(|| rule_a.cmp(rule_b))
                .then_with(|| sha_a.cmp(sha_b))
        },
    );
    for ((rule, sha, path_id), (commit_idx, mut f)) in best {
        f.props.source = SourceKind::GitHistory;
        // A place found only in a tree no readable commit holds has no commit to name.
        let meta = index.commits.get(commit_idx as usize);
        if let Some(meta) = meta {
            fill_commit(&mut f, meta);
            set_refs(&mut f, reach.refs_reaching(commit_idx));
        }
        let holders = &blobs_with_secret[&(rule, sha)];
        if let Some(head) = &head {
            let path = index.paths.bytes(path_id);
            let present = head.blob_at(&path).is_some_and(|b| holders.contains(&b));
            f.props.in_head = Some(present);
            if !present
                && removal_budget > 0
                && let Some(meta) = meta
            {
                removal_budget -= 1;
                f.props.removed_in = head
                    .removed_in(repo, &path, meta.id, holders)
                    .map(|o| o.to_string());
            }
        }
        out.push(f);
    }
    out
}

/// Set commit, author and time properties from a commit.
pub fn fill_commit(f: &mut Finding, meta: &CommitMeta) {
    f.props.commit = Some(meta.id.to_string());
    f.props.author_name = Some(meta.author_name.clone());
    f.props.author_email = Some(meta.author_email.clone());
    f.props.committed_at = meta.rfc3339();
}

/// Set `refs` to the first [`MAX_REFS_PER_FINDING`] of `reaching` (most relevant first) and
/// `refs_omitted` to how many more there are.
fn set_refs(f: &mut Finding, mut reaching: Vec<String>) {
    let omitted = reaching.len().saturating_sub(MAX_REFS_PER_FINDING);
    reaching.truncate(MAX_REFS_PER_FINDING);
    f.props.refs = reaching;
    f.props.refs_omitted = omitted;
}

/// Set the refs whose history contains `commit` on `f`: short names, most relevant first,
/// at most [`MAX_REFS_PER_FINDING`], with the count of the others.
pub fn fill_refs(f: &mut Finding, repo: &Repository, tips: &[Tip], commit: Oid) {
    set_refs(f, reaching_refs(repo, tips, commit));
}

/// Short names of every ref whose history contains `commit`, most relevant first.
pub fn reaching_refs(repo: &Repository, tips: &[Tip], commit: Oid) -> Vec<String> {
    let reaching = tips.iter().filter(|t| {
        t.commit == commit || repo.graph_descendant_of(t.commit, commit).unwrap_or(false)
    });
    super::ref_rank::by_relevance(repo, reaching)
        .into_iter()
        .map(|t| short_name(&t.name).to_string())
        .collect()
}

/// Memory allowed for the reachability bitsets (commits × tips bits).
const MAX_REACH_BYTES: usize = 256 << 20;

/// Which tips reach which commit, computed once for the whole history: one bitset per commit,
/// propagated from children to parents in reverse commit-graph order.
struct Reachability {
    names: Vec<String>,
    bits: Vec<Vec<u64>>,
}

impl Reachability {
    /// `ordered`: the tips, most relevant first. Past the memory budget, the least relevant
    /// tips are not tracked (and so neither listed nor counted).
    fn new(index: &HistoryIndex, ordered: &[&Tip]) -> Reachability {
        let mut ordered = ordered.to_vec();
        let per_commit_budget = MAX_REACH_BYTES / index.commits.len().max(1);
        ordered.truncate((per_commit_budget * 8).max(64));
        let words = ordered.len().div_ceil(64).max(1);
        let mut bits = vec![vec![0u64; words]; index.commits.len()];
        for (i, tip) in ordered.iter().enumerate() {
            if let Some(&c) = index.position.get(&tip.commit) {
                bits[c as usize][i / 64] |= 1 << (i % 64);
            }
        }
        for c in (0..index.commits.len()).rev() {
            let mine = bits[c].clone();
            for &p in &index.parents[c] {
                for (w, m) in bits[p as usize].iter_mut().zip(&mine) {
                    *w |= m;
                }
            }
        }
        Reachability {
            names: ordered
                .iter()
                .map(|t| short_name(&t.name).to_string())
                .collect(),
            bits,
        }
    }

    /// Every tracked ref that reaches `commit`, most relevant first.
    fn refs_reaching(&self, commit: u32) -> Vec<String> {
        let Some(row) = self.bits.get(commit as usize) else {
            return Vec::new();
        };
        (0..self.names.len())
            .filter(|i| row[i / 64] & (1 << (i % 64)) != 0)
            .map(|i| self.names[i].clone())
            .collect()
    }
}

/// HEAD's tree and its first-parent line, oldest first.
struct HeadState<'r> {
    tree: git2::Tree<'r>,
    line: Vec<Oid>,
    position: HashMap<Oid, usize>,
}

impl<'r> HeadState<'r> {
    fn new(repo: &'r Repository) -> Option<HeadState<'r>> {
        let commit = repo.head().ok()?.peel_to_commit().ok()?;
        let tree = commit.tree().ok()?;
        let mut line = vec![commit.id()];
        let mut cur = commit;
        while let Ok(parent) = cur.parent(0) {
            line.push(parent.id());
            cur = parent;
        }
        line.reverse();
        let position = line.iter().enumerate().map(|(i, c)| (*c, i)).collect();
        Some(HeadState {
            tree,
            line,
            position,
        })
    }

    fn blob_at(&self, path: &[u8]) -> Option<Oid> {
        self.tree.get_path(&as_path(path)?).ok().map(|e| e.id())
    }

    /// A commit on HEAD's first-parent line, after `intro`, whose tree no longer holds the
    /// secret at `path` while its predecessor did: found by bisection (O(log n) tree lookups),
    /// so it is exact when the secret stayed until it was removed once. None when `intro` is not
    /// on that line (e.g. it came in through a merged side branch).
    fn removed_in(
        &self,
        repo: &Repository,
        path: &[u8],
        intro: Oid,
        holders: &HashSet<Oid>,
    ) -> Option<Oid> {
        let path = as_path(path)?;
        let present = |c: Oid| -> Option<bool> {
            let tree = repo.find_commit(c).ok()?.tree().ok()?;
            Some(
                tree.get_path(&path)
                    .ok()
                    .is_some_and(|e| holders.contains(&e.id())),
            )
        };
        let (mut lo, mut hi) = (*self.position.get(&intro)?, self.line.len() - 1);
        if !present(self.line[lo])? || present(self.line[hi])? {
            return None;
        }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if present(self.line[mid])? {
                lo = mid
            } else {
                hi = mid
            }
        }
        Some(self.line[hi])
    }
}
