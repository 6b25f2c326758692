//! The expansion stage's hook into the pipeline: match every view of a blob, place its findings
//! on the encoded text of the original, and merge them with the blob's own findings so that
//! one secret at one place is reported once.

use super::{Expanded, Limits, expand};
use crate::blob::Origin;
use crate::coverage::{Coverage, SkipReason};
use crate::detect::findings_in_blob;
use crate::finding::{Finding, LineIndex, Location};
use crate::matcher::{Matcher, RuleSet};

/// Rule id of a PEM private key whose body is cut off (reported at medium confidence, and only
/// where no complete key was found at the same place).
pub const TRUNCATED_KEY_ID: &str = "private-key-truncated";

/// `found` (the findings of `bytes` as written) together with the findings of every decoded
/// view of `bytes`. Decoded findings carry the `decoded` property and the location of their
/// encoded text; one already found as written at the same place is dropped, and a provider
/// finding in decoded text replaces a generic finding of its encoded form.
pub fn with_decoded(
    set: &RuleSet,
    matcher: &mut Matcher<'_>,
    bytes: &[u8],
    origin: &Origin,
    coverage: &Coverage,
    found: Vec<Finding>,
) -> Vec<Finding> {
    let expansion = expand(bytes, &Limits::default());
    coverage.skip_n(SkipReason::DecodeBudget, expansion.budget_hits);
    coverage.skip_n(SkipReason::DecodeDepth, expansion.depth_hits);
    let mut found = found;
    if !expansion.views.is_empty() {
        let index = LineIndex::new(bytes);
        let mut decoded = Vec::new();
        for view in &expansion.views {
            let child = findings_in_blob(set, matcher, &view.text, origin, coverage);
            if child.is_empty() {
                continue;
            }
            let lines = line_starts(&view.text);
            for f in child {
                decoded.push(place(f, view, &lines, bytes, &index, &origin.path));
            }
        }
        found = merge(found, decoded);
    }
    drop_truncated_keys_with_a_whole_key(&mut found);
    found
}

/// `f`, found in `view`, moved to the encoded text of the original blob.
fn place(
    mut f: Finding,
    view: &Expanded,
    lines: &[usize],
    bytes: &[u8],
    index: &LineIndex,
    path: &str,
) -> Finding {
    let start = offset_of(
        &view.text,
        lines,
        f.location.start_line,
        f.location.start_column,
    );
    let end = offset_of(
        &view.text,
        lines,
        f.location.end_line,
        f.location.end_column,
    );
    let span = view.to_original(start..end.max(start));
    f.location = index.locate(bytes, path, span.start, span.end);
    if index.inline_allowed(bytes, f.location.start_line) {
        f.props.suppressed_by = Some("inline:keytrace:allow".to_string());
    }
    f.props.decoded = view.chain_names();
    f
}

fn line_starts(text: &[u8]) -> Vec<usize> {
    std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', text).map(|i| i + 1))
        .collect()
}

/// The byte offset of 1-based `line` and UTF-16 `column` in `text` (the inverse of
/// [`LineIndex::position`]; invalid UTF-8 bytes count one column each).
fn offset_of(text: &[u8], lines: &[usize], line: usize, column: usize) -> usize {
    let Some(&start) = line.checked_sub(1).and_then(|i| lines.get(i)) else {
        return text.len();
    };
    let mut units = column.saturating_sub(1);
    let mut at = start;
    for chunk in text[start..].utf8_chunks() {
        for c in chunk.valid().chars() {
            if units == 0 {
                return at;
            }
            units = units.saturating_sub(c.len_utf16());
            at += c.len_utf8();
        }
        for _ in chunk.invalid() {
            if units == 0 {
                return at;
            }
            units -= 1;
            at += 1;
        }
    }
    at.min(text.len())
}

/// (line, column) bounds of a location, for overlap tests.
fn bounds(l: &Location) -> ((usize, usize), (usize, usize)) {
    ((l.start_line, l.start_column), (l.end_line, l.end_column))
}

fn overlap(a: &Finding, b: &Finding) -> bool {
    let (a0, a1) = bounds(&a.location);
    let (b0, b1) = bounds(&b.location);
    a0 < b1 && b0 < a1 || a0 == b0
}

/// `raw` and `decoded` findings of one blob, each secret at each place once.
fn merge(mut raw: Vec<Finding>, decoded: Vec<Finding>) -> Vec<Finding> {
    let mut kept: Vec<Finding> = Vec::new();
    for d in decoded {
        let same = |f: &Finding| f.props.secret_sha256 == d.props.secret_sha256 && overlap(f, &d);
        if raw.iter().any(same) || kept.iter().any(same) {
            continue;
        }
        if d.props.generic {
            // A generic guess adds nothing where something is reported already.
            if raw.iter().chain(&kept).any(|f| overlap(f, &d)) {
                continue;
            }
        } else {
            // A provider key found by decoding explains a generic finding of its encoded form.
            raw.retain(|f| !(f.props.generic && overlap(f, &d)));
            kept.retain(|f| !(f.props.generic && overlap(f, &d)));
        }
        kept.push(d);
    }
    raw.extend(kept);
    raw
}

/// A header-and-body fragment is a truncated key only where no whole key was found.
fn drop_truncated_keys_with_a_whole_key(found: &mut Vec<Finding>) {
    if !found.iter().any(|f| f.rule_id == TRUNCATED_KEY_ID) {
        return;
    }
    let whole: Vec<Finding> = found
        .iter()
        .filter(|f| f.props.category == "private-key" && f.rule_id != TRUNCATED_KEY_ID)
        .cloned()
        .collect();
    found.retain(|f| f.rule_id != TRUNCATED_KEY_ID || !whole.iter().any(|w| overlap(w, f)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Properties;
    use crate::rules::{Confidence, Severity};

    fn at(rule: &str, sha: &str, line: usize, cols: (usize, usize), generic: bool) -> Finding {
        Finding {
            rule_id: rule.into(),
            rule_name: rule.into(),
            severity: Severity::High,
            confidence: Confidence::High,
            fails: true,
            location: Location {
                path: "f".into(),
                start_line: line,
                start_column: cols.0,
                end_line: line,
                end_column: cols.1,
            },
            fingerprint: String::new(),
            secret: None,
            props: Properties {
                secret_sha256: sha.into(),
                generic,
                category: if rule.starts_with("private-key") {
                    "private-key".into()
                } else {
                    "x".into()
                },
                ..Properties::default()
            },
        }
    }

    fn ids(found: &[Finding]) -> Vec<(&str, usize)> {
        found
            .iter()
            .map(|f| (f.rule_id.as_str(), f.location.start_line))
            .collect()
    }

    #[test]
    fn decoded_duplicates_go_and_provider_keys_replace_generic_guesses() {
        let raw = vec![
            at("acme", "a", 1, (5, 20), false),
            at("generic-token", "g", 2, (5, 40), true),
        ];
        let decoded = vec![
            // The same secret at the same place: dropped.
            at("acme", "a", 1, (7, 18), false),
            // The same secret elsewhere: a second place, kept.
            at("acme", "a", 3, (1, 9), false),
            // A provider key inside the generic guess's span: replaces it.
            at("openai", "o", 2, (9, 30), false),
            // A generic guess where something is reported: dropped.
            at("generic-password", "p", 1, (6, 9), true),
        ];
        let merged = merge(raw, decoded);
        assert_eq!(ids(&merged), [("acme", 1), ("acme", 3), ("openai", 2)]);
    }

    #[test]
    fn a_truncated_key_goes_where_a_whole_key_was_found() {
        let mut found = vec![
            at("private-key-rsa", "k", 4, (1, 30), false),
            at(TRUNCATED_KEY_ID, "t", 4, (1, 60), false),
            at(TRUNCATED_KEY_ID, "u", 9, (1, 60), false),
        ];
        drop_truncated_keys_with_a_whole_key(&mut found);
        assert_eq!(ids(&found), [("private-key-rsa", 4), (TRUNCATED_KEY_ID, 9)]);
    }

    #[test]
    fn offsets_invert_line_index_positions() {
        let text = ["ab\ncé\u{1F600}x=K\n".as_bytes(), b"\xffz\xffq"].concat();
        let lines = line_starts(&text);
        let index = LineIndex::new(&text);
        for offset in 0..=text.len() {
            if offset < text.len() && (text[offset] & 0xC0) == 0x80 {
                continue;
            }
            let (line, column) = index.position(&text, offset);
            assert_eq!(offset_of(&text, &lines, line, column), offset, "{offset}");
        }
    }
}
