//! Blame for findings in files on disk inside a git work tree: the last commit that touched
//! the line (sha, author, time). Lines not yet committed get no attribution.

use crate::finding::Finding;
use git2::{BlameOptions, Repository};
use std::collections::BTreeMap;
use std::path::Path;

/// Fill commit/author properties of findings from `git blame` of their lines. `root` is the
/// scanned directory; finding paths are relative to it (or as given).
pub fn blame_findings(findings: &mut [Finding], root: &Path) {
    let Some(repo) = super::repo::discover(root) else {
        return;
    };
    let Some(workdir) = repo.workdir().and_then(|w| w.canonicalize().ok()) else {
        return;
    };
    let base = if root.is_dir() {
        root.to_path_buf()
    } else {
        root.parent().unwrap_or(Path::new(".")).to_path_buf()
    };
    let mut by_file: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, f) in findings.iter().enumerate() {
        by_file.entry(f.location.path.clone()).or_default().push(i);
    }
    for (path, idxs) in by_file {
        let disk = if root.is_file() {
            root.to_path_buf()
        } else {
            base.join(&path)
        };
        let Ok(abs) = disk.canonicalize() else {
            continue;
        };
        let Ok(rel) = abs.strip_prefix(&workdir) else {
            continue;
        };
        let Ok(contents) = std::fs::read(&abs) else {
            continue;
        };
        let Ok(committed) = repo.blame_file(rel, Some(&mut BlameOptions::new())) else {
            continue;
        };
        let Ok(blame) = committed.blame_buffer(&contents) else {
            continue;
        };
        for i in idxs {
            blame_line(&repo, &blame, &mut findings[i]);
        }
    }
}

fn blame_line(repo: &Repository, blame: &git2::Blame<'_>, f: &mut Finding) {
    let Some(hunk) = blame.get_line(f.location.start_line) else {
        return;
    };
    let id = hunk.final_commit_id();
    if id.is_zero() {
        return;
    }
    let Ok(commit) = repo.find_commit(id) else {
        return;
    };
    super::provenance::fill_commit(f, &super::history::CommitMeta::from_commit(&commit));
}
