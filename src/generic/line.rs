//! Facts about one line of a blob that several keyword hits on that line ask for, computed once
//! per line (lazily) instead of once per hit.
//!
//! Why: a minified file is one long line with thousands of hits. Asking "is this name inside a
//! string?", "does this line read like SQL?" or "where is the next `value` key?" by re-reading
//! the line (or a 2 KB window of it) for every hit made the detector quadratic in practice
//! (10 MB of `password=` took minutes). Each fact here is either memoised for the whole line or
//! advanced by a forward cursor, so a line costs a constant number of passes however many hits
//! it holds.

use super::Syntax;
use super::lex::{self, Value};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::cell::{Cell, OnceCell};
use std::ops::Range;
use std::sync::OnceLock;

/// Lazily computed facts about one line (`range`: without its line break).
pub struct LineFacts {
    pub range: Range<usize>,
    quotes: Cell<QuoteState>,
    first_non_blank: OnceCell<usize>,
    sql: OnceCell<SqlMarks>,
    statements: OnceCell<Vec<usize>>,
    value_words: OnceCell<Vec<Range<usize>>>,
    /// Sibling value on the next line (`- name: X` / `value: v`), per line.
    pub next_line_value: OnceCell<Option<Value>>,
    /// Terraform `default = "x"` in the next lines of a `variable` block, per line.
    pub variable_default: OnceCell<Option<(Syntax, Value)>>,
    /// The last bare-value scan, reused by the next ones inside it.
    bare: Cell<Option<BareScan>>,
}

/// Quote parity from the line start up to `at` (exclusive), as [`lex::inside_string`] counts.
#[derive(Clone, Copy, Default)]
struct QuoteState {
    at: usize,
    pos: usize,
    dq: u32,
    sq: u32,
}

/// Spans of the SQL words `create `/`alter ` and ` user `/` role `/` login ` on a line, in order.
struct SqlMarks {
    verbs: Vec<Range<usize>>,
    objects: Vec<Range<usize>>,
}

/// A bare-value scan from `from` that stopped at `stop`: at a delimiter (`real`) or at the bound
/// it was given; `plain` when no bracket lies in `from..stop` (brackets change where a scan from
/// a later start stops).
#[derive(Clone, Copy)]
struct BareScan {
    from: usize,
    stop: usize,
    real: bool,
    plain: bool,
}

/// Words a statement starts with for `IDENTIFIED BY` (see `special::sql_identified`).
const STATEMENT_WORDS: &[&[u8]] = &[b"user", b"grant", b"role", b"link"];

/// Keys that hold the value of a named setting (see `assign`'s sibling lookup).
pub const VALUE_KEYS: &[&str] = &["value", "parametervalue", "defaultvalue", "val"];

impl LineFacts {
    pub fn new(range: Range<usize>) -> LineFacts {
        LineFacts {
            quotes: Cell::new(QuoteState {
                at: range.start,
                pos: range.start,
                ..QuoteState::default()
            }),
            range,
            first_non_blank: OnceCell::new(),
            sql: OnceCell::new(),
            statements: OnceCell::new(),
            value_words: OnceCell::new(),
            next_line_value: OnceCell::new(),
            variable_default: OnceCell::new(),
            bare: Cell::new(None),
        }
    }

    /// True when `at` sits inside a string literal opened earlier on the line: the count of
    /// [`lex::inside_string`] from the line start, advanced from the previous question when
    /// `at` did not move back (hits arrive in order, so a line is read once).
    pub fn inside_string(&self, bytes: &[u8], at: usize) -> bool {
        let mut s = self.quotes.get();
        if at < s.at {
            s = QuoteState {
                at: self.range.start,
                pos: self.range.start,
                ..QuoteState::default()
            };
        }
        let mut i = s.pos;
        while i < at {
            match bytes[i] {
                b'\\' => i += 1,
                b'"' if s.sq % 2 == 0 => s.dq += 1,
                b'\'' if s.dq % 2 == 0 => s.sq += 1,
                _ => {}
            }
            i += 1;
        }
        s.pos = i;
        s.at = at;
        self.quotes.set(s);
        s.dq % 2 == 1 || s.sq % 2 == 1
    }

    /// Offset of the first byte of the line that is not ASCII whitespace.
    pub fn first_non_blank(&self, bytes: &[u8]) -> usize {
        *self.first_non_blank.get_or_init(|| {
            let line = &bytes[self.range.clone()];
            self.range.end - line.trim_ascii_start().len()
        })
    }

    /// `CREATE USER ... PASSWORD 'x'`: a `create `/`alter ` and a ` user `/` role `/` login `
    /// both lie inside `window` (a part of this line).
    pub fn sql_context(&self, bytes: &[u8], window: &Range<usize>) -> bool {
        let marks = self
            .sql
            .get_or_init(|| sql_marks(&bytes[self.range.clone()], self.range.start));
        // Starts and ends both grow along each list, so the first mark at or after the window's
        // start is the only one that can end inside it first.
        let inside = |list: &[Range<usize>]| {
            let i = list.partition_point(|m| m.start < window.start);
            list.get(i).is_some_and(|m| m.end <= window.end)
        };
        inside(&marks.verbs) && inside(&marks.objects)
    }

    /// A statement word (`user`, `grant`, `role`, `link`: a whole alphanumeric word) lies in
    /// `window`.
    pub fn statement_word(&self, bytes: &[u8], window: &Range<usize>) -> bool {
        let starts = self.statements.get_or_init(|| {
            alnum_words(bytes, self.range.clone())
                .filter(|w| {
                    STATEMENT_WORDS
                        .iter()
                        .any(|s| bytes[w.clone()].eq_ignore_ascii_case(s))
                })
                .map(|w| w.start)
                .collect()
        });
        let i = starts.partition_point(|&s| s < window.start);
        starts.get(i).is_some_and(|&s| {
            let end = s + alnum_run(bytes, s, self.range.end);
            end <= window.end
        })
    }

    /// The first whole name (see [`lex::name_around`]) spelled like one of [`VALUE_KEYS`]
    /// that starts at or after `from` and ends by `end`.
    pub fn value_word(&self, bytes: &[u8], from: usize, end: usize) -> Option<Range<usize>> {
        let words = self.value_words.get_or_init(|| {
            name_words(bytes, self.range.clone())
                .filter(|w| {
                    VALUE_KEYS
                        .iter()
                        .any(|k| bytes[w.clone()].eq_ignore_ascii_case(k.as_bytes()))
                })
                .collect()
        });
        let i = words.partition_point(|w| w.start < from);
        words.get(i).filter(|w| w.end <= end).cloned()
    }

    /// Where a bare (unquoted) value starting at `from` ends, scanning no further than `end`:
    /// the scan of [`lex::parse_value`], reusing the previous one when `from` lies inside a
    /// stretch it already read without brackets (the usual case for many names in one long
    /// word, as in `password=password=…`).
    pub fn bare_end(&self, bytes: &[u8], from: usize, end: usize) -> usize {
        let plain = |r: Range<usize>| !bytes[r].iter().any(|b| matches!(b, b'{' | b'['));
        if let Some(m) = self.bare.get()
            && m.plain
            && m.from <= from
            && from <= m.stop
        {
            if m.real || m.stop >= end {
                return m.stop.min(end);
            }
            let e = lex::bare_scan(bytes, m.stop, end);
            self.bare.set(Some(BareScan {
                stop: e,
                real: e < end,
                plain: plain(m.stop..e),
                ..m
            }));
            return e;
        }
        let e = lex::bare_scan(bytes, from, end);
        self.bare.set(Some(BareScan {
            from,
            stop: e,
            real: e < end,
            plain: plain(from..e),
        }));
        e
    }
}

fn sql_marks(line: &[u8], offset: usize) -> SqlMarks {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    let ac = AC.get_or_init(|| {
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(["create ", "alter ", " user ", " role ", " login "])
            .expect("fixed patterns build")
    });
    let mut marks = SqlMarks {
        verbs: Vec::new(),
        objects: Vec::new(),
    };
    for m in ac.find_overlapping_iter(line) {
        let span = offset + m.start()..offset + m.end();
        if m.pattern().as_usize() < 2 {
            marks.verbs.push(span);
        } else {
            marks.objects.push(span);
        }
    }
    marks
}

/// The first whole name in `range` spelled like one of `keys` (ASCII case-insensitive).
pub fn first_key_word(bytes: &[u8], range: Range<usize>, keys: &[&str]) -> Option<Range<usize>> {
    name_words(bytes, range).find(|w| {
        keys.iter()
            .any(|k| bytes[w.clone()].eq_ignore_ascii_case(k.as_bytes()))
    })
}

/// Maximal runs of ASCII alphanumeric bytes in `range`.
fn alnum_words(bytes: &[u8], range: Range<usize>) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut i = range.start;
    std::iter::from_fn(move || {
        while i < range.end && !bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if i >= range.end {
            return None;
        }
        let s = i;
        i += alnum_run(bytes, i, range.end);
        Some(s..i)
    })
}

fn alnum_run(bytes: &[u8], from: usize, end: usize) -> usize {
    bytes[from..end]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count()
}

/// Maximal runs of name bytes in `range`, without trailing `.` and `-` (as
/// [`lex::name_around`] reads a name).
fn name_words(bytes: &[u8], range: Range<usize>) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut i = range.start;
    std::iter::from_fn(move || {
        while i < range.end && !lex::is_name_byte(bytes[i]) {
            i += 1;
        }
        if i >= range.end {
            return None;
        }
        let s = i;
        while i < range.end && lex::is_name_byte(bytes[i]) {
            i += 1;
        }
        let mut e = i;
        while e > s && matches!(bytes[e - 1], b'.' | b'-') {
            e -= 1;
        }
        Some(s..e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_parity_advances_and_restarts() {
        let b = b"a \"x password\" 'y' \\\"z token";
        let f = LineFacts::new(0..b.len());
        for at in [5, 9, 14, 17, 20, 24, 26, 3, b.len()] {
            assert_eq!(
                f.inside_string(b, at),
                lex::inside_string(b, 0, at),
                "at {at}"
            );
        }
    }

    #[test]
    fn sql_context_is_windowed() {
        let b = b"CREATE USER app WITH PASSWORD 'x'; xxxxxxxxxxxxxxxxxxxx password='y'";
        let f = LineFacts::new(0..b.len());
        assert!(f.sql_context(b, &(0..b.len())));
        assert!(!f.sql_context(b, &(20..b.len())));
    }

    #[test]
    fn value_words_are_whole_names() {
        let b = b"name=password values=1 my.val=2 value=3";
        let f = LineFacts::new(0..b.len());
        let w = f.value_word(b, 0, b.len()).unwrap();
        assert_eq!(&b[w.clone()], b"value");
        assert_eq!(f.value_word(b, w.end, b.len()), None);
    }

    #[test]
    fn bare_end_reuses_and_agrees_with_a_fresh_scan() {
        let b = b"password=password=password=[x]y password=a{b}c";
        let f = LineFacts::new(0..b.len());
        for from in [9, 18, 27, 41, 9, 0] {
            for end in [b.len(), 30, 20] {
                if from <= end {
                    assert_eq!(
                        f.bare_end(b, from, end),
                        lex::bare_scan(b, from, end),
                        "{from} {end}"
                    );
                }
            }
        }
    }
}
