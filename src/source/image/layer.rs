//! One image layer: a tar stream (plain, gzip or zstd, by its first bytes) read entry by
//! entry within the archive limits; each regular file is handed to a visitor, and what the
//! layer adds, replaces and deletes (whiteouts) is recorded so that a finding can be told to be
//! in the final image or not.

use crate::expand::archive::{ArchiveLimits, Budget, Counted, EntryRead, Kind, read_entry, sniff};
use crate::finding::location::path_text;
use std::collections::HashSet;
use std::io::{self, BufRead, BufReader, Read};

/// Prefix of a whiteout entry: `.wh.NAME` deletes `NAME` from the layers below.
const WHITEOUT: &str = ".wh.";
/// An opaque-directory marker: the directory's contents in the layers below are hidden.
const OPAQUE: &str = ".wh..wh..opq";

/// What a layer does to the file system of the layers below it.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct LayerChanges {
    /// Paths this layer writes (files, directories, links).
    pub written: HashSet<String>,
    /// Paths this layer deletes.
    pub deleted: HashSet<String>,
    /// Directories whose lower contents this layer hides.
    pub opaque: HashSet<String>,
}

impl LayerChanges {
    /// Whether this layer hides or replaces `path` as a lower layer wrote it.
    pub fn hides(&self, path: &str) -> bool {
        if self.written.contains(path) || self.deleted.contains(path) {
            return true;
        }
        ancestors(path).any(|dir| self.deleted.contains(dir) || self.opaque.contains(dir))
    }
}

/// The directories above `path`, nearest first (`a/b/c` → `a/b`, `a`).
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    let mut rest = path;
    std::iter::from_fn(move || {
        let cut = rest.rfind('/')?;
        rest = &rest[..cut];
        Some(rest)
    })
}

/// What reading a layer met besides its files.
#[derive(Debug, Default, Clone, Copy)]
pub struct LayerOutcome {
    pub files: u64,
    pub limit: u64,
    pub corrupt: u64,
}

/// Read the layer from `reader`: each regular file (within the per-entry bound) goes to
/// `visit` with its path in the image; returns what the layer changes.
pub fn read_layer(
    reader: Box<dyn Read + Send>,
    compressed_len: u64,
    limits: ArchiveLimits,
    visit: &mut dyn FnMut(&str, &[u8]),
) -> (LayerChanges, LayerOutcome) {
    let mut changes = LayerChanges::default();
    let mut outcome = LayerOutcome::default();
    // A layer is an image's own content, not a suspected bomb: its bound is the total, not a
    // ratio to its compressed size.
    let limits = ArchiveLimits {
        max_ratio: u64::MAX,
        ..limits
    };
    let budget = Budget::new(
        limits,
        usize::try_from(compressed_len).unwrap_or(usize::MAX),
    );
    let stream = match decompressed(reader) {
        Ok(s) => s,
        Err(_) => {
            outcome.corrupt += 1;
            return (changes, outcome);
        }
    };
    let mut archive = tar::Archive::new(Counted::new(stream, &budget));
    let entries = match archive.entries() {
        Ok(e) => e,
        Err(_) => {
            outcome.corrupt += 1;
            return (changes, outcome);
        }
    };
    for entry in entries {
        let Ok(mut entry) = entry else {
            count_stop(&budget, &mut outcome);
            break;
        };
        if !budget.charge_entry() {
            outcome.limit += 1;
            break;
        }
        let path = super::store::normalize(&path_text(&entry.path_bytes()));
        let path = path.trim_end_matches('/').to_string();
        if record_whiteout(&path, &mut changes) {
            continue;
        }
        changes.written.insert(path.clone());
        let kind = entry.header().entry_type();
        if !(kind.is_file() || kind.is_contiguous()) {
            continue;
        }
        if entry.header().size().unwrap_or(u64::MAX) > limits.max_entry_bytes {
            outcome.limit += 1;
            continue;
        }
        match read_entry(&mut entry, limits.max_entry_bytes) {
            EntryRead::Whole(bytes) => {
                outcome.files += 1;
                visit(&path, &bytes);
            }
            EntryRead::TooLarge => outcome.limit += 1,
            EntryRead::Failed(..) => {
                count_stop(&budget, &mut outcome);
                break;
            }
        }
    }
    (changes, outcome)
}

fn count_stop(budget: &Budget, outcome: &mut LayerOutcome) {
    if budget.exceeded() {
        outcome.limit += 1;
    } else {
        outcome.corrupt += 1;
    }
}

/// Record a whiteout entry; false for an ordinary entry.
fn record_whiteout(path: &str, changes: &mut LayerChanges) -> bool {
    let (dir, name) = match path.rsplit_once('/') {
        Some((dir, name)) => (dir, name),
        None => ("", path),
    };
    if name == OPAQUE {
        changes.opaque.insert(dir.to_string());
        return true;
    }
    let Some(deleted) = name.strip_prefix(WHITEOUT) else {
        return false;
    };
    let target = if dir.is_empty() {
        deleted.to_string()
    } else {
        format!("{dir}/{deleted}")
    };
    changes.deleted.insert(target);
    true
}

/// The layer's tar stream, decompressed when its first bytes say gzip or zstd.
fn decompressed(reader: Box<dyn Read + Send>) -> io::Result<Box<dyn Read + Send>> {
    let mut buffered = BufReader::with_capacity(64 << 10, reader);
    let head = buffered.fill_buf()?;
    Ok(match sniff(head) {
        Some(Kind::Gzip) => Box::new(flate2::read::MultiGzDecoder::new(buffered)),
        Some(Kind::Zstd) => Box::new(zstd::stream::read::Decoder::with_buffer(buffered)?),
        _ => Box::new(buffered),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whiteouts_and_opaque_directories_hide_lower_files() {
        let mut upper = LayerChanges::default();
        for p in [
            "etc/.wh.secret.env",
            "app/.wh..wh..opq",
            ".wh.top",
            "srv/new.txt",
        ] {
            if !record_whiteout(p, &mut upper) {
                upper.written.insert(p.to_string());
            }
        }
        assert!(upper.hides("etc/secret.env"));
        assert!(!upper.hides("etc/other.env"));
        assert!(upper.hides("app/config/.env"), "below an opaque directory");
        assert!(upper.hides("top/a/b"), "below a deleted directory");
        assert!(upper.hides("srv/new.txt"), "replaced");
        assert!(!upper.hides("srv/old.txt"));
    }
}
