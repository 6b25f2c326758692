//! Less common ways to give a credential name its value, recognised around the name before the
//! assignment reader looks for an operator: comparisons (`password == "v"`, `pwd.equals("v")`),
//! C and RPM macros (`#define DB_PASSWORD "v"`, `%define admin_password v`), and upper-case
//! option constants passed as an argument (`curl_easy_setopt(h, CURLOPT_PASSWORD, "v")`).
//! Each is a byte-level check on one line; none allocates.

use super::lex;
use super::line::LineFacts;
use std::ops::Range;

/// Methods that compare their receiver with their argument: `pwd.equals("x")`.
const EQUALS_METHODS: &[&str] = &[".equals", ".equalsignorecase"];

/// `pwd.equals` → `pwd`: a name read with a comparing method call after it is the receiver.
pub fn without_equals_call(bytes: &[u8], name: Range<usize>) -> Range<usize> {
    let text = &bytes[name.clone()];
    for m in EQUALS_METHODS {
        if text.len() > m.len() && text[text.len() - m.len()..].eq_ignore_ascii_case(m.as_bytes()) {
            return name.start..name.end - m.len();
        }
    }
    name
}

/// A comparison operator at `at`: `==`, `===`, `!=`, `!==`, or a comparing method call
/// (`.equals(`). Returns the offset after it.
pub fn comparison_op(b: &[u8], at: usize, end: usize) -> Option<usize> {
    let rest = &b[at.min(end)..end];
    for op in ["===", "!==", "==", "!="] {
        if rest.starts_with(op.as_bytes()) {
            return Some(at + op.len());
        }
    }
    EQUALS_METHODS.iter().find_map(|m| {
        let call = rest.get(..m.len() + 1)?;
        (call[..m.len()].eq_ignore_ascii_case(m.as_bytes()) && call[m.len()] == b'(')
            .then_some(at + m.len() + 1)
    })
}

/// A C or RPM macro line (`#define NAME value`, `%define name value`, `%global name value`)
/// whose macro name is the one at `name`.
pub fn defines(b: &[u8], facts: &LineFacts, name: &Range<usize>) -> bool {
    let first = facts.first_non_blank(b);
    let end = facts.range.end;
    let (sigil, words): (u8, &[&[u8]]) = match b.get(first) {
        Some(b'#') => (b'#', &[b"define"]),
        Some(b'%') => (b'%', &[b"define", b"global"]),
        _ => return false,
    };
    // `#  define` (indented preprocessor directives); `%define` is written as one word.
    let word = if sigil == b'#' {
        lex::skip_blanks(b, first + 1, end)
    } else {
        first + 1
    };
    words.iter().any(|w| {
        let at = word + w.len();
        at < end
            && b[word..at].eq_ignore_ascii_case(w)
            && at < name.start
            && lex::skip_blanks(b, at, end) == name.start
    })
}

/// An upper-case constant (`CURLOPT_PASSWORD`, `Context.SECURITY_CREDENTIALS`) passed as an
/// argument: after `(` or `,`.
pub fn constant_argument(b: &[u8], name: &Range<usize>, line: &Range<usize>) -> bool {
    let text = &b[name.clone()];
    let last = text.rsplit(|&c| c == b'.').next().unwrap_or(text);
    let constant = last.contains(&b'_')
        && last
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_');
    constant
        && lex::prev_non_blank(b, name.start, line.start)
            .is_some_and(|p| matches!(b[p], b'(' | b','))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparison_operators_and_methods() {
        let b = b"pwd == x; a.equals(\"y\") b != z c === w d = v";
        assert_eq!(comparison_op(b, 4, b.len()), Some(6));
        assert_eq!(comparison_op(b, 11, b.len()), Some(19));
        assert_eq!(comparison_op(b, 26, b.len()), Some(28));
        assert_eq!(comparison_op(b, 33, b.len()), Some(36));
        assert_eq!(comparison_op(b, 41, b.len()), None);
        let name = 0..10;
        assert_eq!(without_equals_call(b"pwd.equals(", name), 0..3);
    }

    #[test]
    fn macro_lines_name_their_macro() {
        for (text, name) in [
            ("#define DB_PASSWORD \"x\"", "DB_PASSWORD"),
            ("  #  define PW \"x\"", "PW"),
            ("%define admin_password x", "admin_password"),
            ("%global db_pass x", "db_pass"),
        ] {
            let b = text.as_bytes();
            let at = text.find(name).unwrap();
            let facts = LineFacts::new(0..b.len());
            assert!(defines(b, &facts, &(at..at + name.len())), "{text}");
        }
        let b = b"#define X PASSWORD";
        let facts = LineFacts::new(0..b.len());
        assert!(!defines(b, &facts, &(10..18)));
        assert!(!defines(
            b"#include PASSWORD",
            &LineFacts::new(0..17),
            &(9..17)
        ));
    }

    #[test]
    fn constants_passed_as_arguments() {
        let b = b"setopt(h, CURLOPT_PASSWORD, x); f(Context.SECURITY_CREDENTIALS, y); g(a, Password, z)";
        let line = 0..b.len();
        assert!(constant_argument(b, &(10..26), &line));
        assert!(constant_argument(b, &(34..62), &line));
        assert!(!constant_argument(b, &(73..81), &line));
    }
}
