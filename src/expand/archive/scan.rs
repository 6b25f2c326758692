//! The archive stage of [`crate::pipeline::scan_bytes`]: a blob that is an archive is matched
//! entry by entry instead of being skipped as binary.

use super::limits::ArchiveLimits;
use super::walk::{Outcome, walk};
use crate::blob::Origin;
use crate::coverage::{Coverage, SkipReason};
use crate::finding::Finding;
use crate::matcher::{Matcher, RuleSet};
use crate::pipeline::StructuredScan;

/// Separates archive levels in a finding's path: `release.tar.gz!dist/plugin.zip!conf/a.ini`.
pub const ARCHIVE_SEPARATOR: &str = "!";

/// Findings of the entries of `bytes` when it is an archive, or `None` when it is none (or its
/// top level cannot be opened), so that it is scanned as any other blob. Each entry goes
/// through [`crate::pipeline::scan_blob`] with its own origin; limits and damage are counted
/// in `coverage`.
pub fn scan_entries(
    set: &RuleSet,
    matcher: &mut Matcher<'_>,
    bytes: &[u8],
    origin: &Origin,
    coverage: &Coverage,
    structured: &StructuredScan<'_>,
) -> Option<Vec<Finding>> {
    scan_entries_with(
        super::limits::current(),
        set,
        matcher,
        bytes,
        origin,
        coverage,
        structured,
    )
}

/// As [`scan_entries`], with explicit limits.
pub fn scan_entries_with(
    limits: ArchiveLimits,
    set: &RuleSet,
    matcher: &mut Matcher<'_>,
    bytes: &[u8],
    origin: &Origin,
    coverage: &Coverage,
    structured: &StructuredScan<'_>,
) -> Option<Vec<Finding>> {
    if limits.max_depth == 0 {
        return None;
    }
    super::sniff::sniff(bytes)?;
    let mut found = Vec::new();
    let mut visit = |inner: &[String], entry: &[u8]| {
        let child = Origin {
            path: entry_path(&origin.path, inner),
            source: origin.source,
            store: None,
        };
        let mut got = crate::pipeline::guarded(coverage, || {
            crate::pipeline::scan_blob(set, matcher, entry, &child, coverage, structured)
        });
        for f in &mut got {
            f.props.archive_path = std::iter::once(origin.path.clone())
                .chain(inner.iter().cloned())
                .collect();
        }
        found.extend(got);
    };
    let Some(outcome) = walk(bytes, &origin.path, limits, &mut visit) else {
        // Archive magic, but not even its first entry could be located. Binary bytes are
        // counted as a damaged archive (and then as binary); text that merely starts like an
        // archive is scanned as the text it is.
        if crate::blob::is_binary(bytes) {
            coverage.skip(SkipReason::ArchiveCorrupt);
        }
        return None;
    };
    record(coverage, &outcome);
    Some(found)
}

/// The path of an entry: the archive's path and each inner level, joined by `!`.
pub fn entry_path(archive: &str, inner: &[String]) -> String {
    let mut path = archive.to_string();
    for level in inner {
        path.push_str(ARCHIVE_SEPARATOR);
        path.push_str(level);
    }
    path
}

/// Count what walking one archive met.
fn record(coverage: &Coverage, outcome: &Outcome) {
    coverage.archives(outcome.archives, outcome.entries);
    coverage.skip_n(SkipReason::ArchiveLimit, outcome.limit);
    coverage.skip_n(SkipReason::ArchiveCorrupt, outcome.corrupt);
    coverage.skip_n(SkipReason::ArchiveEncrypted, outcome.encrypted);
}
