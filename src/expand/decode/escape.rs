//! String-literal escapes of JSON, C, JavaScript and Python: `\n`, `\t`, `\/`, `\"`, `\uXXXX`
//! (JSON's surrogate pairs included, decoded by `serde_json`) and `\xXX`. A line is decoded when
//! an escape hides something: a `\u` or `\x` escape, an escaped slash (PHP's `json_encode`
//! writes base64 keys so), or a `\n`/`\t`/`\r` run straight into a word (`…\nAKIA…`, where the
//! key has no word boundary before it). A `"\n"` at the end of a string hides nothing and does
//! not make a line a candidate.

use crate::expand::{Budget, Encoding, View};

/// Shortest word after a `\n`, `\t` or `\r` that makes the escape telling.
const MIN_WORD: usize = 16;

/// The escape at `at` (a backslash): its length and what it stands for.
fn escape_at(text: &[u8], at: usize) -> Option<(usize, String)> {
    let next = *text.get(at + 1)?;
    let simple = match next {
        b'n' => Some('\n'),
        b't' => Some('\t'),
        b'r' => Some('\r'),
        b'"' => Some('"'),
        b'\'' => Some('\''),
        b'\\' => Some('\\'),
        b'/' => Some('/'),
        _ => None,
    };
    if let Some(c) = simple {
        return Some((2, c.to_string()));
    }
    match next {
        b'x' => {
            let hex = text.get(at + 2..at + 4)?;
            let hex = std::str::from_utf8(hex).ok()?;
            let byte = u8::from_str_radix(hex, 16).ok()?;
            (byte.is_ascii() && (byte >= 0x20 || matches!(byte, b'\t' | b'\n' | b'\r')))
                .then(|| (4, char::from(byte).to_string()))
        }
        b'u' => {
            // A surrogate pair is two escapes; serde_json joins them.
            let pair = text
                .get(at..at + 12)
                .filter(|p| p[6] == b'\\' && p[7] == b'u');
            for token in [pair, text.get(at..at + 6)].into_iter().flatten() {
                let token = std::str::from_utf8(token).ok()?;
                if let Ok(s) = serde_json::from_str::<String>(&format!("\"{token}\"")) {
                    if !s.contains('\u{fffd}')
                        && !s
                            .chars()
                            .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
                    {
                        return Some((token.len(), s));
                    }
                }
            }
            None
        }
        _ => None,
    }
}

/// Whether the escape at `at` hides something (see the module doc).
fn telling(line: &[u8], at: usize) -> bool {
    match line.get(at + 1) {
        Some(b'u' | b'x' | b'/') => escape_at(line, at).is_some(),
        // Only a word long enough to be a key: `"line one\nline two"` is prose.
        Some(b'n' | b't' | b'r') => {
            line[(at + 2).min(line.len())..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
                .count()
                >= MIN_WORD
        }
        _ => false,
    }
}

fn has_telling_escape(line: &[u8]) -> bool {
    let mut i = 0;
    while let Some(at) = memchr::memchr(b'\\', &line[i..]).map(|o| i + o) {
        if line.get(at + 1) == Some(&b'\\') {
            i = at + 2;
            continue;
        }
        if telling(line, at) {
            return true;
        }
        i = at + 1;
    }
    false
}

/// Views of every block of lines holding a telling escape.
pub fn views(text: &[u8], budget: &mut Budget, out: &mut Vec<View>) {
    if memchr::memchr(b'\\', text).is_none() {
        return;
    }
    for block in super::line_blocks(text, b'\\', has_telling_escape) {
        let (decoded, map) = super::substitute(text, block, b'\\', |line, at, out| {
            escape_at(line, at).map(|(len, value)| {
                out.extend_from_slice(value.as_bytes());
                len
            })
        });
        if budget.take(decoded.len()) {
            out.push(View {
                encoding: Encoding::StringEscape,
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
    fn unicode_hex_and_slash_escapes_decode_and_map_back() {
        let text = r#"{"k": "sk\u002dproj\x2dab\/c", "e": "\ud83d\ude00"}"#;
        let got = views_of(text);
        assert_eq!(got.len(), 1);
        assert_eq!(
            String::from_utf8(got[0].text.clone()).unwrap(),
            "{\"k\": \"sk-proj-ab/c\", \"e\": \"\u{1F600}\"}"
        );
        let at = "{\"k\": \"".len();
        let span = got[0].map.to_parent(at..at + "sk-proj-ab/c".len());
        assert_eq!(&text[span], r"sk\u002dproj\x2dab\/c");
    }

    #[test]
    fn a_newline_escape_before_a_word_makes_a_view() {
        let got = views_of(r#"env = "A=1\nAKIAIOSFODNN7EXAMPLF\n""#);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].text, b"env = \"A=1\nAKIAIOSFODNN7EXAMPLF\n\"");
    }

    #[test]
    fn plain_escapes_and_broken_ones_are_not_views() {
        assert!(views_of(r#"printf("done\n");"#).is_empty());
        assert!(views_of(r#"path = "C:\\new\\table""#).is_empty());
        assert!(views_of(r"\u12 \x \uzzzz \ud800 \").is_empty());
    }
}
