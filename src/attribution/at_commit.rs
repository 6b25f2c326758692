//! CODEOWNERS as it was at a commit: history findings are owned by the CODEOWNERS of the commit
//! that introduced them when that commit has one, else by HEAD's. `codeowners_file` says which
//! (`.github/CODEOWNERS@<sha>` or `.github/CODEOWNERS@HEAD`).

use super::codeowners::{Codeowners, LOCATIONS, Memo};
use super::owner::resolve_one;
use super::owners_file::OwnersFile;
use crate::finding::Finding;
use git2::{Oid, Repository};
use std::collections::HashMap;

/// The CODEOWNERS blob in the tree of `commit`, if any: its location and blob id.
fn codeowners_blob(repo: &Repository, commit: Oid) -> Option<(&'static str, Oid)> {
    let tree = repo.find_commit(commit).ok()?.tree().ok()?;
    LOCATIONS.iter().find_map(|rel| {
        let entry = tree.get_path(std::path::Path::new(rel)).ok()?;
        (entry.kind() == Some(git2::ObjectType::Blob)).then(|| (*rel, entry.id()))
    })
}

/// Parse a CODEOWNERS blob; one of 3 MB or more is ignored without being read (as GitHub does).
fn parse_blob(repo: &Repository, blob: Oid) -> Option<Codeowners> {
    let odb = repo.odb().ok()?;
    let (size, _) = odb.read_header(blob).ok()?;
    if size as u64 >= super::codeowners::MAX_FILE {
        return Some(Codeowners::too_large(size as u64));
    }
    Some(Codeowners::from_bytes(repo.find_blob(blob).ok()?.content()))
}

/// The CODEOWNERS file in the tree of `commit`, if any, named `<path>@<label>`.
pub fn codeowners_at(repo: &Repository, commit: Oid, label: &str) -> Option<Codeowners> {
    let (rel, blob) = codeowners_blob(repo, commit)?;
    Some(parse_blob(repo, blob)?.with_source(format!("{rel}@{label}")))
}

/// One parsed CODEOWNERS per blob (commits that share the file share the parse and the answer
/// memo), labelled per commit.
#[derive(Default)]
struct Cache {
    by_commit: HashMap<Oid, Option<(Oid, Codeowners)>>,
    by_blob: HashMap<Oid, Option<Codeowners>>,
    memos: HashMap<Oid, Memo>,
}

impl Cache {
    /// The CODEOWNERS of `commit` and its blob id.
    fn at(&mut self, repo: &Repository, commit: Oid) -> Option<(Oid, Codeowners)> {
        if let Some(hit) = self.by_commit.get(&commit) {
            return hit.clone();
        }
        let found = codeowners_blob(repo, commit).and_then(|(rel, blob)| {
            let parsed = self
                .by_blob
                .entry(blob)
                .or_insert_with(|| parse_blob(repo, blob))
                .as_ref()?;
            // Cheap: the parse is shared, only the label is new.
            Some((blob, parsed.clone().with_source(format!("{rel}@{commit}"))))
        });
        self.by_commit.insert(commit, found.clone());
        found
    }
}

/// Resolve owners of history findings against each introducing commit's CODEOWNERS.
pub fn resolve_history_owners(
    repo: &Repository,
    findings: &mut [Finding],
    owners_file: Option<&OwnersFile>,
) {
    let head = repo
        .head()
        .ok()
        .and_then(|h| h.target())
        .and_then(|h| codeowners_at(repo, h, "HEAD"));
    let mut head_memo = Memo::default();
    let mut cache = Cache::default();
    for f in findings.iter_mut() {
        let commit = f
            .props
            .commit
            .as_deref()
            .and_then(|c| Oid::from_str(c).ok());
        let at_commit = commit.and_then(|oid| cache.at(repo, oid));
        let path = f.location.path.clone();
        match &at_commit {
            Some((blob, c)) => {
                let memo = cache.memos.entry(*blob).or_default();
                resolve_one(f, Some(&path), Some(c), owners_file, memo);
            }
            None => resolve_one(f, Some(&path), head.as_ref(), owners_file, &mut head_memo),
        }
    }
}
