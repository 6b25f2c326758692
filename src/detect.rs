//! Blob → findings: run the matcher over one blob and turn each raw match into a `Finding`
//! with its location, hashes, redaction and rule metadata; then add the generic detector's
//! findings (`crate::generic`) wherever no provider rule already matched. Single-threaded; the
//! pipeline calls it from each worker with that worker's own matcher.

use crate::blob::Origin;
use crate::coverage::{Coverage, SkipReason};
use crate::finding::{Finding, LineIndex, Properties, location_fingerprint, redact};
use crate::matcher::{Matcher, RawMatch, RuleSet, secret_sha256};

/// Inline marker that suppresses findings on its line.
pub const INLINE_ALLOW: &[u8] = b"keytrace:allow";

/// Findings of one blob. Lines holding `keytrace:allow` yield findings marked as suppressed. A
/// blob with more generic candidates than the detector keeps is counted (`generic-limit`).
pub fn findings_in_blob(
    set: &RuleSet,
    matcher: &mut Matcher<'_>,
    bytes: &[u8],
    origin: &Origin,
    coverage: &Coverage,
) -> Vec<Finding> {
    let raw = matcher.scan(bytes);
    let generic = if matcher.generic_hits().is_empty() {
        Vec::new()
    } else {
        let taken: Vec<_> = raw.iter().map(|m| m.secret.clone()).collect();
        let (found, truncated) =
            crate::generic::generic_findings_at(bytes, origin, matcher.generic_hits(), &taken);
        if truncated || matcher.generic_hits_capped() {
            coverage.skip(SkipReason::GenericLimit);
        }
        found
    };
    if raw.is_empty() {
        return generic;
    }
    let index = LineIndex::new(bytes);
    let mut found: Vec<Finding> = raw
        .iter()
        .map(|m| to_finding(set, m, bytes, &index, origin))
        .collect();
    found.extend(generic);
    found
}

fn to_finding(
    set: &RuleSet,
    m: &RawMatch,
    bytes: &[u8],
    index: &LineIndex,
    origin: &Origin,
) -> Finding {
    let rule = set.rule(m.rule_index);
    let secret = String::from_utf8_lossy(&bytes[m.secret.clone()]).into_owned();
    let location = index.locate(bytes, &origin.path, m.secret.start, m.secret.end);
    let allowed = index.inline_allowed(bytes, location.start_line);
    let mut finding = new_finding(
        rule,
        &secret,
        location,
        allowed,
        origin.source,
        origin.store.clone(),
    );
    crate::attribution::apply_identity(&mut finding, bytes, m.secret.clone());
    finding
}

/// A finding of `rule` for `secret` at `location`, before attribution. `inline_allowed`: the
/// secret's line holds `keytrace:allow`, which marks the finding as suppressed.
pub fn new_finding(
    rule: &crate::rules::Rule,
    secret: &str,
    location: crate::finding::Location,
    inline_allowed: bool,
    source: crate::finding::SourceKind,
    store: Option<String>,
) -> Finding {
    let sha = secret_sha256(secret.as_bytes());
    let fingerprint = location_fingerprint(&rule.id, &sha, &location.path, "");
    Finding {
        rule_id: rule.id.clone(),
        rule_name: rule.name.clone(),
        severity: rule.severity,
        confidence: rule.confidence,
        fails: true,
        location,
        fingerprint,
        props: Properties {
            provider: rule.provider.clone(),
            category: rule.category.clone(),
            long_lived: rule.long_lived,
            redacted: redact(secret),
            secret_sha256: sha,
            source,
            store,
            generic: rule.is_generic(),
            suppressed_by: inline_allowed.then(|| "inline:keytrace:allow".to_string()),
            ..Properties::default()
        },
        secret: Some(secret.to_string()),
    }
}
