//! Opening repositories and listing the refs to scan.

use git2::{ObjectType, Oid, Repository};
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
    #[error("{path}: --staged needs a work tree (this is a bare repository)")]
    NoWorkTree { path: String },
    #[error("{path}: could not read any {what} ({detail})")]
    NothingReadable {
        path: String,
        what: &'static str,
        detail: String,
    },
}

impl GitError {
    /// A libgit2 failure of `what` at `path`, as one line.
    pub fn git(path: &Path, what: impl Into<String>, e: &git2::Error) -> GitError {
        GitError::Git {
            path: shown(path),
            what: what.into(),
            message: super::text::git_message(e),
        }
    }
}

/// A path for a one-line message (control characters escaped).
pub fn shown(path: &Path) -> String {
    super::text::escape_control(&path.display().to_string())
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
        path: shown(path),
        message: super::text::git_message(&e),
    })
}

/// Open the repository containing `path` (searching upward), or say why not.
pub fn discover_or_fail(path: &Path) -> Result<Repository, GitError> {
    Repository::discover(path).map_err(|e| GitError::NotARepository {
        path: shown(path),
        message: super::text::git_message(&e),
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

/// A ref whose target could not be read: the object it names (or, through tags, the first
/// object on the way to a commit) is missing or corrupt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenRef {
    pub name: String,
    pub target: Oid,
}

/// The refs of a repository, sorted out for a scan.
#[derive(Debug, Default, Clone)]
pub struct RefList {
    /// Refs that peel to a readable commit, sorted by name.
    pub tips: Vec<Tip>,
    /// Refs whose target object could not be read.
    pub broken: Vec<BrokenRef>,
    /// Ref entries that could not be parsed at all.
    pub unreadable: u64,
    /// Commits of the refs left out by `only` (kept apart when recovering lost history).
    pub excluded: Vec<Oid>,
}

impl RefList {
    /// Whether there is nothing at all to scan (an unborn HEAD and no refs).
    pub fn is_empty(&self) -> bool {
        self.tips.is_empty() && self.broken.is_empty() && self.unreadable == 0
    }

    /// Refs that name something to scan, readable or not.
    pub fn count(&self) -> u64 {
        (self.tips.len() + self.broken.len()) as u64 + self.unreadable
    }
}

/// What a ref leads to.
enum Peeled {
    Commit(Oid),
    /// A tag of a tree or blob, a symbolic ref to nothing: nothing to scan, not an error.
    Nothing,
    /// An object on the way could not be read.
    Broken(Oid),
}

/// Most tag-of-tag levels followed (real chains are one or two deep).
const MAX_TAG_DEPTH: usize = 32;

fn peel(repo: &Repository, reference: &git2::Reference<'_>) -> Peeled {
    // A direct ref is read as is: resolving looks the name up again, which fails for names
    // libgit2 lists but refuses to look up (control characters).
    let target = reference
        .target()
        .or_else(|| reference.resolve().ok().and_then(|r| r.target()));
    match target {
        Some(oid) => peel_oid(repo, oid),
        None => Peeled::Nothing,
    }
}

fn peel_oid(repo: &Repository, mut oid: Oid) -> Peeled {
    for _ in 0..MAX_TAG_DEPTH {
        let object = match repo.find_object(oid, None) {
            Ok(o) => o,
            Err(_) => return Peeled::Broken(oid),
        };
        match object.kind() {
            Some(ObjectType::Commit) => return Peeled::Commit(oid),
            Some(ObjectType::Tag) => match object.as_tag() {
                Some(tag) => oid = tag.target_id(),
                None => return Peeled::Broken(oid),
            },
            _ => return Peeled::Nothing,
        }
    }
    Peeled::Nothing
}

/// A ref name for display and `--branch` matching: invalid UTF-8 and control characters
/// escaped (git refuses `\` in ref names, so the escaped form cannot collide).
fn ref_name(raw: &[u8]) -> String {
    super::text::escape_control(&super::text::display_bytes(raw))
}

/// Every ref that leads to a commit (branches, tags, remotes, stash; notes are skipped), plus a
/// detached HEAD. Refs whose objects cannot be read are listed apart, never dropped silently;
/// names that are not UTF-8 are kept (invalid bytes escaped). `only` narrows to refs whose full
/// or short name is listed.
pub fn tips(repo: &Repository, only: &[String]) -> Result<RefList, git2::Error> {
    let mut list = RefList::default();
    let mut all: Vec<(String, Peeled)> = Vec::new();
    let mut listed = std::collections::HashSet::new();
    for reference in repo.references()? {
        let Ok(reference) = reference else {
            list.unreadable += 1;
            continue;
        };
        listed.insert(reference.name_bytes().to_vec());
        all.push((ref_name(reference.name_bytes()), peel(repo, &reference)));
    }
    // Refs with names libgit2 refuses are skipped by its iterator: read them directly.
    for (raw, target) in super::odd_refs::unlisted(repo.commondir(), &listed) {
        all.push((ref_name(&raw), peel_oid(repo, target)));
    }
    all.retain(|(name, _)| !name.starts_with("refs/notes/"));
    if repo.head_detached().unwrap_or(false)
        && let Ok(head) = repo.head()
    {
        all.push(("HEAD".into(), peel(repo, &head)));
    }
    for (name, peeled) in all {
        let wanted = only.is_empty() || only.iter().any(|o| ref_matches(&name, o));
        match (peeled, wanted) {
            (Peeled::Commit(commit), true) => list.tips.push(Tip { name, commit }),
            (Peeled::Broken(target), true) => list.broken.push(BrokenRef { name, target }),
            (Peeled::Commit(commit), false) => list.excluded.push(commit),
            _ => {}
        }
    }
    list.tips.sort_by(|a, b| a.name.cmp(&b.name));
    list.broken.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(list)
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
