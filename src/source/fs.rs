//! Directory source: walk paths with the `ignore` crate and list the regular files to scan.
//!
//! `.gitignore`d files ARE scanned by default: a gitignored `.env` on a developer's disk is
//! exactly where keys sprawl. `--respect-gitignore` turns git's ignore rules back on. `.git/`
//! is never entered; symlinks are not followed (so there are no loops) and are counted.

use crate::coverage::{Coverage, SkipReason};
use ignore::{WalkBuilder, WalkState};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A file to scan: where it is, and how reports name it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileEntry {
    pub path: PathBuf,
    pub display: String,
}

/// A path argument that does not exist or cannot be walked.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct WalkError {
    pub path: String,
    pub message: String,
}

/// Display path of `file` found under `root`: relative to a directory root, else as given.
pub fn display_path(root: &Path, file: &Path, single_root: bool) -> String {
    let shown = if root.is_dir() {
        match file.strip_prefix(root) {
            Ok(rel) if single_root => rel.to_path_buf(),
            Ok(rel) => root.join(rel),
            Err(_) => file.to_path_buf(),
        }
    } else {
        file.to_path_buf()
    };
    let s = shown.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// List every regular file under `roots`, sorted by display path.
pub fn list_files(
    roots: &[PathBuf],
    respect_gitignore: bool,
    threads: usize,
    coverage: &Coverage,
) -> Result<Vec<FileEntry>, WalkError> {
    for root in roots {
        if std::fs::symlink_metadata(root).is_err() {
            return Err(WalkError {
                path: root.display().to_string(),
                message: "no such file or directory".into(),
            });
        }
    }
    let found = Mutex::new(Vec::new());
    let single_root = roots.len() == 1;
    for root in roots {
        let mut builder = WalkBuilder::new(root);
        builder
            .hidden(false)
            .follow_links(false)
            .git_ignore(respect_gitignore)
            .git_global(respect_gitignore)
            .git_exclude(respect_gitignore)
            .ignore(respect_gitignore)
            .parents(respect_gitignore)
            .require_git(false)
            .threads(threads)
            .filter_entry(|e| e.file_name() != ".git");
        builder.build_parallel().run(|| {
            Box::new(|entry| {
                match entry {
                    Ok(e) => {
                        let ft = e.file_type();
                        if ft.is_some_and(|t| t.is_symlink()) {
                            coverage.skip(SkipReason::Symlink);
                        } else if ft.is_some_and(|t| t.is_file()) {
                            let display = display_path(root, e.path(), single_root);
                            found.lock().expect("walk lock").push(FileEntry {
                                path: e.into_path(),
                                display,
                            });
                        }
                    }
                    Err(_) => coverage.skip(SkipReason::Unreadable),
                }
                WalkState::Continue
            })
        });
    }
    let mut files = found.into_inner().expect("walk lock");
    files.sort();
    files.dedup();
    Ok(files)
}
