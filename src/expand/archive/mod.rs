//! Archives as an expansion: a blob whose bytes are a zip (jar, war, ear, whl, nupkg, apk,
//! vsix, xpi, ...), a tar, or a gzip/bzip2/xz/zstd stream (a compressed tar or one compressed
//! file) yields its entries as child blobs. Each entry is matched like any blob; its findings
//! keep the blob's `source` and are named by the path inside the artifact, one `!` per archive
//! level (`release.tar.gz!dist/plugin.zip!conf/settings.ini`), with the same list in the
//! `archive_path` property. See `docs/archives-and-images.md`.
//!
//! Formats are recognised by their first bytes ([`sniff`]), never by file name. Bombs are made
//! harmless by [`ArchiveLimits`]: a hit limit skips the entry or stops the archive, is counted
//! in the coverage record (`archive-limit`, `archive-corrupt`, `archive-encrypted`) and the
//! scan goes on.

mod limits;
mod scan;
pub mod sniff;
mod walk;

pub use limits::{
    ArchiveLimits, Budget, Counted, EntryRead, RATIO_FLOOR, current as current_limits, read_entry,
    set_current as set_limits,
};
pub use scan::{ARCHIVE_SEPARATOR, entry_path, scan_entries, scan_entries_with};
pub use sniff::{Kind, sniff};
pub use walk::{Outcome, Visit, walk};
