//! Quoted-printable (RFC 2045), as in saved e-mails and MIME parts: `=XX` escapes and `=` soft
//! line breaks, which cut a key in two. Cheap by design: only a text that names the encoding
//! (`Content-Transfer-Encoding: quoted-printable`) is looked at, and only its blocks of lines
//! holding an escape or a soft break. Each escape is decoded by the `quoted_printable` crate.

use crate::expand::{Budget, Encoding, View};

fn names_the_encoding(text: &[u8]) -> bool {
    ["quoted-printable", "Quoted-Printable", "QUOTED-PRINTABLE"]
        .iter()
        .any(|name| memchr::memmem::find(text, name.as_bytes()).is_some())
}

/// The escape at `at` (an `=`): its length and the bytes it stands for.
fn escape_at(text: &[u8], at: usize) -> Option<(usize, Vec<u8>)> {
    let rest = &text[at..];
    if rest.starts_with(b"=\r\n") {
        return Some((3, Vec::new()));
    }
    if rest.starts_with(b"=\n") {
        return Some((2, Vec::new()));
    }
    let token = rest.get(..3)?;
    if !token[1..]
        .iter()
        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_lowercase())
    {
        return None;
    }
    let byte = quoted_printable::decode(token, quoted_printable::ParseMode::Strict).ok()?;
    Some((3, byte))
}

fn candidate_line(line: &[u8]) -> bool {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    line.ends_with(b"=")
        || memchr::memchr_iter(b'=', line).any(|i| {
            line.get(i + 1..i + 3).is_some_and(|h| {
                h.iter()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_lowercase())
            })
        })
}

/// Views of every quoted-printable block of a text that names the encoding.
pub fn views(text: &[u8], budget: &mut Budget, out: &mut Vec<View>) {
    if !names_the_encoding(text) {
        return;
    }
    for block in super::line_blocks(text, b'=', candidate_line) {
        if let Some(view) = decode_block(text, block, budget) {
            out.push(view);
        }
    }
}

fn decode_block(text: &[u8], block: std::ops::Range<usize>, budget: &mut Budget) -> Option<View> {
    // A soft break on the block's last line joins the line after it too.
    let lines = &text[block.clone()];
    let end = if lines.strip_suffix(b"\r").unwrap_or(lines).ends_with(b"=") {
        let next = (block.end + 1).min(text.len());
        memchr::memchr(b'\n', &text[next..]).map_or(text.len(), |i| next + i)
    } else {
        block.end
    };
    let (decoded, map) = super::substitute(text, block.start..end, b'=', |line, at, out| {
        escape_at(line, at).map(|(len, bytes)| {
            out.extend_from_slice(&bytes);
            len
        })
    });
    if std::str::from_utf8(&decoded).is_err() || !budget.take(decoded.len()) {
        return None;
    }
    Some(View {
        encoding: Encoding::QuotedPrintable,
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
    fn soft_breaks_and_escapes_decode_in_a_mime_part() {
        let text = "Content-Transfer-Encoding: quoted-printable\n\nkey: sk=2Dproj=2DZq8w=\nV3nR5tY7\nbye\n";
        let got = views_of(text);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].text, b"key: sk-proj-Zq8wV3nR5tY7");
        let at = "key: ".len();
        let span = got[0].map.to_parent(at..at + "sk-proj-Zq8wV3nR5tY7".len());
        assert_eq!(&text[span], "sk=2Dproj=2DZq8w=\nV3nR5tY7");
    }

    #[test]
    fn only_texts_naming_the_encoding_are_looked_at() {
        assert!(views_of("x =\nsk=2Dproj\n").is_empty());
        // A lone `=` at the end is not an escape: it stays as written.
        let lone = views_of("quoted-printable\n=");
        assert_eq!(lone.len(), 1);
        assert_eq!(lone[0].text, b"=");
        assert!(views_of("quoted-printable\n=FF=FE\n").is_empty());
    }
}
