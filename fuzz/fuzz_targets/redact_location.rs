//! The redactor on arbitrary strings, and location mapping (`LineIndex`) at arbitrary offsets of
//! arbitrary bytes. Input: two u16 offsets, a secret up to the first NUL, then the blob.
#![no_main]

use keytrace::finding::{LineIndex, redact};
use libfuzzer_sys::fuzz_target;

fn check_redact(secret: &str) {
    let r = redact(secret);
    assert_eq!(r, redact(secret), "redaction is deterministic");
    if secret.chars().count() >= 4 {
        assert_ne!(r, secret, "redaction returned the secret");
        assert!(!r.contains(secret), "redaction holds the whole secret");
    }
}

fn check_position(index: &LineIndex, blob: &[u8], offset: usize) -> (usize, usize) {
    let (line, column) = index.position(blob, offset);
    let newlines = blob[..offset].iter().filter(|&&b| b == b'\n').count();
    assert_eq!(line, newlines + 1, "line of offset {offset}");
    let line_start = blob[..offset]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    assert!(column >= 1, "column is 1-based");
    // A UTF-16 column never counts more units than the prefix has bytes.
    assert!(
        column <= offset - line_start + 1,
        "column past the line prefix"
    );
    let text = index.line_text(blob, line);
    assert!(!text.contains(&b'\n'), "line text holds a newline");
    (line, column)
}

fuzz_target!(|data: &[u8]| {
    let mut input = keytrace_fuzz::Input::new(data);
    let a = usize::from(input.u16());
    let b = usize::from(input.u16());
    let secret = String::from_utf8_lossy(input.until(0));
    check_redact(&secret);
    let blob = input.rest();
    let index = LineIndex::new(blob);
    let (a, b) = (a % (blob.len() + 1), b % (blob.len() + 1));
    let (lo, hi) = (a.min(b), a.max(b));
    let (l1, _) = check_position(&index, blob, lo);
    let (l2, _) = check_position(&index, blob, hi);
    assert!(l1 <= l2, "lines run backwards");
    for o in lo..hi.min(lo + 16) {
        check_position(&index, blob, o);
    }
    let loc = index.locate(blob, "f", lo, hi);
    assert_eq!(
        (loc.start_line, loc.end_line),
        (l1, l2),
        "locate agrees with position"
    );
    // Each line of the blob, redacted as a secret.
    for line in blob.split(|&b| b == b'\n').take(8) {
        check_redact(&String::from_utf8_lossy(line));
    }
});
