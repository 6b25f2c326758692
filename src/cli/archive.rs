//! Flags bounding archive expansion (shared by `scan` and `sweep`).

use super::scan::parse_size;
use crate::expand::archive::ArchiveLimits;
use clap::Args;

/// Bounds that make archive bombs harmless (see docs/archives-and-images.md).
#[derive(Debug, Clone, Args)]
pub struct ArchiveArgs {
    /// Archive levels opened: 1 reads an archive's entries, 3 also archives nested two deep;
    /// 0 skips archives as binary.
    #[arg(long, value_name = "N", default_value_t = 3, help_heading = "Archives")]
    pub archive_max_depth: usize,
    /// Largest archive entry read, decompressed (bytes, or with K/M/G suffix); larger entries
    /// are skipped and counted (`archive-limit`).
    #[arg(long, value_name = "SIZE", default_value = "25M", value_parser = parse_size, help_heading = "Archives")]
    pub archive_max_entry_size: u64,
    /// Decompressed bytes read from one archive, nested ones included; past it the archive
    /// stops (`archive-limit`).
    #[arg(long, value_name = "SIZE", default_value = "1G", value_parser = parse_size, help_heading = "Archives")]
    pub archive_max_total: u64,
    /// Decompressed bytes per byte of archive before it is taken for a bomb and stopped (past
    /// the first 16 MiB).
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..), help_heading = "Archives")]
    pub archive_max_ratio: u64,
    /// Entries read from one archive, nested ones included; past it the archive stops.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 100_000,
        help_heading = "Archives"
    )]
    pub archive_max_entries: u64,
}

impl ArchiveArgs {
    /// The limits these flags set.
    pub fn limits(&self) -> ArchiveLimits {
        ArchiveLimits {
            max_entry_bytes: self.archive_max_entry_size,
            max_total_bytes: self.archive_max_total,
            max_ratio: self.archive_max_ratio,
            max_entries: self.archive_max_entries,
            max_depth: self.archive_max_depth,
        }
    }
}
