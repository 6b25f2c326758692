//! Byte offsets → 1-based line and column (columns in UTF-16 code units, as SARIF expects by
//! default and GitHub displays).

use serde::{Deserialize, Serialize};

/// Where a secret sits in a blob.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Location {
    /// Path relative to the scanned root (for history: the path in the introducing commit).
    pub path: String,
    pub start_line: usize,
    pub start_column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// The text form of a path given as raw bytes (a file name or a git tree path). A valid UTF-8
/// path is kept as it is. In one that is not, each invalid byte is written `\xNN` and each
/// backslash `\\`, so two names that differ only in invalid bytes never print alike (a lossy
/// conversion would turn both into U+FFFD and one finding would hide the other).
pub fn path_text(raw: &[u8]) -> std::borrow::Cow<'_, str> {
    if let Ok(text) = std::str::from_utf8(raw) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(raw.len() + 8);
    for chunk in raw.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '\\' {
                out.push_str("\\\\");
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Line starts of a blob, computed once per blob that has findings.
///
/// Columns are counted in UTF-16 units from the start of the line. Counting from the line start
/// for every finding would make a long line with many findings quadratic (a 50 MB minified line
/// holding thousands of keywords), so the index remembers the last position it computed and
/// counts on from there when the next offset lies further along the same line. Findings are
/// located in increasing order, so each byte of a line is counted about once.
pub struct LineIndex {
    starts: Vec<usize>,
    /// The last (byte offset, 0-based UTF-16 column) computed; `offset` is always a character
    /// boundary candidate (not a UTF-8 continuation byte), so counting may resume there.
    cursor: std::cell::Cell<(usize, usize)>,
    /// Lines (1-based, ascending) holding the inline-allow marker, found by one pass over the
    /// blob on first use rather than one search of the line per finding.
    allowed: std::cell::OnceCell<Vec<usize>>,
}

impl LineIndex {
    pub fn new(blob: &[u8]) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', blob).map(|i| i + 1));
        LineIndex {
            starts,
            cursor: std::cell::Cell::new((0, 0)),
            allowed: std::cell::OnceCell::new(),
        }
    }

    /// 1-based (line, column) of a byte offset (clamped to the blob). Bytes that are not valid
    /// UTF-8 count one column each.
    pub fn position(&self, blob: &[u8], offset: usize) -> (usize, usize) {
        let offset = offset.min(blob.len());
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let (cursor_at, cursor_col) = self.cursor.get();
        let (from, base) = if cursor_at >= start && cursor_at <= offset {
            (cursor_at, cursor_col)
        } else {
            (start, 0)
        };
        let column = base + utf16_units(&blob[from..offset]);
        if offset == blob.len() || !is_continuation(blob[offset]) {
            self.cursor.set((offset, column));
        }
        (line, column + 1)
    }
    /// Location of the byte span `start..end`; the end column is exclusive, as in SARIF.
    pub fn locate(&self, blob: &[u8], path: &str, start: usize, end: usize) -> Location {
        let (start_line, start_column) = self.position(blob, start);
        let (end_line, end_column) = self.position(blob, end);
        Location {
            path: path.to_string(),
            start_line,
            start_column,
            end_line,
            end_column,
        }
    }

    /// Whether the 1-based line `line` holds `keytrace:allow` ([`crate::detect::INLINE_ALLOW`]).
    pub fn inline_allowed(&self, blob: &[u8], line: usize) -> bool {
        self.allowed
            .get_or_init(|| {
                let mut lines: Vec<usize> =
                    memchr::memmem::find_iter(blob, crate::detect::INLINE_ALLOW)
                        .map(|at| self.starts.partition_point(|&s| s <= at))
                        .collect();
                lines.dedup();
                lines
            })
            .binary_search(&line)
            .is_ok()
    }

    /// The text of the 1-based line `line` (without its newline); empty for a line number
    /// outside the blob.
    pub fn line_text<'b>(&self, blob: &'b [u8], line: usize) -> &'b [u8] {
        let Some(&start) = line.checked_sub(1).and_then(|i| self.starts.get(i)) else {
            return &[];
        };
        let start = start.min(blob.len());
        let end = self.starts.get(line).map(|&s| s - 1).unwrap_or(blob.len());
        &blob[start..end.clamp(start, blob.len())]
    }
}

/// UTF-16 code units of `bytes`, counting each byte of an invalid UTF-8 sequence as one unit.
fn utf16_units(bytes: &[u8]) -> usize {
    bytes
        .utf8_chunks()
        .map(|chunk| {
            let valid = chunk.valid();
            let units = if valid.is_ascii() {
                valid.len()
            } else {
                valid.chars().map(char::len_utf16).sum()
            };
            units + chunk.invalid().len()
        })
        .sum()
}

fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_based_positions() {
        let blob = b"ab\ncd=XYZ\n";
        let idx = LineIndex::new(blob);
        assert_eq!(idx.position(blob, 0), (1, 1));
        assert_eq!(idx.position(blob, 6), (2, 4));
        let loc = idx.locate(blob, "f", 6, 9);
        assert_eq!(
            (
                loc.start_line,
                loc.start_column,
                loc.end_line,
                loc.end_column
            ),
            (2, 4, 2, 7)
        );
        assert_eq!(idx.line_text(blob, 2), b"cd=XYZ");
        let marked = b"a=1\nb=2 # keytrace:allow\nc=3 keytrace:allow keytrace:allow\n";
        let idx = LineIndex::new(marked);
        let allowed: Vec<bool> = (0..=4).map(|l| idx.inline_allowed(marked, l)).collect();
        assert_eq!(allowed, [false, false, true, true, false]);
    }

    #[test]
    fn cursor_gives_the_same_columns_as_counting_from_the_line_start() {
        let blob: &[u8] = b"ab\xf0\x9f\x98\x80c\xd0\xc3\xa9=K\nzz\xf0\x9f\x98\x80y\xff";
        let fresh = |o: usize| LineIndex::new(blob).position(blob, o);
        let idx = LineIndex::new(blob);
        // Forward, backward and repeated queries all agree with a fresh index.
        let order: Vec<usize> = (0..=blob.len()).chain((0..=blob.len()).rev()).collect();
        for o in order {
            assert_eq!(idx.position(blob, o), fresh(o), "offset {o}");
        }
    }

    #[test]
    fn invalid_bytes_count_one_column_each_and_offsets_past_the_end_clamp() {
        let blob = b"a\xd0\xd0b=K";
        let idx = LineIndex::new(blob);
        assert_eq!(idx.position(blob, 4), (1, 5));
        assert_eq!(idx.position(blob, 99), (1, 7));
        assert_eq!(idx.line_text(blob, 0), b"");
        assert_eq!(idx.line_text(blob, 9), b"");
    }

    #[test]
    fn paths_differing_in_invalid_bytes_stay_distinct() {
        assert_eq!(path_text(b"a/b.env"), "a/b.env");
        assert_eq!(path_text(b"a\xd0.env"), "a\\xd0.env");
        assert_ne!(path_text(b"a\xd0.env"), path_text(b"a\xd1.env"));
        // A literal backslash in an invalid name cannot imitate an escape.
        assert_ne!(path_text(b"\\xd0\xff"), path_text(b"\xd0\\xff"));
    }

    #[test]
    fn columns_count_utf16_units() {
        let blob = "é=KEY".as_bytes();
        let idx = LineIndex::new(blob);
        assert_eq!(idx.position(blob, 3), (1, 3));
    }
}
