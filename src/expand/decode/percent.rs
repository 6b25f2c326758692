//! Percent-encoding (`%2D`) in URLs, query strings and form bodies. Each block of lines holding
//! an escape becomes one view, with the escapes decoded by the `percent-encoding` crate and
//! everything else copied, so a key split by `%2D` or a password with `%40` is matched whole
//! and with its name. Escapes of control characters other than tab, CR and LF stay as written
//! (`%02x` in a format string is not an escape).

use crate::expand::{Budget, Encoding, MapBuilder, View};

/// The byte a `%XX` at `at` stands for, when it is one worth decoding.
fn escape_at(text: &[u8], at: usize) -> Option<u8> {
    let token = text.get(at..at + 3)?;
    if token[0] != b'%' || !token[1].is_ascii_hexdigit() || !token[2].is_ascii_hexdigit() {
        return None;
    }
    let byte = percent_encoding::percent_decode(token).next()?;
    (byte >= 0x20 && byte != 0x7f || matches!(byte, b'\t' | b'\n' | b'\r')).then_some(byte)
}

fn has_escape(line: &[u8]) -> bool {
    memchr::memchr_iter(b'%', line).any(|i| escape_at(line, i).is_some())
}

/// Views of every block of lines holding a percent escape.
pub fn views(text: &[u8], budget: &mut Budget, out: &mut Vec<View>) {
    if memchr::memchr(b'%', text).is_none() {
        return;
    }
    for block in super::line_blocks(text, has_escape) {
        if let Some(view) = decode_block(text, block, budget) {
            out.push(view);
        }
    }
}

fn decode_block(text: &[u8], block: std::ops::Range<usize>, budget: &mut Budget) -> Option<View> {
    let mut decoded = Vec::with_capacity(block.len());
    let mut map = MapBuilder::new(block.start);
    let mut i = block.start;
    let mut copied_from = i;
    while let Some(at) = memchr::memchr(b'%', &text[i..block.end]).map(|o| i + o) {
        match escape_at(&text[..block.end], at) {
            Some(byte) => {
                decoded.extend_from_slice(&text[copied_from..at]);
                map.copy(at - copied_from);
                decoded.push(byte);
                map.replace(3, 1);
                i = at + 3;
                copied_from = i;
            }
            None => i = at + 1,
        }
    }
    decoded.extend_from_slice(&text[copied_from..block.end]);
    map.copy(block.end - copied_from);
    if std::str::from_utf8(&decoded).is_err() || !budget.take(decoded.len()) {
        return None;
    }
    Some(View {
        encoding: Encoding::Percent,
        text: decoded,
        map: map.finish(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expand::Limits;

    fn views_of(text: &str) -> Vec<View> {
        let mut out = Vec::new();
        views(
            text.as_bytes(),
            &mut Budget::new(&Limits::default()),
            &mut out,
        );
        out
    }

    #[test]
    fn escapes_decode_and_map_back() {
        let text = "x\ncallback?token=sk%2Dproj%2Dabc&user=bob%40example.org\ny\n";
        let got = views_of(text);
        assert_eq!(got.len(), 1);
        assert_eq!(
            got[0].text,
            b"callback?token=sk-proj-abc&user=bob@example.org"
        );
        let view_start = "callback?token=".len();
        let span = got[0]
            .map
            .to_parent(view_start..view_start + "sk-proj-abc".len());
        assert_eq!(&text[span], "sk%2Dproj%2Dabc");
    }

    #[test]
    fn format_strings_invalid_utf8_and_truncated_escapes_are_not_views() {
        assert!(views_of("printf(\"%02x %s %d\", b)").is_empty());
        assert!(views_of("100% sure").is_empty());
        assert!(views_of("a=%ff%fe").is_empty());
        assert!(views_of("tail %4").is_empty());
        assert!(views_of("%").is_empty());
    }
}
