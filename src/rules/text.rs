//! The small text files that users and repositories hand keytrace (rule files, `keytrace.toml`,
//! baselines, CODEOWNERS): read with a size cap, checked as UTF-8 with the line of the first bad
//! byte, and error messages folded onto one bounded line.
//!
//! Why: these files may come from the repository being scanned, so they are hostile input. A
//! parser's error message can hold a multi-line excerpt (regex errors draw a caret under the
//! pattern) or a whole over-long value; printed as is, one bad file floods the terminal or a CI
//! log. Every message built from such a file goes through [`one_line`], and any user-supplied
//! value quoted in it through [`excerpt`].

use std::io::Read;
use std::path::Path;

/// Longest error message kept, in characters; the rest is cut with an ellipsis.
pub const MAX_MESSAGE: usize = 300;
/// Characters of a quoted value kept by [`excerpt`].
pub const EXCERPT: usize = 40;

/// A text file that could not be read: its path and, where known, the 1-based line.
#[derive(Debug, thiserror::Error)]
#[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct TextFileError {
    pub path: String,
    pub line: Option<usize>,
    pub message: String,
    /// The I/O error kind when reading failed (e.g. `NotFound`).
    pub kind: Option<std::io::ErrorKind>,
}

/// Read `path` as UTF-8 text of at most `limit` bytes. Invalid UTF-8 is an error naming the line
/// of the first bad byte; a larger file is an error (nothing past `limit` + 1 bytes is read, so a
/// device or an endless stream cannot exhaust memory).
pub fn read_text(path: &Path, limit: u64) -> Result<String, TextFileError> {
    let err = |line, message: String, kind| TextFileError {
        path: path.display().to_string(),
        line,
        message: one_line(&message),
        kind,
    };
    let file = std::fs::File::open(path).map_err(|e| err(None, e.to_string(), Some(e.kind())))?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| err(None, e.to_string(), Some(e.kind())))?;
    if bytes.len() as u64 > limit {
        return Err(err(
            None,
            format!("larger than {} bytes; not read", limit),
            None,
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = line_of_offset(e.as_bytes(), at);
        err(Some(line), "not valid UTF-8".into(), None)
    })
}

/// 1-based line number of byte `offset` in `text` (clamped to its length).
pub fn line_of_offset(text: &[u8], offset: usize) -> usize {
    memchr::memchr_iter(b'\n', &text[..offset.min(text.len())]).count() + 1
}

/// `message` on one line: every run of whitespace (newlines included) becomes one space, other
/// control characters are escaped, and at most [`MAX_MESSAGE`] characters are kept.
pub fn one_line(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(MAX_MESSAGE + 4));
    let mut chars = 0;
    let mut pending_space = false;
    for c in message.trim().chars() {
        if chars >= MAX_MESSAGE {
            out.push('…');
            return out;
        }
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space {
            out.push(' ');
            chars += 1;
            pending_space = false;
        }
        push_escaped(&mut out, c);
        chars += 1;
    }
    out
}

/// A value quoted in a message: its first [`EXCERPT`] characters with control characters
/// escaped, and when cut, an ellipsis and the full length in bytes.
pub fn excerpt(value: &str) -> String {
    excerpt_n(value, EXCERPT)
}

/// [`excerpt`] keeping up to `max` characters.
pub fn excerpt_n(value: &str, max: usize) -> String {
    let mut out = String::new();
    for (n, c) in value.chars().enumerate() {
        if n == max {
            out.push_str(&format!("… ({} bytes)", value.len()));
            return out;
        }
        push_escaped(&mut out, c);
    }
    out
}

fn push_escaped(out: &mut String, c: char) {
    if c.is_control() {
        out.extend(c.escape_default());
    } else {
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_errors_fold_onto_one_line() {
        let pattern = String::from("(unclosed");
        let e = regex::Regex::new(&pattern).unwrap_err().to_string();
        assert!(e.contains('\n'), "regex errors are multi-line: {e}");
        let line = one_line(&e);
        assert!(!line.contains('\n'), "{line}");
        assert!(line.contains("unclosed group"), "{line}");
    }

    #[test]
    fn long_messages_and_values_are_cut() {
        let long = "x".repeat(1_000_000);
        assert!(one_line(&long).chars().count() <= MAX_MESSAGE + 1);
        let e = excerpt(&long);
        assert!(e.len() < 100, "{e}");
        assert!(e.contains("1000000 bytes"), "{e}");
        assert_eq!(excerpt("short"), "short");
        assert_eq!(excerpt("a\u{1b}[31m\nb"), "a\\u{1b}[31m\\nb");
    }

    #[test]
    fn read_text_names_the_line_of_invalid_utf8_and_caps_the_size() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.toml");
        std::fs::write(&p, b"a = 1\nb = 2\nc = \"\xff\"\n").unwrap();
        let e = read_text(&p, 1000).unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(
            e.to_string().starts_with(&format!("{}:3: ", p.display())),
            "{e}"
        );
        std::fs::write(&p, vec![b'a'; 2000]).unwrap();
        let e = read_text(&p, 1000).unwrap_err().to_string();
        assert!(e.contains("larger than 1000 bytes"), "{e}");
        std::fs::write(&p, "ok\n").unwrap();
        assert_eq!(read_text(&p, 1000).unwrap(), "ok\n");
        let missing = read_text(&dir.path().join("none"), 10).unwrap_err();
        assert_eq!(missing.kind, Some(std::io::ErrorKind::NotFound));
    }

    #[test]
    fn line_of_offset_clamps() {
        assert_eq!(line_of_offset(b"a\nb\nc", 0), 1);
        assert_eq!(line_of_offset(b"a\nb\nc", 2), 2);
        assert_eq!(line_of_offset(b"a\nb\nc", 99), 3);
    }
}
