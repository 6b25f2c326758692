//! Property tests (issue 13) of the small pure functions every report depends on: location
//! mapping (`LineIndex`), redaction and the fingerprint. Inputs are arbitrary bytes and strings,
//! so these also guard against panics on hostile input. The fuzz targets in `fuzz/` check the
//! same invariants on inputs a fuzzer grows; these run in every `cargo test`.

use keytrace::finding::{LineIndex, redact, secret_fingerprint};
use proptest::prelude::*;

/// Default case count; no failure files are written (a failing case is printed, shrunk).
fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Bytes biased towards what location mapping must get right: newlines, CR, multi-byte
/// characters (2, 3 and 4 bytes, so astral ones count two UTF-16 units), and invalid UTF-8.
fn blob() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"a".to_vec()),
        Just("é".as_bytes().to_vec()),
        Just("€".as_bytes().to_vec()),
        Just("😀".as_bytes().to_vec()),
        Just(vec![0xff]),
        Just(vec![0xd0]),
        any::<u8>().prop_map(|b| vec![b]),
    ];
    prop::collection::vec(piece, 0..64).prop_map(|v| v.concat())
}

/// A blob and offsets into it (0..=len, every byte position including the end).
fn blob_and_offsets() -> impl Strategy<Value = (Vec<u8>, Vec<usize>)> {
    blob().prop_flat_map(|b| {
        let n = b.len();
        (Just(b), prop::collection::vec(0..=n, 1..16))
    })
}

/// Valid UTF-8 text and char-boundary offsets into it.
fn text_and_boundaries() -> impl Strategy<Value = (String, Vec<usize>)> {
    let piece = prop_oneof![
        Just("\n"),
        Just("\r\n"),
        Just("x"),
        Just("é"),
        Just("€"),
        Just("😀"),
        Just("\t"),
    ];
    prop::collection::vec(piece, 0..48).prop_flat_map(|v| {
        let text = v.concat();
        let mut bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        bounds.push(text.len());
        (
            Just(text),
            prop::collection::vec(prop::sample::select(bounds), 1..12),
        )
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn line_is_one_plus_newlines_before_offset((blob, offsets) in blob_and_offsets()) {
        let index = LineIndex::new(&blob);
        for off in offsets {
            let (line, column) = index.position(&blob, off);
            let newlines = blob[..off].iter().filter(|&&b| b == b'\n').count();
            prop_assert_eq!(line, newlines + 1, "offset {}", off);
            prop_assert!(column >= 1, "column {} at offset {}", column, off);
        }
    }

    #[test]
    fn lines_never_run_backwards((blob, mut offsets) in blob_and_offsets()) {
        let index = LineIndex::new(&blob);
        offsets.sort_unstable();
        let lines: Vec<usize> = offsets.iter().map(|&o| index.position(&blob, o).0).collect();
        prop_assert!(lines.windows(2).all(|w| w[0] <= w[1]), "{:?} at {:?}", lines, offsets);
    }

    #[test]
    fn locate_agrees_with_position((blob, offsets) in blob_and_offsets()) {
        let index = LineIndex::new(&blob);
        let (lo, hi) = (*offsets.iter().min().unwrap(), *offsets.iter().max().unwrap());
        let loc = index.locate(&blob, "p", lo, hi);
        prop_assert_eq!((loc.start_line, loc.start_column), index.position(&blob, lo));
        prop_assert_eq!((loc.end_line, loc.end_column), index.position(&blob, hi));
        prop_assert!(loc.start_line <= loc.end_line);
        prop_assert_eq!(loc.path, "p");
    }

    #[test]
    fn column_is_one_plus_utf16_units_of_line_prefix((text, offsets) in text_and_boundaries()) {
        let bytes = text.as_bytes();
        let index = LineIndex::new(bytes);
        for off in offsets {
            let line_start = text[..off].rfind('\n').map_or(0, |i| i + 1);
            let expected = text[line_start..off].encode_utf16().count() + 1;
            let (_, column) = index.position(bytes, off);
            prop_assert_eq!(column, expected, "offset {} of {:?}", off, text);
        }
    }

    #[test]
    fn line_text_is_the_line_without_its_newline((blob, offsets) in blob_and_offsets()) {
        let index = LineIndex::new(&blob);
        for off in offsets {
            let (line, _) = index.position(&blob, off);
            let expected = blob.split(|&b| b == b'\n').nth(line - 1).unwrap();
            prop_assert_eq!(index.line_text(&blob, line), expected);
        }
    }
}

/// Single-line secrets: what report fields carry (multi-line PEM keys show a header line).
fn secret() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9_\\-]{1,64}",
        "[^\n]{1,40}",
        "(sk-proj-|ghp_|AKIA|xoxb-)[A-Za-z0-9]{1,40}",
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn redaction_is_deterministic(s in secret()) {
        prop_assert_eq!(redact(&s), redact(&s));
    }

    #[test]
    fn redaction_never_holds_the_whole_secret(s in secret()) {
        prop_assume!(s.chars().count() >= 4);
        let r = redact(&s);
        prop_assert!(!r.contains(s.as_str()), "{:?} -> {:?}", s, r);
    }

    #[test]
    fn redaction_of_multiline_secrets_never_holds_the_whole_secret(
        first in "[A-Za-z0-9 \\-]{0,40}",
        rest in "[A-Za-z0-9+/=\n]{1,80}",
    ) {
        let s = format!("{first}\n{rest}");
        let r = redact(&s);
        prop_assert!(!r.contains(s.as_str()), "{:?} -> {:?}", s, r);
        prop_assert!(!r.contains('\n'), "redaction spans lines: {:?}", r);
    }

    #[test]
    fn redaction_is_never_longer_than_the_secret(s in secret()) {
        prop_assume!(s.chars().count() >= 4);
        let r = redact(&s);
        prop_assert!(
            r.chars().count() <= s.chars().count(),
            "{:?} ({} chars) -> {:?} ({} chars)", s, s.chars().count(), r, r.chars().count()
        );
    }

    #[test]
    fn long_secrets_are_redacted_to_a_bounded_prefix_and_suffix(s in "[!-~]{9,200}") {
        let r = redact(&s);
        // At most 10 leading characters, the ellipsis and 2 trailing ones (redact.rs).
        prop_assert!(r.chars().count() <= 13, "{:?} -> {:?}", s, r);
        prop_assert!(r.chars().count() < s.chars().count());
    }
}

proptest! {
    #![proptest_config(config())]

    /// Secrets of 8 characters or fewer are short enough to brute-force from a partial reveal
    /// plus their hash (issue 13): redaction must show nothing of them, so any two of the same
    /// length redact alike.
    #[test]
    fn short_secrets_reveal_nothing(a in "[!-~]{1,8}", b in "[!-~]{8}") {
        let b: String = b.chars().take(a.chars().count()).collect();
        prop_assert_eq!(redact(&a), redact(&b), "{:?} vs {:?}", a, b);
    }
}

/// Rule ids as rule files allow them (kebab-case).
fn rule_id() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,8}){0,3}"
}

/// SHA-256 digests as `secret_sha256` holds them.
fn sha() -> impl Strategy<Value = String> {
    "[0-9a-f]{64}"
}

/// Scopes (repository identities in sweeps; empty for single-repository scans).
fn scope() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), "[^\u{0}]{1,40}"]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fingerprint_is_deterministic_32_hex(r in rule_id(), s in sha(), sc in scope()) {
        let f = secret_fingerprint(&r, &s, &sc);
        prop_assert_eq!(&f, &secret_fingerprint(&r, &s, &sc));
        prop_assert_eq!(f.len(), 32);
        prop_assert!(f.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)), "{}", f);
    }

    #[test]
    fn fingerprint_differs_when_any_part_differs(
        (r1, r2) in (rule_id(), rule_id()),
        (s1, s2) in (sha(), sha()),
        (c1, c2) in (scope(), scope()),
    ) {
        let base = secret_fingerprint(&r1, &s1, &c1);
        if r1 != r2 {
            prop_assert_ne!(&base, &secret_fingerprint(&r2, &s1, &c1));
        }
        if s1 != s2 {
            prop_assert_ne!(&base, &secret_fingerprint(&r1, &s2, &c1));
        }
        if c1 != c2 {
            prop_assert_ne!(&base, &secret_fingerprint(&r1, &s1, &c2));
        }
    }

    #[test]
    fn fingerprint_does_not_shift_text_between_parts(r in rule_id(), s in sha()) {
        // Moving a character from the rule id into the digest is a different identity.
        prop_assume!(r.len() >= 2);
        let (head, tail) = r.split_at(r.len() - 1);
        prop_assert_ne!(secret_fingerprint(&r, &s, ""), secret_fingerprint(head, &format!("{tail}{s}"), ""));
    }
}
