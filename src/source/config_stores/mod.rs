//! Config stores: known credential and agent config files, parsed structurally.

use crate::blob::Origin;
use crate::coverage::Coverage;
use crate::finding::Finding;
use crate::matcher::{Matcher, RuleSet};

/// Claim a file whose name marks it as a known config store and scan it structurally.
/// Returns `None` for any other file (it is then scanned as plain text).
pub fn structured_scan(
    _set: &RuleSet,
    _matcher: &mut Matcher<'_>,
    _bytes: &[u8],
    _origin: &Origin,
    _coverage: &Coverage,
) -> Option<Vec<Finding>> {
    None
}
