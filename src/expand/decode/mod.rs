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

use super::{Budget, View};

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

/// The spans of the lines of `text` (without their `\n`) for which `wanted` holds, with
/// neighbouring lines merged into one span: a decoder that works line by line turns each
/// block into one view, so that context on the next line is matched with it.
pub fn line_blocks(
    text: &[u8],
    mut wanted: impl FnMut(&[u8]) -> bool,
) -> Vec<std::ops::Range<usize>> {
    let mut blocks: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0;
    while start <= text.len() {
        let end = memchr::memchr(b'\n', &text[start..]).map_or(text.len(), |i| start + i);
        if wanted(&text[start..end]) {
            match blocks.last_mut() {
                Some(last) if last.end + 1 == start => last.end = end,
                _ => blocks.push(start..end),
            }
        }
        start = end + 1;
    }
    blocks
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
        let text = b"a%20\nb%20\nc\nd%20";
        let blocks = line_blocks(text, |l| l.ends_with(b"%20"));
        assert_eq!(blocks, vec![0..9, 12..16]);
    }
}
