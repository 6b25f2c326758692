//! Byte-level lexing helpers shared by the extractors: lines, names, operators and values.
//!
//! Everything works on one line of the blob around a keyword hit, so the cost of a blob is the
//! number of hits times the length of their lines, never a rescan per syntax.

use std::ops::Range;

/// Bytes of a credential name: identifiers plus the separators of dotted, kebab and flag names.
pub fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.'
}

pub fn is_quote(b: u8) -> bool {
    b == b'"' || b == b'\'' || b == b'`'
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Separators of command-line words: every ASCII whitespace byte (space, tab, CR, LF, form
/// feed, vertical tab), unlike [`skip_blanks`], which only skips spaces and tabs.
pub fn is_word_space(b: u8) -> bool {
    b.is_ascii_whitespace() || b == 0x0b
}

/// The line around `at`: start offset and end offset (without `\n` / `\r`).
pub fn line_around(bytes: &[u8], at: usize) -> Range<usize> {
    let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
    let mut end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
    if end > start && bytes[end - 1] == b'\r' {
        end -= 1;
    }
    start..end
}

/// The maximal name around the hit `hit`, within `line`; trailing `.` and `-` are not part of it.
pub fn name_around(bytes: &[u8], hit: Range<usize>, line: &Range<usize>) -> Range<usize> {
    let mut s = hit.start;
    while s > line.start && is_name_byte(bytes[s - 1]) {
        s -= 1;
    }
    let mut e = hit.end;
    while e < line.end && is_name_byte(bytes[e]) {
        e += 1;
    }
    while e > s && matches!(bytes[e - 1], b'.' | b'-') {
        e -= 1;
    }
    s..e
}

/// First offset at or after `at` (before `end`) that is not a space or tab.
pub fn skip_blanks(bytes: &[u8], mut at: usize, end: usize) -> usize {
    while at < end && is_blank(bytes[at]) {
        at += 1;
    }
    at
}

/// Last offset before `at` (not before `start`) that is not a space or tab, if any.
pub fn prev_non_blank(bytes: &[u8], at: usize, start: usize) -> Option<usize> {
    (start..at).rev().find(|&i| !is_blank(bytes[i]))
}

/// An assignment-like operator at `at`: `=`, `:=`, `=>`, `:`, `?=`, `||=`. Comparisons (`==`,
/// `!=`, `=~`) and paths (`::`) are not operators. Returns (operator, offset after it).
pub fn assign_op(bytes: &[u8], at: usize, end: usize) -> Option<(&'static str, usize)> {
    let get = |i: usize| if i < end { bytes[i] } else { 0 };
    match (get(at), get(at + 1)) {
        (b'=', b'>') => Some(("=>", at + 2)),
        (b'=', b'=' | b'~') => None,
        (b'=', _) => Some(("=", at + 1)),
        (b':', b'=') => Some((":=", at + 2)),
        (b':', b':') => None,
        (b':', _) => Some((":", at + 1)),
        (b'?', b'=') => Some(("=", at + 2)),
        (b'|', b'|') if get(at + 2) == b'=' => Some(("=", at + 3)),
        _ => None,
    }
}

/// A value as written: where its text is and how it was delimited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    /// The text of the value (inside the quotes when quoted).
    pub span: Range<usize>,
    pub quoted: bool,
    /// An interpolating string (`f"..."`, `$"..."`, a JS template) holding an interpolation.
    pub interpolated: bool,
    /// First offset after the value (after its closing quote).
    pub after: usize,
}

/// Bytes that end an unquoted value.
fn ends_bare(b: u8) -> bool {
    b.is_ascii_whitespace()
        || matches!(
            b,
            b',' | b';' | b')' | b'(' | b'}' | b']' | b'"' | b'\'' | b'`' | b'&' | b'<'
        )
}

/// Parse the value starting at `at` (after blanks): a quoted string on this line (with Python
/// `r`/`b`/`f`, C# `@`/`$` prefixes) or a bare word. YAML block scalars and triple-quoted strings
/// (`|`, `>`, `"""`) are not parsed: their text is on other lines.
pub fn parse_value(bytes: &[u8], at: usize, end: usize) -> Option<Value> {
    parse_value_with(bytes, at, end, |from, end| bare_scan(bytes, from, end))
}

/// [`parse_value`] with the end of a bare value found by `bare_end(from, end)` (which must
/// agree with [`bare_scan`]; a caller may answer from a memo).
pub fn parse_value_with(
    bytes: &[u8],
    at: usize,
    end: usize,
    bare_end: impl Fn(usize, usize) -> usize,
) -> Option<Value> {
    let mut p = skip_blanks(bytes, at, end);
    if p >= end {
        return None;
    }
    let mut interpolating = false;
    let mut q = p;
    while q < end
        && q < p + 2
        && matches!(
            bytes[q],
            b'r' | b'b' | b'u' | b'f' | b'R' | b'B' | b'F' | b'@' | b'$'
        )
    {
        q += 1;
    }
    if q < end && q > p && matches!(bytes[q], b'"' | b'\'') {
        interpolating = bytes[p..q].iter().any(|&c| matches!(c, b'f' | b'F' | b'$'));
        p = q;
    }
    let c = bytes[p];
    if is_quote(c) {
        if bytes.get(p + 1) == Some(&c) && bytes.get(p + 2) == Some(&c) {
            return None;
        }
        let close = closing_quote(bytes, p + 1, end, c)?;
        let text = &bytes[p + 1..close];
        let has_interp = if c == b'`' {
            memchr::memmem::find(text, b"${").is_some()
        } else {
            interpolating && memchr::memchr(b'{', text).is_some()
        };
        return Some(Value {
            span: p + 1..close,
            quoted: true,
            interpolated: has_interp,
            after: close + 1,
        });
    }
    if matches!(c, b'|' | b'>') {
        return None;
    }
    let e = bare_end(p, end);
    Some(Value {
        span: p..e,
        quoted: false,
        interpolated: false,
        after: e,
    })
}

/// Where an unquoted value starting at `p` ends (no further than `end`): at whitespace, a
/// quote or a separator, except that `}` and `]` closing a `{`/`[` opened inside the value are
/// part of it (`${VAR}`, `a[0]`).
pub fn bare_scan(bytes: &[u8], p: usize, end: usize) -> usize {
    let mut e = p;
    let mut depth = 0usize;
    while e < end {
        match bytes[e] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' if depth > 0 => depth -= 1,
            b if ends_bare(b) => break,
            _ => {}
        }
        e += 1;
    }
    e
}

/// Offset of the quote `q` that closes a string opened before `from`, skipping `\` escapes.
fn closing_quote(bytes: &[u8], from: usize, end: usize, q: u8) -> Option<usize> {
    let mut i = from;
    while i < end {
        // Jump to the next quote or backslash: a long string costs one memchr, not a byte loop.
        i += memchr::memchr2(q, b'\\', &bytes[i..end])?;
        if bytes[i] == q {
            return Some(i);
        }
        i += 2;
    }
    None
}

/// True when `at` sits inside a string literal opened earlier on the line (an odd number of
/// unescaped `"` or `'` before it): a name embedded in a connection string, URL or command.
/// The detector asks [`super::line::LineFacts::inside_string`], which counts the same way from a
/// cursor; this is the plain definition it is tested against.
#[cfg(test)]
pub fn inside_string(bytes: &[u8], line_start: usize, at: usize) -> bool {
    let mut dq = 0;
    let mut sq = 0;
    let mut i = line_start;
    while i < at {
        match bytes[i] {
            b'\\' => i += 1,
            b'"' if sq % 2 == 0 => dq += 1,
            b'\'' if dq % 2 == 0 => sq += 1,
            _ => {}
        }
        i += 1;
    }
    dq % 2 == 1 || sq % 2 == 1
}

/// Lowercase word just before offset `at` (skipping blanks and one quote), e.g. the `name` in
/// `name="password"` when `at` points at the `=`.
pub fn word_before(bytes: &[u8], at: usize, line_start: usize) -> Option<String> {
    let mut e = prev_non_blank(bytes, at, line_start)? + 1;
    if is_quote(bytes[e - 1]) {
        e -= 1;
    }
    let mut s = e;
    while s > line_start && (bytes[s - 1].is_ascii_alphanumeric() || bytes[s - 1] == b'_') {
        s -= 1;
    }
    (s < e).then(|| String::from_utf8_lossy(&bytes[s..e]).to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(b: &[u8], v: &Value) -> String {
        String::from_utf8_lossy(&b[v.span.clone()]).into_owned()
    }

    #[test]
    fn values_quoted_bare_and_prefixed() {
        let b = br#" "a\"b" rest"#;
        let v = parse_value(b, 0, b.len()).unwrap();
        assert_eq!(text(b, &v), r#"a\"b"#);
        assert!(v.quoted);
        let b = b"hunter2; x";
        assert_eq!(text(b, &parse_value(b, 0, b.len()).unwrap()), "hunter2");
        let b = b"f'{x}abc'";
        assert!(parse_value(b, 0, b.len()).unwrap().interpolated);
        let b = b"r'raw'";
        assert_eq!(text(b, &parse_value(b, 0, b.len()).unwrap()), "raw");
        assert_eq!(parse_value(b"|", 0, 1), None);
        assert_eq!(parse_value(b"\"\"\"doc", 0, 6), None);
        assert_eq!(parse_value(b"'open", 0, 5), None);
    }

    #[test]
    fn operators_and_context() {
        assert_eq!(assign_op(b"= x", 0, 3), Some(("=", 1)));
        assert_eq!(assign_op(b"== x", 0, 4), None);
        assert_eq!(assign_op(b":: x", 0, 4), None);
        assert_eq!(assign_op(b"=> x", 0, 4), Some(("=>", 2)));
        assert!(inside_string(b"x = \"Server=a;Password=b\"", 0, 15));
        assert!(!inside_string(b"\"a\" Password=b", 0, 4));
        assert_eq!(word_before(b"<p name=", 7, 0).as_deref(), Some("name"));
        let b = b"a\r\nbcd\nef";
        assert_eq!(line_around(b, 4), 3..6);
    }
}
