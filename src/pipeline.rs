//! The one module with concurrency: sources hand over work items, rayon workers (each with its
//! own matcher and scratch buffers) turn them into findings, and one collector sorts them.
//! Every other stage is single-threaded and testable alone.

use crate::blob::{Origin, is_binary};
use crate::coverage::{Coverage, SkipReason};
use crate::detect::findings_in_blob;
use crate::finding::{Finding, SourceKind};
use crate::matcher::{Matcher, RuleSet};
use crate::source::fs::FileEntry;
use rayon::prelude::*;

/// Limits applied to every blob.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_file_size: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: 25 * 1024 * 1024,
        }
    }
}

/// Run `f` on a rayon pool of `threads` workers (0 = one per core).
pub fn with_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(f),
        Err(_) => f(),
    }
}

/// A per-file hook that may claim a file and scan it structurally (config stores); when it
/// returns `None` the file is scanned as plain text.
pub type StructuredScan<'a> = dyn Fn(&RuleSet, &mut Matcher<'_>, &[u8], &Origin, &Coverage) -> Option<Vec<Finding>>
    + Sync
    + 'a;

/// Scan files on disk in parallel.
pub fn scan_files(
    files: &[FileEntry],
    set: &RuleSet,
    limits: Limits,
    coverage: &Coverage,
    structured: &StructuredScan<'_>,
) -> Vec<Finding> {
    files
        .par_iter()
        .map_init(
            || set.matcher(),
            |matcher, entry| {
                let Some(bytes) = read_file(entry, limits, coverage) else {
                    return Vec::new();
                };
                let origin = Origin {
                    path: entry.display.clone(),
                    source: SourceKind::File,
                    store: None,
                };
                scan_bytes(set, matcher, &bytes, &origin, coverage, structured)
            },
        )
        .flatten()
        .collect()
}

/// Scan one in-memory blob: binary sniffing, coverage, structured or plain matching.
pub fn scan_bytes(
    set: &RuleSet,
    matcher: &mut Matcher<'_>,
    bytes: &[u8],
    origin: &Origin,
    coverage: &Coverage,
    structured: &StructuredScan<'_>,
) -> Vec<Finding> {
    if is_binary(bytes) {
        coverage.skip(SkipReason::Binary);
        return Vec::new();
    }
    coverage.scanned(bytes.len());
    if std::str::from_utf8(bytes).is_err() {
        coverage.non_utf8();
    }
    structured(set, matcher, bytes, origin, coverage)
        .unwrap_or_else(|| findings_in_blob(set, matcher, bytes, origin))
}

/// Read a file within the size limit, counting what cannot be read. Never writes.
fn read_file(entry: &FileEntry, limits: Limits, coverage: &Coverage) -> Option<Vec<u8>> {
    let meta = match std::fs::metadata(&entry.path) {
        Ok(m) => m,
        Err(_) => {
            coverage.skip(SkipReason::Unreadable);
            return None;
        }
    };
    if meta.len() > limits.max_file_size {
        coverage.skip(SkipReason::TooLarge);
        return None;
    }
    match std::fs::read(&entry.path) {
        Ok(bytes) => Some(bytes),
        Err(_) => {
            coverage.skip(SkipReason::Unreadable);
            None
        }
    }
}

/// No structured scanning: every blob is plain text.
pub fn plain_text(
    _: &RuleSet,
    _: &mut Matcher<'_>,
    _: &[u8],
    _: &Origin,
    _: &Coverage,
) -> Option<Vec<Finding>> {
    None
}
