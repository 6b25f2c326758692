//! Where a parsed value is written in its file, found in time linear in the file's size.
//!
//! Parsers hand back values without positions, and their maps come back sorted by key, not in
//! file order. Looking each value up with a fresh substring search (from a cursor, then from the
//! start) cost a pass over the file per value that was escaped or not found: minutes for a
//! 12 MB `terraform.tfstate` or a notebook of 20,000 cells. Instead:
//! - JSON files are tokenized once: every string (decoded, so escaped values are found too) and
//!   number maps to the spans where it is written;
//! - any other lookup is a substring search remembered per needle, and all such searches
//!   together read at most a fixed multiple of the file ([`Locator::exhausted`] then tells that
//!   some values were left without a position).

use std::collections::HashMap;
use std::ops::Range;

/// How many times over the file the substring searches may read in total, plus a constant.
const SEARCH_BUDGET_FACTOR: usize = 8;
const SEARCH_BUDGET_BASE: usize = 4 << 20;

/// Finds where values are written in one file.
pub struct Locator<'a> {
    bytes: &'a [u8],
    /// JSON: decoded string or number text → the spans of its raw text, in file order.
    tokens: Option<HashMap<String, Vec<Range<usize>>>>,
    /// Substring searches already made: needle → (first occurrence, last query, its answer).
    searched: HashMap<Vec<u8>, Searched>,
    budget: usize,
    exhausted: bool,
}

#[derive(Clone)]
struct Searched {
    first: Option<usize>,
    last_from: usize,
    last_found: Option<usize>,
}

impl<'a> Locator<'a> {
    /// A locator for `bytes`; `json` when the file is JSON (then it is tokenized once).
    pub fn new(bytes: &'a [u8], json: bool) -> Locator<'a> {
        Locator {
            bytes,
            tokens: json.then(|| json_tokens(bytes)),
            searched: HashMap::new(),
            budget: bytes
                .len()
                .saturating_mul(SEARCH_BUDGET_FACTOR)
                .saturating_add(SEARCH_BUDGET_BASE),
            exhausted: false,
        }
    }

    /// True when the search budget ran out: some values got no position.
    pub fn exhausted(&self) -> bool {
        self.exhausted
    }

    /// Where the value `text` is written: its first place at or after `from`, else its first
    /// place in the file. A JSON string is found as written, escapes and all; a multi-line value
    /// that is not written as one piece is placed at its first line.
    pub fn value(&mut self, text: &str, from: usize) -> Option<Range<usize>> {
        if let Some(span) = self.token(text, from) {
            return Some(span);
        }
        if let Some(span) = self.find(text.as_bytes(), from) {
            return Some(span);
        }
        let first = text
            .split_inclusive('\n')
            .next()
            .filter(|l| l.len() < text.len())?;
        self.token(first, from)
            .or_else(|| self.find(first.trim_end_matches(['\n', '\r']).as_bytes(), from))
    }

    /// A JSON token whose decoded text is `text`.
    fn token(&self, text: &str, from: usize) -> Option<Range<usize>> {
        let spans = self.tokens.as_ref()?.get(text)?;
        let i = spans.partition_point(|s| s.start < from);
        spans.get(i).or(spans.first()).cloned()
    }

    /// `needle` as written: its first occurrence at or after `from`, else its first one.
    pub fn find(&mut self, needle: &[u8], from: usize) -> Option<Range<usize>> {
        if needle.is_empty() {
            return None;
        }
        let from = from.min(self.bytes.len());
        let known = self.searched.get(needle).cloned();
        let at = match known {
            Some(s) if s.last_from == from => s.last_found.or(s.first),
            Some(s) if s.first.is_none() => None,
            // The last answer still stands for a later start that does not pass it.
            Some(s) if s.last_from <= from && s.last_found.is_some_and(|f| f >= from) => {
                s.last_found
            }
            Some(s) => {
                let found = self.search(needle, from);
                self.remember(needle, s.first, from, found);
                found.or(s.first)
            }
            None => {
                let found = self.search(needle, from);
                // The first occurrence is before `from` or the one just found: read only the
                // part before `from` for it.
                let before = if from == 0 {
                    None
                } else {
                    self.search_in(needle, 0, from + needle.len() - 1)
                };
                let first = before.or(found);
                self.remember(needle, first, from, found);
                found.or(first)
            }
        };
        at.map(|a| a..a + needle.len())
    }

    fn remember(&mut self, needle: &[u8], first: Option<usize>, from: usize, found: Option<usize>) {
        self.searched.insert(
            needle.to_vec(),
            Searched {
                first,
                last_from: from,
                last_found: found,
            },
        );
    }

    /// One substring search from `from`, charged to the budget (what it read).
    fn search(&mut self, needle: &[u8], from: usize) -> Option<usize> {
        self.search_in(needle, from, self.bytes.len())
    }

    /// A substring search in `from..to`, charged to the budget (what it read).
    fn search_in(&mut self, needle: &[u8], from: usize, to: usize) -> Option<usize> {
        if self.budget == 0 {
            self.exhausted = true;
            return None;
        }
        let hay = &self.bytes[from..to.min(self.bytes.len())];
        // Never read more than the budget left: a search cut short counts as not found.
        let limit = hay.len().min(self.budget.saturating_add(needle.len()));
        let found = memchr::memmem::find(&hay[..limit], needle);
        let read = found.map_or(limit, |i| i + needle.len());
        self.budget = self.budget.saturating_sub(read);
        if found.is_none() && limit < hay.len() {
            self.exhausted = true;
        }
        found.map(|i| from + i)
    }
}

/// Every JSON string (decoded) and number token of `bytes`, with the spans of their raw text
/// (inside the quotes), in file order. Invalid escapes are kept as written; the file has already
/// been parsed, so this never meets anything worse.
fn json_tokens(bytes: &[u8]) -> HashMap<String, Vec<Range<usize>>> {
    let mut out: HashMap<String, Vec<Range<usize>>> = HashMap::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let (text, end) = json_string(bytes, i + 1);
                out.entry(text).or_default().push(i + 1..end);
                i = end + 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < bytes.len()
                    && matches!(bytes[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    i += 1;
                }
                let text = String::from_utf8_lossy(&bytes[start..i]).into_owned();
                out.entry(text).or_default().push(start..i);
            }
            _ => i += 1,
        }
    }
    out
}

/// The decoded text of the JSON string whose content starts at `from`, and the offset of its
/// closing quote (or the end of input).
fn json_string(bytes: &[u8], from: usize) -> (String, usize) {
    let mut raw: Vec<u8> = Vec::new();
    let mut i = from;
    while i < bytes.len() {
        let Some(j) = memchr::memchr2(b'"', b'\\', &bytes[i..]) else {
            raw.extend_from_slice(&bytes[i..]);
            i = bytes.len();
            break;
        };
        raw.extend_from_slice(&bytes[i..i + j]);
        i += j;
        if bytes[i] == b'"' {
            break;
        }
        let esc = bytes.get(i + 1).copied().unwrap_or(b'\\');
        let simple = match esc {
            b'n' => Some(b'\n'),
            b't' => Some(b'\t'),
            b'r' => Some(b'\r'),
            b'b' => Some(0x08),
            b'f' => Some(0x0c),
            b'"' | b'\\' | b'/' => Some(esc),
            _ => None,
        };
        if let Some(c) = simple {
            raw.push(c);
            i += 2;
            continue;
        }
        if esc == b'u'
            && let Some((c, len)) = unicode_escape(bytes, i)
        {
            let mut buf = [0u8; 4];
            raw.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            i += len;
            continue;
        }
        raw.push(b'\\');
        i += 1;
    }
    (
        String::from_utf8_lossy(&raw).into_owned(),
        i.min(bytes.len()),
    )
}

/// `\uXXXX` (or a surrogate pair `\uD83D\uDE00`) at `at`: the character and the escape's length.
fn unicode_escape(bytes: &[u8], at: usize) -> Option<(char, usize)> {
    let hex = |i: usize| -> Option<u32> {
        let h = bytes.get(i..i + 4)?;
        u32::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()
    };
    let hi = hex(at + 2)?;
    if (0xd800..0xdc00).contains(&hi)
        && bytes.get(at + 6..at + 8) == Some(b"\\u")
        && let Some(lo) = hex(at + 8).filter(|lo| (0xdc00..0xe000).contains(lo))
    {
        let c = char::from_u32(0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00))?;
        return Some((c, 12));
    }
    Some((char::from_u32(hi).unwrap_or('\u{fffd}'), 6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_values_are_found_escaped_or_not() {
        let text = br#"{"a": "x\"y\u00e9\n", "b": 12, "c": "plain", "d": "plain"}"#;
        let mut l = Locator::new(text, true);
        let span = l.value("x\"y\u{e9}\n", 0).unwrap();
        assert_eq!(&text[span], br#"x\"y\u00e9\n"#);
        assert_eq!(&text[l.value("12", 0).unwrap()], b"12");
        let first = l.value("plain", 0).unwrap();
        let second = l.value("plain", first.end).unwrap();
        assert!(second.start > first.start);
        // Past the last one, the first one.
        assert_eq!(l.value("plain", second.end), Some(first));
    }

    #[test]
    fn substring_searches_agree_with_a_plain_search() {
        let text = b"aXbXcXd needle X needle Y needle";
        let mut l = Locator::new(text, false);
        let plain = |n: &[u8], from: usize| {
            memchr::memmem::find(&text[from..], n)
                .map(|i| i + from)
                .or_else(|| memchr::memmem::find(text, n))
        };
        for from in [0, 9, 3, 20, 32, 9, 25, 0, 31] {
            for n in [&b"needle"[..], b"X", b"absent"] {
                assert_eq!(l.find(n, from).map(|r| r.start), plain(n, from), "{from}");
            }
        }
        assert!(!l.exhausted());
    }

    #[test]
    fn multi_line_values_are_placed_at_their_first_line() {
        let text = b"a: |\n  first line\n  second\n";
        let mut l = Locator::new(text, false);
        let span = l.value("first line\nsecond\n", 0).unwrap();
        assert_eq!(&text[span], b"first line");
    }

    #[test]
    fn the_search_budget_bounds_the_work() {
        let text = vec![b'a'; 1 << 20];
        let mut l = Locator::new(&text, false);
        l.budget = 3 << 20;
        for i in 0..100u32 {
            let _ = l.find(format!("absent{i}").as_bytes(), 0);
        }
        assert!(l.exhausted());
        assert_eq!(l.budget, 0);
    }
}
