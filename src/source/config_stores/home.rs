//! `scan --config-stores`: the current user's known store files, found under `$HOME` and the XDG
//! config directory.

use super::registry::STORES;
use std::path::{Path, PathBuf};

/// A store file that exists on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub path: PathBuf,
    pub store: &'static str,
}

/// Every known store path under `home` (and `xdg`, default `home/.config`) that exists.
pub fn find_stores(home: &Path, xdg: Option<&Path>) -> Vec<Found> {
    let xdg = xdg
        .map(Path::to_path_buf)
        .unwrap_or_else(|| home.join(".config"));
    let mut found = Vec::new();
    for store in STORES {
        let candidates = store
            .home_paths
            .iter()
            .map(|p| home.join(p))
            .chain(store.xdg_paths.iter().map(|p| xdg.join(p)));
        for path in candidates {
            if path.is_file() && !found.iter().any(|f: &Found| f.path == path) {
                found.push(Found {
                    path,
                    store: store.name,
                });
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_existing_store_files_only() {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(home.path().join(".docker")).unwrap();
        std::fs::write(home.path().join(".docker/config.json"), "{}").unwrap();
        std::fs::create_dir_all(home.path().join(".config/git")).unwrap();
        std::fs::write(home.path().join(".config/git/credentials"), "").unwrap();
        let found = find_stores(home.path(), None);
        let names: Vec<_> = found.iter().map(|f| f.store).collect();
        assert_eq!(names, vec!["docker-config", "git-credentials"]);
    }
}
