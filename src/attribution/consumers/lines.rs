//! Line numbers for structured files parsed without positions: the first line at or after an
//! anchor that holds a needle as a whole word.

/// Byte offset → 1-based line.
pub fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Whether `hay` holds `needle` with no identifier character on either side.
pub fn has_word(hay: &str, needle: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    hay.match_indices(needle).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + needle.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

/// The 1-based line of the first line at or after line `from` (1-based) that holds `needle` as
/// a word; else the first such line anywhere; else `from`.
pub fn find_line(text: &str, needle: &str, from: usize) -> usize {
    let mut first = None;
    for (i, l) in text.lines().enumerate() {
        if has_word(l, needle) {
            if i + 1 >= from {
                return i + 1;
            }
            first.get_or_insert(i + 1);
        }
    }
    first.unwrap_or(from.max(1))
}

/// The 1-based line where the mapping key `key:` is written (at any indentation), at or after
/// line `from`; `from` when not found.
pub fn key_line(text: &str, key: &str, from: usize) -> usize {
    for (i, l) in text.lines().enumerate().skip(from.saturating_sub(1)) {
        let t = l.trim_start().trim_start_matches("- ");
        let t = t.trim_start_matches(['"', '\'']);
        if let Some(rest) = t.strip_prefix(key) {
            let rest = rest.trim_start_matches(['"', '\'']);
            if rest.trim_start().starts_with(':') {
                return i + 1;
            }
        }
    }
    from.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_lines() {
        assert!(has_word("a ${TOKEN} b", "TOKEN"));
        assert!(!has_word("MY_TOKEN_2", "TOKEN"));
        let text = "services:\n  web:\n    x: TOKEN\n  api:\n    y: TOKEN\n";
        assert_eq!(key_line(text, "api", 1), 4);
        assert_eq!(find_line(text, "TOKEN", 4), 5);
        assert_eq!(find_line(text, "TOKEN", 1), 3);
        assert_eq!(line_at(text, 0), 1);
        assert_eq!(line_at(text, text.find("api").unwrap()), 4);
    }
}

/// The variable names a string interpolates: `$NAME`, `${NAME}`, `${NAME:-default}`,
/// `${env:NAME}` (VS Code), `%NAME%` is not read.
pub fn env_refs(s: &str) -> Vec<&str> {
    use regex::Regex;
    use std::sync::LazyLock;
    static REF: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\$\{?(?:env:)?([A-Za-z_][A-Za-z0-9_]*)").expect("env reference regex")
    });
    REF.captures_iter(s)
        .filter_map(|c| c.get(1).map(|m| m.as_str()))
        .collect()
}

#[cfg(test)]
mod ref_tests {
    #[test]
    fn interpolations_are_read() {
        assert_eq!(
            super::env_refs("a $ONE ${TWO} ${THREE:-x} ${env:FOUR} $$"),
            ["ONE", "TWO", "THREE", "FOUR"]
        );
    }
}

/// Like [`find_line`], but the line must also contain `also` (e.g. `name` for an env entry
/// named like the key, `key` for a reference to it).
pub fn find_line_also(text: &str, needle: &str, also: &str, from: usize) -> usize {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| has_word(l, needle) && l.contains(also))
        .map_or_else(|| find_line(text, needle, from), |(i, _)| i + 1)
}
