//! The archive expander on hostile bytes: format sniffing, zip/tar/gzip/bzip2/xz/zstd reading,
//! nesting and every limit. Besides "no panic, no hang", the walk must keep its promises: no
//! entry larger than the per-entry bound, one path level per archive level (never deeper than
//! the depth bound), and an entry count that matches what was handed over. Then the same bytes
//! go through `scan_entries_with` with the embedded rules.
#![no_main]

use keytrace::coverage::Coverage;
use keytrace::expand::archive::{ArchiveLimits, scan_entries_with, walk};
use libfuzzer_sys::fuzz_target;

/// Small bounds, so that a bomb is found by the fuzzer without exhausting its memory limit.
const LIMITS: ArchiveLimits = ArchiveLimits {
    max_entry_bytes: 1 << 20,
    max_total_bytes: 8 << 20,
    max_ratio: 100,
    max_entries: 1000,
    max_depth: 3,
};

fuzz_target!(|data: &[u8]| {
    let mut visited = 0u64;
    let mut visit = |path: &[String], bytes: &[u8]| {
        visited += 1;
        assert!(bytes.len() as u64 <= LIMITS.max_entry_bytes);
        assert!(!path.is_empty() && path.len() <= LIMITS.max_depth);
    };
    if let Some(outcome) = walk(data, "fuzz.bin", LIMITS, &mut visit) {
        assert_eq!(outcome.entries, visited);
        assert!(outcome.archives >= 1);
    }
    let set = keytrace_fuzz::embedded_set();
    let mut matcher = set.matcher();
    let origin = keytrace::blob::Origin {
        path: "fuzz.bin".into(),
        ..Default::default()
    };
    let coverage = Coverage::default();
    if let Some(found) = scan_entries_with(
        LIMITS,
        set,
        &mut matcher,
        data,
        &origin,
        &coverage,
        &keytrace::pipeline::plain_text,
    ) {
        keytrace_fuzz::check_findings(&found);
        for f in &found {
            assert!(f.location.path.starts_with("fuzz.bin!"));
            assert_eq!(f.props.archive_path.first().map(String::as_str), Some("fuzz.bin"));
        }
    }
});
