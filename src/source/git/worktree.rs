//! Where a scanned path sits in a git work tree.
//!
//! A scan of `svc/api` inside a repository names its files from the repository root
//! (`svc/api/.env`), and takes CODEOWNERS, the owners table and `keytrace.toml` from that root:
//! GitHub resolves SARIF locations and CODEOWNERS patterns against the root, so a path relative
//! to the target would point at the wrong file and match the wrong owners. This module answers
//! "which work tree, and where in it", whatever the current directory and however the target is
//! spelled (relative, absolute, through a symbolic link).

use git2::Repository;
use std::path::{Path, PathBuf};

/// A target inside a git work tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InRepo {
    /// The work tree's root, canonical.
    pub workdir: PathBuf,
    /// The target's path relative to `workdir` (empty for the root itself).
    pub rel: PathBuf,
}

/// The work tree holding `target`, and the target's path in it; `None` outside a work tree
/// (and for bare repositories, which have none). A file target keeps its own name even when it
/// is a symbolic link: only the directories above it are resolved.
pub fn locate(target: &Path) -> Option<InRepo> {
    let abs = canonical_keep_name(target)?;
    let dir = if abs.is_dir() {
        abs.as_path()
    } else {
        abs.parent()?
    };
    let repo = Repository::discover(dir).ok()?;
    let workdir = repo.workdir()?.canonicalize().ok()?;
    let rel = abs.strip_prefix(&workdir).ok()?.to_path_buf();
    Some(InRepo { workdir, rel })
}

/// `path` made absolute with its directories resolved; a directory is resolved whole, a file
/// (or a link to one) keeps its last component.
fn canonical_keep_name(path: &Path) -> Option<PathBuf> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if meta.is_dir() || (meta.file_type().is_symlink() && path.is_dir()) {
        return path.canonicalize().ok();
    }
    let name = path.file_name()?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(parent.canonicalize().ok()?.join(name))
}

/// Open the repository for a git scan of `path`: the repository at `path` itself (a work tree,
/// a `.git` directory, a bare repository), else the one whose work tree contains `path`, so a
/// scan run from a subfolder scans its repository. When `path` has its own `.git` that cannot
/// be opened, or no repository contains it, the error is the one for `path` itself.
pub fn open_containing(path: &Path) -> Result<Repository, super::GitError> {
    let own = match super::repo::open(path) {
        Ok(repo) => return Ok(repo),
        Err(e) => e,
    };
    if std::fs::symlink_metadata(path.join(".git")).is_ok() {
        return Err(own);
    }
    super::repo::discover(path)
        .filter(|r| !r.is_bare())
        .ok_or(own)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) {
        let ok = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .expect("git runs")
            .status
            .success();
        assert!(ok, "git {args:?}");
    }

    #[test]
    fn subfolders_files_and_the_root_are_located_from_the_work_tree_root() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("repo");
        std::fs::create_dir_all(root.join("svc/api")).unwrap();
        std::fs::write(root.join("svc/api/.env"), "x").unwrap();
        git(&root, &["init", "-q"]);
        let canon = root.canonicalize().unwrap();
        let at = locate(&root.join("svc/api")).unwrap();
        assert_eq!(at.workdir, canon);
        assert_eq!(at.rel, Path::new("svc/api"));
        assert_eq!(
            locate(&root.join("svc/api/.env")).unwrap().rel,
            Path::new("svc/api/.env")
        );
        assert_eq!(locate(&root).unwrap().rel, Path::new(""));
        assert_eq!(
            locate(&root.join("svc/../svc/api")).unwrap().rel,
            Path::new("svc/api")
        );
        assert!(locate(tmp.path()).is_none());
        assert!(locate(&tmp.path().join("missing")).is_none());
    }

    #[test]
    fn open_containing_finds_the_repository_above_but_not_past_a_broken_git() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("repo");
        std::fs::create_dir_all(root.join("svc/broken")).unwrap();
        git(&root, &["init", "-q"]);
        let found = open_containing(&root.join("svc")).unwrap();
        assert_eq!(
            found.workdir().unwrap().canonicalize().unwrap(),
            root.canonicalize().unwrap()
        );
        std::fs::write(root.join("svc/broken/.git"), "not a gitfile").unwrap();
        assert!(open_containing(&root.join("svc/broken")).is_err());
        assert!(open_containing(tmp.path()).is_err());
    }
}
