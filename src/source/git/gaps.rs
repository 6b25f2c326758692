//! Objects a git scan wanted but could not read. A missing or corrupt object is counted and
//! walked around, never fatal: the caller decides from the counts whether what was read is
//! enough (see `commands::git_scan`).

use git2::{ErrorCode, Oid};
use std::collections::HashSet;

/// Commits, trees or refs that could not be read, each counted once.
#[derive(Debug, Default, Clone)]
pub struct Gaps {
    missing: HashSet<Oid>,
    corrupt: HashSet<Oid>,
    /// Refs whose own file could not be parsed (no object id to count).
    pub unreadable_refs: u64,
}

impl Gaps {
    /// Count `oid` as missing (`NotFound`) or corrupt (any other read error).
    pub fn record(&mut self, oid: Oid, e: &git2::Error) {
        if is_missing(e) {
            self.missing.insert(oid);
        } else {
            self.corrupt.insert(oid);
        }
    }

    /// Objects that do not exist in the repository.
    pub fn missing(&self) -> u64 {
        self.missing.len() as u64
    }

    /// Objects that exist but cannot be decoded (bad zlib stream, wrong type, bad header...).
    pub fn corrupt(&self) -> u64 {
        self.corrupt.len() as u64
    }

    /// Every object or ref counted.
    pub fn total(&self) -> u64 {
        self.missing() + self.corrupt() + self.unreadable_refs
    }

    /// Whether `oid` was counted already.
    pub fn contains(&self, oid: Oid) -> bool {
        self.missing.contains(&oid) || self.corrupt.contains(&oid)
    }
}

/// Whether a read error means "no such object" rather than "an object that cannot be read".
pub fn is_missing(e: &git2::Error) -> bool {
    e.code() == ErrorCode::NotFound
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_object_counts_once_by_kind() {
        let mut gaps = Gaps::default();
        let a = Oid::from_bytes(&[1; 20]).unwrap();
        let b = Oid::from_bytes(&[2; 20]).unwrap();
        let missing = git2::Error::new(ErrorCode::NotFound, git2::ErrorClass::Odb, "gone");
        let corrupt = git2::Error::new(ErrorCode::GenericError, git2::ErrorClass::Zlib, "bad");
        gaps.record(a, &missing);
        gaps.record(a, &missing);
        gaps.record(b, &corrupt);
        gaps.unreadable_refs += 1;
        assert_eq!((gaps.missing(), gaps.corrupt(), gaps.total()), (1, 1, 3));
        assert!(gaps.contains(a) && gaps.contains(b));
    }
}
