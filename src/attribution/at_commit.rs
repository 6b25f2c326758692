//! CODEOWNERS as it was at a commit: history findings are owned by the CODEOWNERS of the commit
//! that introduced them when that commit has one, else by HEAD's. `codeowners_file` says which
//! (`.github/CODEOWNERS@<sha>` or `.github/CODEOWNERS@HEAD`).

use super::codeowners::{Codeowners, LOCATIONS};
use super::owner::resolve_one;
use super::owners_file::OwnersFile;
use crate::finding::Finding;
use git2::{Oid, Repository};
use std::collections::HashMap;

/// The CODEOWNERS file in the tree of `commit`, if any, named `<path>@<label>`.
pub fn codeowners_at(repo: &Repository, commit: Oid, label: &str) -> Option<Codeowners> {
    let tree = repo.find_commit(commit).ok()?.tree().ok()?;
    LOCATIONS.iter().find_map(|rel| {
        let entry = tree.get_path(std::path::Path::new(rel)).ok()?;
        let blob = repo.find_blob(entry.id()).ok()?;
        let text = String::from_utf8_lossy(blob.content());
        Some(Codeowners::parse(&text).with_source(format!("{rel}@{label}")))
    })
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
    let mut cache: HashMap<Oid, Option<Codeowners>> = HashMap::new();
    for f in findings.iter_mut() {
        let at_commit = f
            .props
            .commit
            .as_deref()
            .and_then(|c| Oid::from_str(c).ok())
            .and_then(|oid| {
                cache
                    .entry(oid)
                    .or_insert_with(|| codeowners_at(repo, oid, &oid.to_string()))
                    .clone()
            });
        let codeowners = at_commit.as_ref().or(head.as_ref());
        let path = f.location.path.clone();
        resolve_one(f, Some(&path), codeowners, owners_file);
    }
}
