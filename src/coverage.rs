//! The coverage record: what a scan read and what it skipped, by reason, so that an auditor can
//! tell an empty report from an empty scan.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Why something was not scanned (or scanned only in part).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    Binary,
    TooLarge,
    Unreadable,
    Excluded,
    Symlink,
    /// A FIFO, socket or device file: never opened.
    SpecialFile,
    MissingObject,
    CorruptObject,
    Submodule,
    ParseFallback,
    /// The blob held more generic candidates than the detector keeps (a dump, or decoys around
    /// one secret): the first ones are reported, the rest of the blob was not read by it.
    GenericLimit,
    /// The matcher failed on this blob (a bug): the blob was skipped and the scan went on.
    InternalError,
    /// An archive entry past the per-entry size bound or the nesting depth, or an archive
    /// stopped by its total-bytes, ratio or entry-count bound.
    ArchiveLimit,
    /// An archive (or one of its entries) that could not be read: bad headers or data, an
    /// unknown compression method.
    ArchiveCorrupt,
    /// An encrypted archive entry: never decrypted, not scanned.
    ArchiveEncrypted,
    /// Encoded spans of a blob left undecoded: its decoded-bytes or views budget ran out
    /// (`crate::expand::Limits`).
    DecodeBudget,
    /// Encoded spans inside decoded text left undecoded: the nesting depth limit was reached.
    DecodeDepth,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::Binary => "binary",
            SkipReason::TooLarge => "too-large",
            SkipReason::Unreadable => "unreadable",
            SkipReason::Excluded => "excluded",
            SkipReason::Symlink => "symlink",
            SkipReason::SpecialFile => "special-file",
            SkipReason::MissingObject => "missing-object",
            SkipReason::CorruptObject => "corrupt-object",
            SkipReason::Submodule => "submodule",
            SkipReason::ParseFallback => "parse-fallback",
            SkipReason::InternalError => "internal-error",
            SkipReason::GenericLimit => "generic-limit",
            SkipReason::ArchiveLimit => "archive-limit",
            SkipReason::ArchiveCorrupt => "archive-corrupt",
            SkipReason::ArchiveEncrypted => "archive-encrypted",
            SkipReason::DecodeBudget => "decode-budget",
            SkipReason::DecodeDepth => "decode-depth",
        }
    }
}

/// Thread-safe counters filled in while scanning.
#[derive(Debug, Default)]
pub struct Coverage {
    blobs: AtomicU64,
    bytes: AtomicU64,
    non_utf8: AtomicU64,
    utf16: AtomicU64,
    archives: AtomicU64,
    archive_entries: AtomicU64,
    skipped: Mutex<BTreeMap<SkipReason, u64>>,
    notes: Mutex<Vec<String>>,
    references: Mutex<BTreeMap<String, u64>>,
}

impl Coverage {
    pub fn scanned(&self, bytes: usize) {
        self.blobs.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes as u64, Ordering::Relaxed);
    }

    /// A blob that is not valid UTF-8: scanned as bytes, and counted.
    pub fn non_utf8(&self) {
        self.non_utf8.fetch_add(1, Ordering::Relaxed);
    }

    /// A blob of UTF-16 text: decoded, then scanned.
    pub fn utf16(&self) {
        self.utf16.fetch_add(1, Ordering::Relaxed);
    }

    /// Archives opened and the entries handed on from them (each entry is also a blob).
    pub fn archives(&self, archives: u64, entries: u64) {
        self.archives.fetch_add(archives, Ordering::Relaxed);
        self.archive_entries.fetch_add(entries, Ordering::Relaxed);
    }

    pub fn skip(&self, reason: SkipReason) {
        self.skip_n(reason, 1);
    }

    pub fn skip_n(&self, reason: SkipReason, n: u64) {
        if n > 0 {
            *self
                .skipped
                .lock()
                .expect("coverage lock")
                .entry(reason)
                .or_default() += n;
        }
    }

    /// A note for the summary (e.g. a config file that fell back to plain-text scanning).
    pub fn note(&self, text: impl Into<String>) {
        self.notes.lock().expect("coverage lock").push(text.into());
    }

    /// Count a secret-manager reference of `kind` (the reference inventory).
    pub fn reference(&self, kind: &str) {
        *self
            .references
            .lock()
            .expect("coverage lock")
            .entry(kind.to_string())
            .or_default() += 1;
    }

    /// The reference inventory so far: kind → count.
    pub fn references(&self) -> BTreeMap<String, u64> {
        self.references.lock().expect("coverage lock").clone()
    }

    pub fn snapshot(&self) -> CoverageRecord {
        let mut notes = self.notes.lock().expect("coverage lock").clone();
        notes.sort();
        notes.dedup();
        CoverageRecord {
            blobs_scanned: self.blobs.load(Ordering::Relaxed),
            bytes_scanned: self.bytes.load(Ordering::Relaxed),
            non_utf8_scanned_as_bytes: self.non_utf8.load(Ordering::Relaxed),
            utf16_decoded: self.utf16.load(Ordering::Relaxed),
            archives_opened: self.archives.load(Ordering::Relaxed),
            archive_entries: self.archive_entries.load(Ordering::Relaxed),
            skipped: self
                .skipped
                .lock()
                .expect("coverage lock")
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), *v))
                .collect(),
            notes,
        }
    }
}

/// The serialisable coverage record carried by every report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CoverageRecord {
    pub blobs_scanned: u64,
    pub bytes_scanned: u64,
    pub non_utf8_scanned_as_bytes: u64,
    /// Blobs of UTF-16 text, decoded before matching.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub utf16_decoded: u64,
    /// Archives opened (nested ones included), and the entries read from them as blobs.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub archives_opened: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub archive_entries: u64,
    pub skipped: BTreeMap<String, u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl CoverageRecord {
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }

    /// Add another record's counts into this one (sweeps, merges).
    pub fn absorb(&mut self, other: &CoverageRecord) {
        self.blobs_scanned += other.blobs_scanned;
        self.bytes_scanned += other.bytes_scanned;
        self.non_utf8_scanned_as_bytes += other.non_utf8_scanned_as_bytes;
        self.utf16_decoded += other.utf16_decoded;
        self.archives_opened += other.archives_opened;
        self.archive_entries += other.archive_entries;
        for (k, v) in &other.skipped {
            *self.skipped.entry(k.clone()).or_default() += v;
        }
        self.notes.extend(other.notes.iter().cloned());
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}
