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

/// The worker count to start for a request of `threads` (0 = one per core). More than four
/// workers per core only adds start-up cost and contention (a thousand threads made a one-file
/// scan take 38 s), so requests are capped there.
pub fn effective_threads(threads: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads == 0 {
        cores
    } else {
        threads.min(cores * 4)
    }
}

/// Run `f` on a rayon pool of `threads` workers (0 = one per core; capped by
/// [`effective_threads`]).
pub fn with_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    let threads = effective_threads(threads);
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
                guarded(coverage, || {
                    scan_bytes(set, matcher, &bytes, &origin, coverage, structured)
                })
            },
        )
        .flatten()
        .collect()
}

/// Run one blob's matching so that a bug in it costs that blob, not the scan: a panic is
/// caught, counted as `internal-error` and the scan goes on (the panic hook has already said
/// where it happened, without its message). Without this, one hostile blob committed to a
/// repository would crash every later history scan of it.
pub fn guarded(coverage: &Coverage, scan: impl FnOnce() -> Vec<Finding>) -> Vec<Finding> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(scan)).unwrap_or_else(|_| {
        coverage.skip(SkipReason::InternalError);
        Vec::new()
    })
}

/// Scan one in-memory blob, whatever source it came from. An archive (zip family, tar,
/// compressed streams; recognised by its bytes) is expanded first and each entry is scanned as
/// a blob of its own ([`crate::expand::archive`]); anything else goes to [`scan_blob`].
pub fn scan_bytes(
    set: &RuleSet,
    matcher: &mut Matcher<'_>,
    bytes: &[u8],
    origin: &Origin,
    coverage: &Coverage,
    structured: &StructuredScan<'_>,
) -> Vec<Finding> {
    // Archives are binary: this stage sits before the binary skip.
    if let Some(found) =
        crate::expand::archive::scan_entries(set, matcher, bytes, origin, coverage, structured)
    {
        return found;
    }
    scan_blob(set, matcher, bytes, origin, coverage, structured)
}

/// Scan one in-memory blob that is not expanded as an archive: binary sniffing, coverage,
/// structured or plain matching, then the decoding stage (decoded spans, [`crate::expand`]).
/// UTF-16 text (with a byte-order mark, or recognised by its
/// zero bytes) is decoded first; lines and UTF-16 columns of the decoded text are those of the
/// original.
pub fn scan_blob(
    set: &RuleSet,
    matcher: &mut Matcher<'_>,
    bytes: &[u8],
    origin: &Origin,
    coverage: &Coverage,
    structured: &StructuredScan<'_>,
) -> Vec<Finding> {
    if let Some(text) = crate::blob::utf16_text(bytes) {
        coverage.scanned(bytes.len());
        coverage.utf16();
        let text = text.as_bytes();
        let found = structured(set, matcher, text, origin, coverage)
            .unwrap_or_else(|| findings_in_blob(set, matcher, text, origin, coverage));
        let mut found =
            crate::expand::scan::with_decoded(set, matcher, text, origin, coverage, found);
        // A byte-order mark alone does not make UTF-16: `FF FE` in front of ASCII decodes to
        // CJK and would hide every key behind it. Real UTF-16 text is full of NUL bytes (it
        // sniffs as binary), so only such impostors are also matched as the bytes they are.
        if !is_binary(bytes) {
            found.extend(
                structured(set, matcher, bytes, origin, coverage)
                    .unwrap_or_else(|| findings_in_blob(set, matcher, bytes, origin, coverage)),
            );
        }
        return found;
    }
    if is_binary(bytes) {
        coverage.skip(SkipReason::Binary);
        return Vec::new();
    }
    coverage.scanned(bytes.len());
    if std::str::from_utf8(bytes).is_err() {
        coverage.non_utf8();
    }
    let found = structured(set, matcher, bytes, origin, coverage)
        .unwrap_or_else(|| findings_in_blob(set, matcher, bytes, origin, coverage));
    crate::expand::scan::with_decoded(set, matcher, bytes, origin, coverage, found)
}

/// Read a file within the size limit, counting what cannot be read. Never writes, never blocks
/// on a FIFO, never follows a link (see [`crate::source::fs::read_bounded`]).
fn read_file(entry: &FileEntry, limits: Limits, coverage: &Coverage) -> Option<Vec<u8>> {
    use crate::source::fs::{ReadRefusal, read_bounded};
    read_bounded(&entry.path, limits.max_file_size)
        .map_err(|refusal| {
            coverage.skip(match refusal {
                ReadRefusal::TooLarge => SkipReason::TooLarge,
                ReadRefusal::Special => SkipReason::SpecialFile,
                ReadRefusal::Symlink => SkipReason::Symlink,
                ReadRefusal::Unreadable => SkipReason::Unreadable,
            })
        })
        .ok()
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

/// Scan unique git blobs in parallel, each exactly once. Every worker opens its own handle on
/// the repository (`git2::Repository` is not `Sync`). Missing objects (partial or shallow
/// clones) and corrupt ones are counted, never fatal. Returns findings per blob, sorted by blob.
pub fn scan_git_blobs(
    git_dir: &std::path::Path,
    blobs: &[git2::Oid],
    set: &RuleSet,
    limits: Limits,
    coverage: &Coverage,
    bar: &indicatif::ProgressBar,
) -> Vec<(git2::Oid, Vec<Finding>)> {
    scan_git_blobs_at(
        git_dir,
        blobs,
        &|_| String::new(),
        set,
        limits,
        coverage,
        bar,
    )
}

/// As [`scan_git_blobs`], naming each blob by a path it appears at, so that config-store
/// parsing recognises store files in history too.
pub fn scan_git_blobs_at(
    git_dir: &std::path::Path,
    blobs: &[git2::Oid],
    path_of: &(dyn Fn(git2::Oid) -> String + Sync),
    set: &RuleSet,
    limits: Limits,
    coverage: &Coverage,
    bar: &indicatif::ProgressBar,
) -> Vec<(git2::Oid, Vec<Finding>)> {
    let mut out: Vec<(git2::Oid, Vec<Finding>)> = blobs
        .par_iter()
        .map_init(
            || (git2::Repository::open(git_dir).ok(), set.matcher()),
            |(repo, matcher), oid| {
                bar.inc(1);
                let Some(repo) = repo.as_ref() else {
                    // This worker could not open the repository: its blobs are unread, not clean.
                    coverage.skip(SkipReason::Unreadable);
                    return None;
                };
                let bytes = read_git_blob(repo, *oid, limits, coverage)?;
                let origin = Origin {
                    path: path_of(*oid),
                    source: SourceKind::GitHistory,
                    store: None,
                };
                let found = guarded(coverage, || {
                    scan_bytes(
                        set,
                        matcher,
                        &bytes,
                        &origin,
                        coverage,
                        &crate::source::config_stores::structured_scan,
                    )
                });
                (!found.is_empty()).then_some((*oid, found))
            },
        )
        .flatten()
        .collect();
    out.sort_by_key(|(oid, _)| *oid);
    out
}

/// Run `work` on every item in parallel, each worker with its own matcher (image layers, whose
/// reading and matching are the source's own). Results come back in item order.
pub fn scan_each<T: Sync, R: Send>(
    items: &[T],
    set: &RuleSet,
    work: &(dyn Fn(&T, &mut Matcher<'_>) -> R + Sync),
) -> Vec<R> {
    items
        .par_iter()
        .map_init(|| set.matcher(), |matcher, item| work(item, matcher))
        .collect()
}

/// Read one blob within the size limit; count what is missing, corrupt or too large.
fn read_git_blob(
    repo: &git2::Repository,
    oid: git2::Oid,
    limits: Limits,
    coverage: &Coverage,
) -> Option<Vec<u8>> {
    let odb = repo.odb().ok()?;
    match odb.read_header(oid) {
        Ok((size, _)) if size as u64 > limits.max_file_size => {
            coverage.skip(SkipReason::TooLarge);
            return None;
        }
        Ok(_) => {}
        Err(e) => {
            coverage.skip(missing_or_corrupt(&e));
            return None;
        }
    }
    match odb.read(oid) {
        Ok(obj) => Some(obj.data().to_vec()),
        Err(e) => {
            coverage.skip(missing_or_corrupt(&e));
            None
        }
    }
}

fn missing_or_corrupt(e: &git2::Error) -> SkipReason {
    if e.code() == git2::ErrorCode::NotFound {
        SkipReason::MissingObject
    } else {
        SkipReason::CorruptObject
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_while_matching_one_blob_is_counted_not_fatal() {
        let coverage = Coverage::default();
        let found = guarded(&coverage, || panic!("hostile blob"));
        assert!(found.is_empty());
        assert_eq!(coverage.snapshot().skipped["internal-error"], 1);
        assert!(guarded(&coverage, Vec::new).is_empty());
        assert_eq!(coverage.snapshot().skipped["internal-error"], 1);
    }
}
