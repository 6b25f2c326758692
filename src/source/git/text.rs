//! Text that comes out of a repository or out of libgit2, made fit to print on one line.
//!
//! Git names (paths, refs) are bytes, not UTF-8: a lossy conversion would map distinct names to
//! one string, so invalid bytes are written as `\xNN` instead. libgit2 error messages can span
//! lines and quote hostile input (a revspec with a newline, an object header with control
//! bytes): they are collapsed to one line with control characters escaped.

use std::fmt::Write;

/// `bytes` as a string: valid UTF-8 unchanged, every invalid byte as `\xNN`. Distinct
/// byte strings stay distinct unless one of them already spells out such an escape.
pub fn display_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

/// `text` with every control character escaped (`\n`, `\t`, `\u{1b}`...), everything else kept.
pub fn escape_control(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// A message on one line: line breaks (with the blanks around them) become one space, other
/// control characters are escaped.
pub fn one_line(message: &str) -> String {
    let joined = message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    escape_control(&joined)
}

/// A libgit2 error as one line of text.
pub fn git_message(e: &git2::Error) -> String {
    one_line(e.message())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_bytes_are_escaped_and_stay_distinct() {
        assert_eq!(display_bytes(b"plain/\xc3\xa9.txt"), "plain/\u{e9}.txt");
        let a = display_bytes(b"a\xff.env");
        let b = display_bytes(b"a\xfe.env");
        assert_eq!(a, "a\\xff.env");
        assert_ne!(a, b);
    }

    #[test]
    fn messages_become_one_line_with_controls_escaped() {
        assert_eq!(one_line("first\n  second\r\nthird\n"), "first second third");
        assert_eq!(one_line("esc \u{1b}[31m red\tx"), "esc \\u{1b}[31m red\\tx");
        assert_eq!(escape_control("a\nb..HEAD"), "a\\nb..HEAD");
        assert!(!one_line("x\u{85}y\u{7f}").chars().any(char::is_control));
    }
}
