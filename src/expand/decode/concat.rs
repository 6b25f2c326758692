//! Adjacent string literals joined into one: `"sk-proj-" + "abc…"` (Java, JavaScript, C#),
//! `"a" . "b"` (PHP), `"a" .. "b"` (Lua), `"a" & "b"` (VB), `"a" || "b"` (SQL), and literals
//! that are simply adjacent, on one line or across lines (C, C++, Python inside parentheses,
//! with or without a `\` line continuation). The view is the first literal's line up to its
//! opening quote (so a name before it stays in view), the literals' contents joined, and the
//! closing quote; escapes inside the literals are left as written (the escape decoder or the
//! rules deal with them).

use crate::expand::{Budget, Encoding, MapBuilder, View};

/// Farthest a junction (`" +\n    "`) may reach.
const MAX_JUNCTION: usize = 256;
/// Shortest joined contents worth a view.
const MIN_CONTENTS: usize = 8;
/// Most literals joined into one view.
const MAX_LITERALS: usize = 512;

/// Where the literal closed by the quote at `close` continues: the opening quote of the next
/// literal, when only blanks, line breaks, a line continuation and one operator lie between.
fn junction(text: &[u8], close: usize) -> Option<usize> {
    let quote = text[close];
    let end = text.len().min(close + 1 + MAX_JUNCTION);
    let mut i = close + 1;
    let mut operator = false;
    while i < end {
        match text[i] {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'\\' if matches!(text.get(i + 1), Some(b'\n' | b'\r')) => i += 1,
            b'+' | b'&' | b'~' if !operator => {
                operator = true;
                i += 1;
            }
            b'.' if !operator => {
                operator = true;
                i += if text.get(i + 1) == Some(&b'.') { 2 } else { 1 };
            }
            b'|' if !operator && text.get(i + 1) == Some(&b'|') => {
                operator = true;
                i += 2;
            }
            b if b == quote => return (i > close + 1).then_some(i),
            _ => return None,
        }
    }
    None
}

/// The opening quote of the literal closed at `close`, on the same line.
fn opening_before(text: &[u8], close: usize) -> Option<usize> {
    let quote = text[close];
    let mut i = close;
    while i > 0 {
        i -= 1;
        match text[i] {
            b'\n' => return None,
            b if b == quote && !escaped(text, i) => return Some(i),
            _ => {}
        }
    }
    None
}

/// The closing quote of the literal opened at `open`, on the same line.
fn closing_after(text: &[u8], open: usize) -> Option<usize> {
    let quote = text[open];
    let mut i = open + 1;
    while i < text.len() {
        match text[i] {
            b'\n' => return None,
            b'\\' => i += 2,
            b if b == quote => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// Whether the byte at `at` is escaped by an odd run of backslashes.
fn escaped(text: &[u8], at: usize) -> bool {
    text[..at].iter().rev().take_while(|b| **b == b'\\').count() % 2 == 1
}

/// Views of every chain of two or more joined literals.
pub fn views(text: &[u8], budget: &mut Budget, out: &mut Vec<View>) {
    // (closing quote, next opening quote) of every junction, in order.
    let mut junctions: Vec<(usize, usize)> = Vec::new();
    for at in memchr::memchr2_iter(b'"', b'\'', text) {
        if let Some(open) = junction(text, at) {
            junctions.push((at, open));
        }
    }
    let mut k = 0;
    while k < junctions.len() {
        let (close, mut open) = junctions[k];
        k += 1;
        let Some(first) = opening_before(text, close) else {
            continue;
        };
        let mut literals = vec![(first, close)];
        while let Some(end) = closing_after(text, open) {
            literals.push((open, end));
            match junctions[k..].iter().position(|&(c, _)| c >= end) {
                Some(p) if junctions[k + p].0 == end && literals.len() < MAX_LITERALS => {
                    open = junctions[k + p].1;
                    k += p + 1;
                }
                _ => break,
            }
        }
        if literals.len() < 2 {
            continue;
        }
        if let Some(view) = join(text, &literals, budget) {
            out.push(view);
        }
        if budget.exhausted() {
            return;
        }
    }
}

/// The view of joined literals `(opening quote, closing quote)`.
fn join(text: &[u8], literals: &[(usize, usize)], budget: &mut Budget) -> Option<View> {
    let contents: usize = literals.iter().map(|(o, c)| c - o - 1).sum();
    if contents < MIN_CONTENTS {
        return None;
    }
    let (first_open, _) = literals[0];
    let line_start = text[..first_open]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let mut decoded = Vec::with_capacity(first_open - line_start + contents + 2);
    let mut map = MapBuilder::new(line_start);
    decoded.extend_from_slice(&text[line_start..=first_open]);
    map.copy(first_open + 1 - line_start);
    let mut previous_close = None;
    for &(open, close) in literals {
        if let Some(prev) = previous_close {
            // The junction, from the previous closing quote to this opening one, disappears.
            map.replace(open + 1 - prev, 0);
        }
        decoded.extend_from_slice(&text[open + 1..close]);
        map.copy(close - open - 1);
        previous_close = Some(close);
    }
    let last_close = previous_close?;
    decoded.push(text[last_close]);
    map.copy(1);
    if !budget.take(decoded.len()) {
        return None;
    }
    Some(View {
        encoding: Encoding::Concatenation,
        text: decoded,
        map: map.finish(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expand::Limits;

    fn views_of(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        views(
            text.as_bytes(),
            &mut Budget::new(&Limits::default()),
            &mut out,
        );
        out.into_iter()
            .map(|v| String::from_utf8(v.text).unwrap())
            .collect()
    }

    #[test]
    fn operators_and_adjacency_across_lines_join() {
        assert_eq!(
            views_of("key = \"sk-proj-\" +\n      \"Zq8wV3nR5tY7\";\n"),
            ["key = \"sk-proj-Zq8wV3nR5tY7\""]
        );
        assert_eq!(
            views_of("KEY = (\"ghp_abc\"\n       \"def123\")"),
            ["KEY = (\"ghp_abcdef123\""]
        );
        assert!(
            views_of("KEY = (\"ghp_abc\"\n       'def123')").is_empty(),
            "different quotes do not join"
        );
        assert_eq!(
            views_of("$k = 'AKIA' . 'ZZZZ' . 'YYYY';"),
            ["$k = 'AKIAZZZZYYYY'"]
        );
        assert_eq!(
            views_of("char *k = \"abcd\" \"efgh\" \\\n  \"ijkl\";"),
            ["char *k = \"abcdefghijkl\""]
        );
    }

    #[test]
    fn the_map_points_at_each_literal() {
        let text = "x = \"abcdefgh\" + \"ijklmnop\"";
        let mut out = Vec::new();
        views(
            text.as_bytes(),
            &mut Budget::new(&Limits::default()),
            &mut out,
        );
        let view = &out[0];
        let at = "x = \"".len();
        assert_eq!(&text[view.map.to_parent(at..at + 8)], "abcdefgh");
        assert_eq!(&text[view.map.to_parent(at + 8..at + 16)], "ijklmnop");
        assert_eq!(
            &text[view.map.to_parent(at..at + 16)],
            "abcdefgh\" + \"ijklmnop"
        );
    }

    #[test]
    fn arguments_statements_and_empty_strings_do_not_join() {
        assert!(views_of("f(\"abcdefgh\", \"ijklmnop\")").is_empty());
        assert!(views_of("a = \"abcdefgh\"\nb = \"ijklmnop\"").is_empty());
        assert!(views_of("s = \"\"\"\"").is_empty());
        assert!(views_of("\"").is_empty());
        assert!(views_of("' + '").is_empty());
    }
}
