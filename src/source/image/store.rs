//! Where an image's files are read from: an OCI layout directory, or a tarball on disk (a
//! `docker save` archive or an OCI layout archive) indexed once so that each file can be
//! opened on its own, by several workers at a time.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Largest JSON document (manifest, index, config) read into memory.
pub const MAX_JSON_BYTES: u64 = 16 << 20;

/// A read-only view of an image's files by their path in the layout (`index.json`,
/// `blobs/sha256/<hex>`, `manifest.json`, `<id>/layer.tar`).
#[derive(Debug)]
pub enum Store {
    Dir(PathBuf),
    Tar {
        path: PathBuf,
        /// Layout path → (data offset, size) in the tarball.
        files: HashMap<String, (u64, u64)>,
    },
}

/// A missing or unreadable file of an image layout.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}: not in the image")]
    Missing(String),
    #[error("{0}: larger than {MAX_JSON_BYTES} bytes")]
    TooLarge(String),
    #[error("{name}: {source}")]
    Io { name: String, source: io::Error },
}

impl Store {
    /// Index the regular files of a tarball (one pass over its headers; data is skipped).
    pub fn tarball(path: &Path) -> io::Result<Store> {
        let file = BufReader::new(File::open(path)?);
        let mut archive = tar::Archive::new(file);
        let mut files = HashMap::new();
        // Seeking past each file's data: only the headers of a large tarball are read.
        for entry in archive.entries_with_seek()? {
            let entry = entry?;
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let name = normalize(&String::from_utf8_lossy(&entry.path_bytes()));
            files.insert(name, (entry.raw_file_position(), entry.size()));
        }
        Ok(Store::Tar {
            path: path.to_path_buf(),
            files,
        })
    }

    /// Whether the layout holds `name`.
    pub fn has(&self, name: &str) -> bool {
        match self {
            Store::Dir(dir) => !escapes(name) && dir.join(name).is_file(),
            Store::Tar { files, .. } => files.contains_key(&normalize(name)),
        }
    }

    /// The size of `name` in bytes.
    pub fn size(&self, name: &str) -> Result<u64, StoreError> {
        match self {
            Store::Dir(_) if escapes(name) => Err(StoreError::Missing(name.to_string())),
            Store::Dir(dir) => std::fs::metadata(dir.join(name))
                .map(|m| m.len())
                .map_err(|source| io_error(name, source)),
            Store::Tar { files, .. } => files
                .get(&normalize(name))
                .map(|&(_, size)| size)
                .ok_or_else(|| StoreError::Missing(name.to_string())),
        }
    }

    /// Open `name` for reading (a new handle each time).
    pub fn open(&self, name: &str) -> Result<Box<dyn Read + Send>, StoreError> {
        match self {
            Store::Dir(dir) => {
                let path = dir.join(name);
                if escapes(name) || !path.is_file() {
                    return Err(StoreError::Missing(name.to_string()));
                }
                let file = File::open(&path).map_err(|e| io_error(name, e))?;
                Ok(Box::new(BufReader::new(file)))
            }
            Store::Tar { path, files } => {
                let &(offset, size) = files
                    .get(&normalize(name))
                    .ok_or_else(|| StoreError::Missing(name.to_string()))?;
                let mut file = File::open(path).map_err(|e| io_error(name, e))?;
                file.seek(SeekFrom::Start(offset))
                    .map_err(|e| io_error(name, e))?;
                Ok(Box::new(BufReader::new(file).take(size)))
            }
        }
    }

    /// Read a small file (a JSON document) whole.
    pub fn read_json_bytes(&self, name: &str) -> Result<Vec<u8>, StoreError> {
        if self.size(name)? > MAX_JSON_BYTES {
            return Err(StoreError::TooLarge(name.to_string()));
        }
        let mut out = Vec::new();
        self.open(name)?
            .read_to_end(&mut out)
            .map_err(|e| io_error(name, e))?;
        Ok(out)
    }
}

/// Whether a layout path would leave the layout (`..`, an absolute path).
fn escapes(name: &str) -> bool {
    name.starts_with('/') || name.split(['/', '\\']).any(|part| part == "..")
}

fn io_error(name: &str, source: io::Error) -> StoreError {
    StoreError::Io {
        name: name.to_string(),
        source,
    }
}

/// A layout path without a leading `./` or `/`.
pub fn normalize(name: &str) -> String {
    let mut s = name;
    loop {
        if let Some(rest) = s.strip_prefix("./") {
            s = rest;
        } else if let Some(rest) = s.strip_prefix('/') {
            s = rest;
        } else {
            return s.to_string();
        }
    }
}

/// The layout path of a blob with digest `sha256:<hex>`.
pub fn blob_path(digest: &str) -> Option<String> {
    let (algorithm, hex) = digest.split_once(':')?;
    let plain = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric());
    (plain(algorithm) && plain(hex)).then(|| format!("blobs/{algorithm}/{hex}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_paths_refuse_traversal() {
        assert_eq!(
            blob_path("sha256:ab12").as_deref(),
            Some("blobs/sha256/ab12")
        );
        assert_eq!(blob_path("sha256:../../etc/passwd"), None);
        assert_eq!(blob_path("nodigest"), None);
        assert_eq!(normalize("./a/b"), "a/b");
        assert_eq!(normalize("/./x"), "x");
    }
}
