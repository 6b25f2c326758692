//! HTML and XML character references (`&#45;`, `&#x2d;`, `&quot;`, `&amp;`), as in attribute
//! values, templates and pasted snippets. Each block of lines holding one becomes a view; every
//! reference is decoded by the `html-escape` crate on its own, so each maps back exactly.

use crate::expand::{Budget, Encoding, View};
use std::borrow::Cow;

/// Longest reference looked at (`&CounterClockwiseContourIntegral;` is 33 bytes).
const MAX_REFERENCE: usize = 40;

/// The length of the reference at `at` and what it decodes to.
fn reference_at(text: &[u8], at: usize) -> Option<(usize, String)> {
    let window = &text[at..text.len().min(at + MAX_REFERENCE)];
    let end = memchr::memchr(b';', window)?;
    let token = std::str::from_utf8(&window[..=end]).ok()?;
    let body = &token[1..end];
    let well_formed = match body.strip_prefix('#') {
        Some(num) => {
            let digits = num.strip_prefix(['x', 'X']).unwrap_or(num);
            !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => !body.is_empty() && body.bytes().all(|b| b.is_ascii_alphanumeric()),
    };
    if !well_formed {
        return None;
    }
    match html_escape::decode_html_entities(token) {
        Cow::Owned(decoded) if decoded != token => Some((token.len(), decoded)),
        _ => None,
    }
}

fn has_reference(line: &[u8]) -> bool {
    memchr::memchr_iter(b'&', line).any(|i| reference_at(line, i).is_some())
}

/// Views of every block of lines holding a character reference.
pub fn views(text: &[u8], budget: &mut Budget, out: &mut Vec<View>) {
    if memchr::memchr(b'&', text).is_none() {
        return;
    }
    for block in super::line_blocks(text, b'&', has_reference) {
        let (decoded, map) = super::substitute(text, block, b'&', |line, at, out| {
            reference_at(line, at).map(|(len, value)| {
                out.extend_from_slice(value.as_bytes());
                len
            })
        });
        if budget.take(decoded.len()) {
            out.push(View {
                encoding: Encoding::HtmlEntity,
                text: decoded,
                map,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn views_of(text: &str) -> Vec<View> {
        crate::expand::decode::views_of(views, text)
    }

    #[test]
    fn references_decode_and_map_back() {
        let text = "<input value=\"sk&#45;proj&#x2D;abc&quot;\">";
        let got = views_of(text);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].text, b"<input value=\"sk-proj-abc\"\">");
        let at = "<input value=\"".len();
        let span = got[0].map.to_parent(at..at + "sk-proj-abc".len());
        assert_eq!(&text[span], "sk&#45;proj&#x2D;abc");
    }

    #[test]
    fn ampersands_that_are_not_references_are_not_views() {
        assert!(views_of("a && b; c & d;").is_empty());
        assert!(views_of("&unknownentity;").is_empty());
        assert!(views_of("&#;&#x;&").is_empty());
    }
}
