//! The decoders, one module per encoding. Each finds its own candidate spans in a text (cheap
//! byte checks first), decodes only those, and returns one [`View`] per decoded span, charged to
//! the blob's [`Budget`]. A decoder never fails: what does not decode is not a view.

pub mod base64;
pub mod concat;
pub mod escape;
pub mod html;
pub mod line_prefix;
pub mod percent;
pub mod quoted_printable;

use super::{Budget, MapBuilder, OffsetMap, View};

/// A decoder: appends its views of a text, charged to the budget.
type Decoder = fn(&[u8], &mut Budget, &mut Vec<View>);

/// Every decoder's views of `text`, in decoder order.
pub fn views(text: &[u8], budget: &mut Budget) -> Vec<View> {
    let mut out = Vec::new();
    let decoders: [Decoder; 7] = [
        base64::views,
        percent::views,
        html::views,
        escape::views,
        concat::views,
        quoted_printable::views,
        line_prefix::views,
    ];
    for decoder in decoders {
        if budget.exhausted() {
            budget.refused += 1;
            break;
        }
        decoder(text, budget, &mut out);
    }
    out
}

/// `text[span]` with every escape replaced by what it stands for, and the map back. `trigger`
/// is the byte every escape starts with; `escape(line, at, out)` is asked at each one (`line`
/// ends where the span ends) and, for an escape, writes its value to the empty `out` and
/// returns its length in `line`; otherwise it returns `None`.
pub fn substitute(
    text: &[u8],
    span: std::ops::Range<usize>,
    trigger: u8,
    mut escape: impl FnMut(&[u8], usize, &mut Vec<u8>) -> Option<usize>,
) -> (Vec<u8>, OffsetMap) {
    let line = &text[..span.end];
    let mut decoded = Vec::with_capacity(span.len());
    let mut map = MapBuilder::new(span.start);
    let mut i = span.start;
    let mut copied_from = i;
    let mut value = Vec::new();
    while let Some(at) = memchr::memchr(trigger, &line[i..]).map(|o| i + o) {
        value.clear();
        match escape(line, at, &mut value) {
            Some(len) => {
                decoded.extend_from_slice(&line[copied_from..at]);
                map.copy(at - copied_from);
                decoded.extend_from_slice(&value);
                map.replace(len, value.len());
                i = at + len;
                copied_from = i;
            }
            None => i = at + 1,
        }
    }
    decoded.extend_from_slice(&line[copied_from..]);
    map.copy(span.end - copied_from);
    (decoded, map.finish())
}

/// Decoded bytes that read as text: valid UTF-8 with at most one control character (other than
/// tab, CR, LF) in twenty. Binary decodings (images, ciphertext, random key material) fail.
pub fn is_text(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let controls = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n'))
        .count();
    controls * 20 <= text.chars().count()
}

/// The spans of the lines of `text` (without their `\n`) that hold `trigger` and for which
/// `wanted` holds, with neighbouring lines merged into one span: a decoder that works line by
/// line turns each block into one view, so that context on the next line is matched with it.
/// Only lines holding `trigger` are looked at (found with `memchr`, not line by line).
pub fn line_blocks(
    text: &[u8],
    trigger: u8,
    mut wanted: impl FnMut(&[u8]) -> bool,
) -> Vec<std::ops::Range<usize>> {
    let mut blocks: Vec<std::ops::Range<usize>> = Vec::new();
    let mut from = 0;
    while let Some(at) = memchr::memchr(trigger, &text[from..]).map(|i| from + i) {
        let start = memchr::memrchr(b'\n', &text[..at]).map_or(0, |i| i + 1);
        let end = memchr::memchr(b'\n', &text[at..]).map_or(text.len(), |i| at + i);
        if wanted(&text[start..end]) {
            match blocks.last_mut() {
                Some(last) if last.end + 1 == start => last.end = end,
                _ => blocks.push(start..end),
            }
        }
        from = end + 1;
        if from >= text.len() {
            break;
        }
    }
    blocks
}

/// A decoder's views of `text` under the default limits (for the decoders' tests).
#[cfg(test)]
pub(crate) fn views_of(decoder: Decoder, text: &str) -> Vec<View> {
    let mut out = Vec::new();
    decoder(
        text.as_bytes(),
        &mut Budget::new(&super::Limits::default()),
        &mut out,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_binary() {
        assert!(is_text(b"user: admin\npassword: hunter22\n"));
        assert!(is_text("clé: valeur".as_bytes()));
        assert!(!is_text(b"\x00\x01\x02abc"));
        assert!(!is_text(b"\xff\xfeabc"));
    }

    #[test]
    fn wanted_lines_merge_into_blocks() {
        let text = b"a%20\nb%20\nc\nd%20\ne%\n%";
        let blocks = line_blocks(text, b'%', |l| l.ends_with(b"%20"));
        assert_eq!(blocks, vec![0..9, 12..16]);
        assert_eq!(line_blocks(b"%%\n\n%%", b'%', |_| true), vec![0..2, 4..6]);
        assert!(line_blocks(b"", b'%', |_| true).is_empty());
    }
}
