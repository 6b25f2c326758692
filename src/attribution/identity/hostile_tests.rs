//! Every identity decoder against random and hostile input: invalid UTF-8 (decoded lossily, as
//! the detector hands secrets over), truncated base64, huge numbers, deep nesting, out-of-range
//! spans. Nothing may panic; whatever is decoded must come from the input.

use super::*;

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Bytes biased towards what the decoders look for: prefixes, separators, base64 and
    /// base32 characters, multi-byte and invalid UTF-8.
    fn bytes(&mut self, len: usize) -> Vec<u8> {
        const PIECES: &[&[u8]] = &[
            b"AKIA",
            b"ASIA",
            b"pypi-",
            b"eyJ",
            b".",
            b"://",
            b"@",
            b":",
            b"/",
            b"postgres",
            b"mongodb+srv",
            b"jdbc:",
            b"AccountName=",
            b"AccountKey=",
            b"sig=",
            b"hooks.slack.com/services/T",
            b"xapp-1-A",
            b"service_account",
            b"\"type\": \"service_account\"",
            b"{",
            b"}",
            b"[",
            b"]",
            b"\"",
            b"\\",
            b"\\n",
            b"\xb3",
            b"\x8a",
            b"\xff",
            b"\xc3",
            b"\xe2\x82",
            b"\xf0\x9f\x92",
            "é".as_bytes(),
            "€".as_bytes(),
            "💥".as_bytes(),
            b"\0",
            b"\r",
            b" ",
            b"=",
            b"AgEI",
            b"sk-proj-",
            b"ghp_",
            b"sk-ant-api",
            b"99999999999999999999999",
        ];
        let mut out = Vec::with_capacity(len);
        while out.len() < len {
            if self.below(3) == 0 {
                out.extend_from_slice(PIECES[self.below(PIECES.len())]);
            } else {
                out.push(self.next() as u8);
            }
        }
        out
    }
}

/// Run every decoder the way the detector does: the secret is the lossy decoding of the
/// matched bytes, the span is in the raw blob.
fn decode_raw(blob: &[u8], span: Range<usize>) -> Identity {
    let clamped = clamp(span.clone(), blob.len());
    let secret = String::from_utf8_lossy(&blob[clamped]).into_owned();
    for (rule, provider) in [("r", "p"), ("openai-x", "openai")] {
        decode_identity(rule, provider, &secret, blob, span.clone());
        decode_identity(rule, provider, &secret, &[], span.clone());
    }
    decode_identity("r", "p", &secret, blob, span)
}

#[test]
fn the_reported_connection_string_does_not_panic() {
    // Regression: the secret below is 20 bytes once decoded lossily; the AWS decoder sliced it
    // at byte 4, inside a replacement character, and the panic message printed it.
    let blob = b"postgres://:Sup\xb3sup3rrS3c\x8a3t@N";
    let start = 12;
    let end = blob.len() - 2;
    let id = decode_raw(blob, start..end);
    assert!(!id.contains_key("key_class"), "{id:?}");
}

#[test]
fn random_blobs_and_spans_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..3000 {
        let len = rng.below(if round % 10 == 0 { 6000 } else { 120 });
        let blob = rng.bytes(len);
        for _ in 0..4 {
            let a = rng.below(len + 3);
            let b = a + rng.below(60);
            decode_raw(&blob, a..b);
            decode_raw(&blob, b..a);
        }
        // Whole blob as the secret, and as text.
        decode_raw(&blob, 0..len);
        let text = String::from_utf8_lossy(&blob).into_owned();
        decode_identity("r", "openai", &text, text.as_bytes(), 0..text.len());
    }
}

#[test]
fn every_20_byte_window_of_multibyte_text_is_safe_for_the_aws_decoder() {
    let text = "AKIAé€💥AKIAY34FZKBOKMUTVV7AASIA\u{FFFD}\u{FFFD}Y34FZKBOKMUTVV7A";
    for (start, _) in text.char_indices() {
        for (end, _) in text[start..].char_indices() {
            let s = &text[start..start + end];
            decode_identity("r", "aws", s, &[], 0..0);
        }
    }
}

#[test]
fn hostile_jwts_decode_nothing_or_what_they_say() {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let enc = |s: &str| URL_SAFE_NO_PAD.encode(s);
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let payloads = [
        r#"{"exp": 1e999999, "iat": -99999999999999999999999999999}"#.to_string(),
        r#"{"exp": 18446744073709551616, "sub": "\ud800"}"#.to_string(),
        format!(r#"{{"aud": {deep}}}"#),
        format!(r#"{{"iss": "{}"}}"#, "x".repeat(100_000)),
        "\u{0}\u{1}".to_string(),
    ];
    for p in &payloads {
        let t = format!("{}.{}.c2ln", enc(r#"{"alg":"HS256"}"#), enc(p));
        decode_identity("r", "p", &t, t.as_bytes(), 0..t.len());
        // Truncated anywhere, including inside a base64 quantum.
        for cut in [1, 2, 3, 5, 17, t.len() / 2, t.len() - 1] {
            if let Some(s) = t.get(..cut) {
                decode_identity("r", "p", s, s.as_bytes(), 0..s.len());
            }
        }
    }
}

#[test]
fn hostile_pypi_macaroons_decode_nothing() {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let bodies: Vec<Vec<u8>> = vec![
        // Version byte then a varint that never ends.
        [vec![2u8], vec![0xff; 40]].concat(),
        // A length of u64::MAX.
        [vec![2u8, 1], vec![0xff; 9], vec![0x01]].concat(),
        // A length running past the end.
        vec![2, 1, 100, b'p'],
        // Field type 0 only, no identifier.
        vec![2, 0],
        // Many empty caveats.
        [vec![2u8, 2, 1, b'x', 0], [2u8, 0, 0].repeat(5000)].concat(),
        vec![],
    ];
    for body in bodies {
        let t = format!("pypi-{}", URL_SAFE_NO_PAD.encode(&body));
        let id = decode_identity("r", "pypi", &t, t.as_bytes(), 0..t.len());
        assert!(!id.contains_key("pypi_scope"), "{id:?}");
    }
    for t in [
        "pypi-",
        "pypi-A",
        "pypi-AgE",
        "pypi-\u{FFFD}\u{FFFD}",
        "pypi-===",
    ] {
        decode_identity("r", "pypi", t, t.as_bytes(), 0..t.len());
    }
}

#[test]
fn hostile_connection_strings_and_key_files_do_not_panic() {
    let deep = "[".repeat(200_000);
    let cases = [
        "é://u:p@h".to_string(),
        "€postgres://€:€@€".to_string(),
        "postgres://@".to_string(),
        "postgres://[".to_string(),
        "postgres://:@[::1".to_string(),
        "jdbc:://x:y@z".to_string(),
        "AccountName=;AccountKey=".to_string(),
        "https://hooks.slack.com/services/TAAAAAA/".to_string(),
        format!(
            "{{\"type\": \"service_account\", \"private_key\": \"sk-proj-Zz9Yy8Xx7Ww6\", \"x\": {deep}"
        ),
        format!(
            "\"service_account\" {}",
            "\\\"project_id\\\": \\\"".repeat(5000)
        ),
    ];
    for c in &cases {
        let b = c.as_bytes();
        let step = (c.len() / 40).max(1);
        for (i, _) in c.char_indices().step_by(step) {
            decode_identity("r", "p", &c[i..], b, i..b.len());
            decode_identity("r", "p", &c[..i], b, 0..i);
        }
    }
}
