//! Opening repositories and listing the refs to scan.

use git2::{Oid, Repository};
use std::path::Path;

/// A git problem that stops a git scan before it starts (not a repository, bad revision...).
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{path}: not a git repository ({message})")]
    NotARepository { path: String, message: String },
    #[error("{path}: {what}: {message}")]
    Git {
        path: String,
        what: String,
        message: String,
    },
}

/// Bound libgit2's memory: pack windows of 4 MiB (the default maps a whole pack, whose touched
/// pages then all count as resident), at most 32 MiB of them mapped, and the object cache. Called
/// once before a history scan; blobs are streamed, so large caches only inflate peak memory.
pub fn limit_memory() {
    // SAFETY: these set process-global libgit2 options and are called before any repository is
    // opened by the scan's worker threads.
    unsafe {
        let _ = git2::opts::set_mwindow_size(4 << 20);
        let _ = git2::opts::set_mwindow_mapped_limit(32 << 20);
        let _ = git2::opts::set_cache_max_size(8 << 20);
    }
}

/// Open a repository at `path` (work tree, `.git` dir, bare repo, or linked worktree).
pub fn open(path: &Path) -> Result<Repository, GitError> {
    Repository::open(path).map_err(|e| GitError::NotARepository {
        path: path.display().to_string(),
        message: e.message().to_string(),
    })
}

/// Open the repository containing `path` (searching upward), if any.
pub fn discover(path: &Path) -> Option<Repository> {
    Repository::discover(path).ok()
}

/// A ref tip to scan from: its full name and the commit it points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tip {
    pub name: String,
    pub commit: Oid,
}

/// Every ref that peels to a commit (branches, tags, remotes, stash, notes are skipped), plus a
/// detached HEAD. `only` narrows to refs whose full or short name is listed.
pub fn tips(repo: &Repository, only: &[String]) -> Result<Vec<Tip>, git2::Error> {
    let mut tips = Vec::new();
    for reference in repo.references()? {
        let Ok(reference) = reference else { continue };
        let Ok(name) = reference.name().map(str::to_string) else {
            continue;
        };
        if name.starts_with("refs/notes/") {
            continue;
        }
        let Ok(commit) = reference.peel_to_commit() else {
            continue;
        };
        tips.push(Tip {
            name,
            commit: commit.id(),
        });
    }
    if repo.head_detached().unwrap_or(false)
        && let Ok(head) = repo.head()
        && let Ok(commit) = head.peel_to_commit()
    {
        tips.push(Tip {
            name: "HEAD".into(),
            commit: commit.id(),
        });
    }
    if !only.is_empty() {
        tips.retain(|t| only.iter().any(|o| ref_matches(&t.name, o)));
    }
    tips.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(tips)
}

/// `main` matches `refs/heads/main`, `origin/main` matches `refs/remotes/origin/main`, a full
/// name matches itself.
fn ref_matches(full: &str, wanted: &str) -> bool {
    full == wanted
        || ["refs/heads/", "refs/tags/", "refs/remotes/", "refs/"]
            .iter()
            .any(|p| full.strip_prefix(p) == Some(wanted))
}

/// Short display name of a ref (`refs/heads/main` → `main`).
pub fn short_name(full: &str) -> &str {
    for p in ["refs/heads/", "refs/remotes/", "refs/"] {
        if let Some(s) = full.strip_prefix(p) {
            return s;
        }
    }
    full
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ref_names_match_short_and_full() {
        assert!(ref_matches("refs/heads/main", "main"));
        assert!(ref_matches("refs/remotes/origin/dev", "origin/dev"));
        assert!(ref_matches("refs/tags/v1", "v1"));
        assert!(ref_matches("refs/heads/main", "refs/heads/main"));
        assert!(!ref_matches("refs/heads/main", "mai"));
        assert_eq!(short_name("refs/heads/feature/x"), "feature/x");
        assert_eq!(short_name("refs/tags/v1"), "tags/v1");
    }
}
