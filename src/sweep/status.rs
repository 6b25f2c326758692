//! A finding's status in a sweep, decided from what the state database remembers of it and what
//! this run saw. Pure, so every transition is tested here rather than through repositories.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How a finding stands in this run compared with earlier runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingStatus {
    /// First seen in this run.
    New,
    /// Seen before and still there.
    Present,
    /// Seen before; HEAD no longer holds it (deleted, or history rewritten). The secret still
    /// leaked and must be rotated, so it stays in reports.
    RemovedFromHead,
}

impl FindingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingStatus::New => "new",
            FindingStatus::Present => "present",
            FindingStatus::RemovedFromHead => "removed-from-head",
        }
    }

    pub fn parse(s: &str) -> Option<FindingStatus> {
        [
            FindingStatus::New,
            FindingStatus::Present,
            FindingStatus::RemovedFromHead,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

impl fmt::Display for FindingStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the database remembers of a finding from earlier runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Previous {
    pub status: FindingStatus,
    pub in_head: Option<bool>,
}

/// What this run saw of a finding that history still reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub in_head: Option<bool>,
    /// Attribution found the HEAD-line commit that removed it.
    pub removed_on_head_line: bool,
}

/// Status of a finding history still reaches. A secret that was never in HEAD (a side branch)
/// stays `present`; it becomes `removed-from-head` once HEAD held it and no longer does.
pub fn reachable(previous: Option<Previous>, seen: Seen) -> FindingStatus {
    let Some(prev) = previous else {
        return FindingStatus::New;
    };
    let gone = seen.in_head == Some(false)
        && (seen.removed_on_head_line
            || prev.in_head == Some(true)
            || prev.status == FindingStatus::RemovedFromHead);
    if gone {
        FindingStatus::RemovedFromHead
    } else {
        FindingStatus::Present
    }
}

/// Status of a finding that nothing this run reaches any more (history rewritten, branch
/// deleted): removed from HEAD whatever it was before.
pub fn unreachable() -> FindingStatus {
    FindingStatus::RemovedFromHead
}

/// Status of a finding of a repository whose refs did not change since the last run.
pub fn unchanged(previous: Previous) -> FindingStatus {
    match previous.status {
        FindingStatus::New => FindingStatus::Present,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use FindingStatus::*;

    fn prev(status: FindingStatus, in_head: Option<bool>) -> Option<Previous> {
        Some(Previous { status, in_head })
    }

    fn seen(in_head: Option<bool>, removed: bool) -> Seen {
        Seen {
            in_head,
            removed_on_head_line: removed,
        }
    }

    #[test]
    fn first_sighting_is_new_even_if_already_removed() {
        assert_eq!(reachable(None, seen(Some(true), false)), New);
        assert_eq!(reachable(None, seen(Some(false), true)), New);
    }

    #[test]
    fn leaving_head_is_removed_from_head() {
        assert_eq!(
            reachable(prev(New, Some(true)), seen(Some(true), false)),
            Present
        );
        assert_eq!(
            reachable(prev(Present, Some(true)), seen(Some(false), false)),
            RemovedFromHead
        );
        assert_eq!(
            reachable(prev(RemovedFromHead, Some(false)), seen(Some(false), false)),
            RemovedFromHead
        );
        assert_eq!(
            reachable(prev(New, Some(false)), seen(Some(false), true)),
            RemovedFromHead
        );
    }

    #[test]
    fn side_branch_secret_stays_present_and_can_come_back() {
        assert_eq!(
            reachable(prev(New, Some(false)), seen(Some(false), false)),
            Present
        );
        assert_eq!(
            reachable(prev(RemovedFromHead, Some(false)), seen(Some(true), false)),
            Present
        );
    }

    #[test]
    fn unchanged_repositories_age_new_findings() {
        let p = |s| Previous {
            status: s,
            in_head: Some(true),
        };
        assert_eq!(unchanged(p(New)), Present);
        assert_eq!(unchanged(p(RemovedFromHead)), RemovedFromHead);
        assert_eq!(unreachable(), RemovedFromHead);
        assert_eq!(
            FindingStatus::parse("removed-from-head"),
            Some(RemovedFromHead)
        );
    }
}
