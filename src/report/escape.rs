//! Escaping for human eyes: every string a person reads on a terminal (file names, rule names
//! from user rule files, config keys, identity values, authors, refs, notes, owners) may come
//! from an attacker. Raw control characters would let it move the cursor, recolour or clear the
//! screen, set the window title, or hide a line; bidi overrides reorder what is shown. Each such
//! character is rendered as a visible escape (`\x1b`, `\n`, `\u{202e}`) so what is printed is
//! one line of inert text.

use std::borrow::Cow;
use std::fmt::Write;

/// Bidi controls that reorder displayed text (embeddings, overrides, isolates, marks).
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// Whether `c` is shown as an escape: C0 and C1 controls, DEL, bidi controls, and the Unicode
/// line and paragraph separators (which some terminals and viewers treat as line breaks).
pub fn needs_escape(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// `s` with every control, DEL, bidi control and line separator rendered as a visible escape;
/// borrowed unchanged when there is none. The result never holds a line break.
pub fn for_terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) && (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        for s in ["", "config/app.env", "café 東京 🙂", "a\\x1b"] {
            assert!(matches!(for_terminal(s), Cow::Borrowed(t) if t == s), "{s}");
        }
    }

    #[test]
    fn controls_become_visible_escapes() {
        assert_eq!(for_terminal("a\x1b[31mred\nb.env"), "a\\x1b[31mred\\nb.env");
        assert_eq!(for_terminal("x\r\t\0\x7f"), "x\\r\\t\\x00\\x7f");
        assert_eq!(for_terminal("\u{9b}2J"), "\\u{9b}2J");
        assert_eq!(for_terminal("abc\u{202e}fdp.exe"), "abc\\u{202e}fdp.exe");
        assert_eq!(for_terminal("\u{2066}x\u{2069}"), "\\u{2066}x\\u{2069}");
        assert_eq!(for_terminal("l\u{2028}p\u{2029}"), "l\\u{2028}p\\u{2029}");
    }

    #[test]
    fn no_escaped_form_holds_a_dangerous_character() {
        let all: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        let out = for_terminal(&all);
        assert!(!out.chars().any(needs_escape));
        assert!(!out.contains('\n') && !out.contains('\x1b'));
    }
}
