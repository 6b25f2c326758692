//! Percent-encoding (`%2D`) in URLs, query strings and form bodies. Each block of lines holding
//! an escape becomes one view, with the escapes decoded by the `percent-encoding` crate and
//! everything else copied, so a key split by `%2D` or a password with `%40` is matched whole
//! and with its name. Escapes of control characters other than tab, CR and LF stay as written
//! (`%02x` in a format string is not an escape).

use crate::expand::{Budget, Encoding, View};

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
    for block in super::line_blocks(text, b'%', has_escape) {
        if let Some(view) = decode_block(text, block, budget) {
            out.push(view);
        }
    }
}

fn decode_block(text: &[u8], block: std::ops::Range<usize>, budget: &mut Budget) -> Option<View> {
    let (decoded, map) = super::substitute(text, block, b'%', |line, at, out| {
        escape_at(line, at).map(|byte| {
            out.push(byte);
            3
        })
    });
    if std::str::from_utf8(&decoded).is_err() || !budget.take(decoded.len()) {
        return None;
    }
    Some(View {
        encoding: Encoding::Percent,
        text: decoded,
        map,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn views_of(text: &str) -> Vec<View> {
        crate::expand::decode::views_of(views, text)
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
