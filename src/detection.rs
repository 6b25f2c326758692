//! The parts of detection that `scan --history` and `sweep` share, so that both find the same
//! secrets in the same history.
//!
//! Two inputs besides the bytes decide what a history blob yields, and both used to differ
//! between the two commands:
//! - the path that names the blob while it is matched: the generic detector scores by file kind
//!   (tests, docs, vendored code, lock files) and config-store parsing recognises store files by
//!   name, so a blob matched without a path yields findings a scan never reports. Every history
//!   blob is matched under [`blob_path`], its first path in the walk;
//! - the report threshold: findings below `--confidence` are dropped by [`keep_confident`] after
//!   matching and attribution, never before storing, so a sweep's stored matcher output serves
//!   any threshold.

use crate::coverage::Coverage;
use crate::finding::Finding;
use crate::matcher::RuleSet;
use crate::pipeline::{self, Limits};
use crate::rules::Confidence;
use crate::source::git::history::HistoryIndex;
use git2::Oid;
use std::path::Path;

/// The path a history blob is matched under: the first place the walk met it at ("" when the
/// walk does not know the blob).
pub fn blob_path(index: &HistoryIndex, blob: Oid) -> String {
    index.first_path(blob)
}

/// Match `blobs` of the history `index` describes, each once, each named by [`blob_path`].
/// Runs on the current rayon pool; returns findings per blob with matches, sorted by blob.
pub fn match_history_blobs(
    git_dir: &Path,
    index: &HistoryIndex,
    blobs: &[Oid],
    set: &RuleSet,
    limits: Limits,
    coverage: &Coverage,
    bar: &indicatif::ProgressBar,
) -> Vec<(Oid, Vec<Finding>)> {
    let path_of = |oid: Oid| blob_path(index, oid);
    pipeline::scan_git_blobs_at(git_dir, blobs, &path_of, set, limits, coverage, bar)
}

/// Keep the findings at or above the `--confidence` threshold.
pub fn keep_confident(min: Confidence, findings: &mut Vec<Finding>) {
    findings.retain(|f| f.confidence >= min);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(confidence: Confidence) -> Finding {
        Finding {
            confidence,
            ..crate::verify::testutil::finding("generic", "a.py", 1, "s3cr3t-value")
        }
    }

    #[test]
    fn the_threshold_keeps_its_level_and_above() {
        let all = [Confidence::Low, Confidence::Medium, Confidence::High];
        let mut findings: Vec<Finding> = all.iter().map(|c| finding(*c)).collect();
        keep_confident(Confidence::Medium, &mut findings);
        let kept: Vec<Confidence> = findings.iter().map(|f| f.confidence).collect();
        assert_eq!(kept, vec![Confidence::Medium, Confidence::High]);
        keep_confident(Confidence::Low, &mut findings);
        assert_eq!(findings.len(), 2);
    }
}
