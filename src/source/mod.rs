//! Sources: where blobs come from (directories, git history, staged changes, config stores,
//! etcd, standard input, container images). Each source yields blobs with their origin; none
//! formats or matches. Every source's blobs go through the same pipeline stage
//! (`pipeline::scan_bytes`), where archives are expanded and encodings decoded, so an archive
//! is handled by the same code whichever source met it.
//!
//! [`Source`] is one source of a scan as the command line selects it; `keytrace scan` builds the
//! list of sources from its arguments and runs each through one loop
//! (`commands::scan::collect`), each followed by its own attribution step.

pub mod config_stores;
pub mod etcd;
pub mod fs;
pub mod git;
pub mod image;

use std::path::PathBuf;

/// One source a scan reads, as selected from the command line.
#[derive(Debug)]
pub enum Source {
    /// Staged changes of the work tree holding the path (`--staged`).
    Staged(PathBuf),
    /// Commits of a range (`--range`, `--since-commit`) in the repository holding the path.
    Range { repo: PathBuf, range: String },
    /// Every blob of a repository's history (`--history`).
    History(PathBuf),
    /// The known credential stores under a home directory (`--config-stores`).
    ConfigStores,
    /// Every key under the prefixes of `etcd://` targets.
    Etcd(Vec<String>),
    /// Standard input (`-`).
    Stdin,
    /// A container image (`docker save`, OCI layout, `docker://`).
    Image(image::ImageTarget),
    /// Files and directories on disk.
    Files(Vec<String>),
}

impl Source {
    /// The report's `scan.kind` for this source.
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Staged(_) => "staged",
            Source::Range { .. } => "range",
            Source::History(_) => "git-history",
            Source::ConfigStores => "config-stores",
            Source::Etcd(_) => "etcd",
            Source::Stdin => "stdin",
            Source::Image(_) => "image",
            Source::Files(_) => "directory",
        }
    }
}
