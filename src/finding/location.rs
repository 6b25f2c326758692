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

/// Line starts of a blob, computed once per blob that has findings.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(blob: &[u8]) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', blob).map(|i| i + 1));
        LineIndex { starts }
    }

    /// 1-based (line, column) of a byte offset.
    pub fn position(&self, blob: &[u8], offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let text = &blob[start..offset.min(blob.len())];
        let column = match std::str::from_utf8(text) {
            Ok(s) => s.encode_utf16().count(),
            Err(_) => text.len(),
        };
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

    /// The text of the 1-based line `line` (without its newline).
    pub fn line_text<'b>(&self, blob: &'b [u8], line: usize) -> &'b [u8] {
        let start = self.starts[line - 1];
        let end = self.starts.get(line).map(|&s| s - 1).unwrap_or(blob.len());
        &blob[start..end.max(start)]
    }
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
    }

    #[test]
    fn columns_count_utf16_units() {
        let blob = "é=KEY".as_bytes();
        let idx = LineIndex::new(blob);
        assert_eq!(idx.position(blob, 3), (1, 3));
    }
}
