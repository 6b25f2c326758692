//! The bounds that make archive bombs harmless, and the byte counter that enforces them.
//!
//! Every decompressed byte pulled from an archive (at any nesting level, including bytes a
//! reader skips over) passes through a [`Counted`] reader that charges it to one [`Budget`]
//! per top-level archive. Entries are read into memory only up to the per-entry bound, so the
//! memory an archive can take is bounded by `max_entry_bytes` times the nesting depth, and the
//! time by `max_total_bytes` and the ratio bound, whatever the archive declares.

use std::cell::Cell;
use std::io::{self, Read};
use std::sync::RwLock;

/// Bounds on the expansion of one archive and everything nested in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// Largest entry read (decompressed bytes); a larger entry is skipped and counted.
    pub max_entry_bytes: u64,
    /// Decompressed bytes over the whole archive, nested archives included; past it the
    /// archive stops.
    pub max_total_bytes: u64,
    /// Decompressed bytes per byte of the top-level archive; past it (and past
    /// [`RATIO_FLOOR`]) the archive stops.
    pub max_ratio: u64,
    /// Entries (files, directories, links) over the whole archive; past it the archive stops.
    pub max_entries: u64,
    /// Archive levels opened: 1 opens the archive's own entries only, 3 (the default) also
    /// opens archives nested in it two deep. 0 turns archive expansion off.
    pub max_depth: usize,
}

/// Decompressed bytes an archive may always produce, whatever its ratio: small archives of
/// very compressible text are not bombs.
pub const RATIO_FLOOR: u64 = 16 << 20;

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            max_entry_bytes: 25 << 20,
            max_total_bytes: 1 << 30,
            max_ratio: 100,
            max_entries: 100_000,
            max_depth: 3,
        }
    }
}

static CURRENT: RwLock<Option<ArchiveLimits>> = RwLock::new(None);

/// Set the limits every later expansion in this process uses (the command line's flags).
/// Expansion runs deep inside [`crate::pipeline::scan_bytes`], which every source calls; the
/// limits are a process-wide setting rather than one more argument through every source.
pub fn set_current(limits: ArchiveLimits) {
    if let Ok(mut current) = CURRENT.write() {
        *current = Some(limits);
    }
}

/// The limits in force: those set by [`set_current`], else the defaults.
pub fn current() -> ArchiveLimits {
    CURRENT.read().ok().and_then(|c| *c).unwrap_or_default()
}

/// Decompressed bytes and entries charged to one top-level archive.
#[derive(Debug)]
pub struct Budget {
    limits: ArchiveLimits,
    /// Bytes the ratio bound allows for this archive.
    ratio_allowance: u64,
    bytes: Cell<u64>,
    entries: Cell<u64>,
    exceeded: Cell<bool>,
}

impl Budget {
    /// The budget of a top-level archive of `archive_len` bytes.
    pub fn new(limits: ArchiveLimits, archive_len: usize) -> Budget {
        let ratio_allowance = limits
            .max_ratio
            .saturating_mul(archive_len as u64)
            .max(RATIO_FLOOR);
        Budget {
            limits,
            ratio_allowance,
            bytes: Cell::new(0),
            entries: Cell::new(0),
            exceeded: Cell::new(false),
        }
    }

    pub fn limits(&self) -> &ArchiveLimits {
        &self.limits
    }

    /// Charge `n` decompressed bytes; false once the archive has gone past a bound.
    fn charge_bytes(&self, n: usize) -> bool {
        let total = self.bytes.get().saturating_add(n as u64);
        self.bytes.set(total);
        if total > self.limits.max_total_bytes || total > self.ratio_allowance {
            self.exceeded.set(true);
        }
        !self.exceeded.get()
    }

    /// Charge one entry; false once the archive has more entries than allowed.
    pub fn charge_entry(&self) -> bool {
        let n = self.entries.get() + 1;
        self.entries.set(n);
        if n > self.limits.max_entries {
            self.exceeded.set(true);
        }
        !self.exceeded.get()
    }

    /// Whether a bound of the whole archive was passed (the archive stops).
    pub fn exceeded(&self) -> bool {
        self.exceeded.get()
    }

    /// Decompressed bytes charged so far.
    pub fn bytes(&self) -> u64 {
        self.bytes.get()
    }
}

/// A reader that charges what it reads to a [`Budget`] and fails once the budget is spent.
pub struct Counted<'b, R> {
    inner: R,
    budget: &'b Budget,
}

impl<'b, R: Read> Counted<'b, R> {
    pub fn new(inner: R, budget: &'b Budget) -> Self {
        Counted { inner, budget }
    }
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.budget.exceeded() {
            return Err(io::Error::other("archive limit reached"));
        }
        let n = self.inner.read(buf)?;
        if !self.budget.charge_bytes(n) {
            return Err(io::Error::other("archive limit reached"));
        }
        Ok(n)
    }
}

/// How reading one entry ended.
#[derive(Debug)]
pub enum EntryRead {
    /// The whole entry, within the per-entry bound.
    Whole(Vec<u8>),
    /// The entry is larger than the per-entry bound: nothing of it is kept.
    TooLarge,
    /// Reading failed (corrupt data, or the archive's budget ran out) after these bytes.
    Failed(Vec<u8>, io::Error),
}

/// Read one entry into memory, never more than `max` bytes (plus one to tell it is larger).
pub fn read_entry(reader: &mut dyn Read, max: u64) -> EntryRead {
    let mut out = Vec::new();
    match reader.take(max.saturating_add(1)).read_to_end(&mut out) {
        Ok(_) if out.len() as u64 > max => EntryRead::TooLarge,
        Ok(_) => EntryRead::Whole(out),
        Err(e) => EntryRead::Failed(out, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_counter_fails_once_the_total_is_spent() {
        let limits = ArchiveLimits {
            max_total_bytes: 10,
            ..ArchiveLimits::default()
        };
        let budget = Budget::new(limits, 1);
        let data = [7u8; 64];
        let mut r = Counted::new(&data[..], &budget);
        assert!(matches!(read_entry(&mut r, 100), EntryRead::Failed(_, _)));
        assert!(budget.exceeded());
    }

    #[test]
    fn an_entry_past_its_bound_is_too_large_and_nothing_is_kept() {
        let budget = Budget::new(ArchiveLimits::default(), 1);
        let data = [7u8; 64];
        let mut r = Counted::new(&data[..], &budget);
        assert!(matches!(read_entry(&mut r, 10), EntryRead::TooLarge));
        assert!(!budget.exceeded());
        let mut r = Counted::new(&data[..], &budget);
        assert!(matches!(read_entry(&mut r, 64), EntryRead::Whole(v) if v.len() == 64));
    }

    #[test]
    fn the_ratio_bound_applies_past_its_floor() {
        let limits = ArchiveLimits {
            max_ratio: 2,
            ..ArchiveLimits::default()
        };
        let budget = Budget::new(limits, 1000);
        assert!(budget.charge_bytes(RATIO_FLOOR as usize));
        assert!(!budget.charge_bytes(1));
    }

    #[test]
    fn entries_are_bounded() {
        let limits = ArchiveLimits {
            max_entries: 2,
            ..ArchiveLimits::default()
        };
        let budget = Budget::new(limits, 1);
        assert!(budget.charge_entry() && budget.charge_entry());
        assert!(!budget.charge_entry());
    }
}
