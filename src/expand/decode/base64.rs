//! base64 and base64url: runs of the alphabet (Kubernetes `Secret` data, env files, CI
//! variables, the payload of `data:` URIs), including runs wrapped over lines at a fixed width.
//!
//! Candidates: at least [`MIN_RUN`] characters of one alphabet, mixing upper and lower case (hex
//! digests and constant names do not), not a part of a JWT (the JWT rule reports the token
//! itself). A candidate becomes a view only if it decodes to text ([`super::is_text`]); the
//! first bytes are checked before the whole run is decoded, so a long binary payload (an image
//! in a data URI) costs a few dozen bytes of decoding.

use crate::expand::{Budget, Encoding, OffsetMap, View};
use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Shortest run decoded (12 bytes of text).
pub const MIN_RUN: usize = 16;
/// Shortest decoded text kept.
const MIN_TEXT: usize = 8;
/// Characters decoded before the whole run, to reject binary early.
const PROBE: usize = 64;

const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);

/// Byte classes: 1 letter/digit, 2 `+` `/`, 3 `-` `_`, 0 anything else.
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c.is_ascii_alphanumeric() {
            1
        } else if c == b'+' || c == b'/' {
            2
        } else if c == b'-' || c == b'_' {
            3
        } else {
            0
        };
        b += 1;
    }
    t
};

/// Views of every base64 or base64url run of `text` that decodes to text.
///
/// Only every [`MIN_RUN`]th byte is looked at first: a run of at least `MIN_RUN` alphabet
/// characters covers one of them, so a text of short words and punctuation is skipped about
/// sixteen bytes at a time, and a sampled word is read once, to its ends.
pub fn views(text: &[u8], budget: &mut Budget, out: &mut Vec<View>) {
    let in_alphabet = |b: u8| CLASS[b as usize] != 0;
    // Everything before `done` has been looked at.
    let mut done = 0;
    let mut p = 0;
    while p < text.len() {
        if !in_alphabet(text[p]) {
            p += MIN_RUN;
            continue;
        }
        let mut start = p;
        while start > done && in_alphabet(text[start - 1]) {
            start -= 1;
        }
        let mut end = p + 1;
        while end < text.len() && in_alphabet(text[end]) {
            end += 1;
        }
        if end - start >= MIN_RUN {
            let run = run_at(text, start);
            end = end.max(run.end);
            if let Some(view) = decode_run(text, run, budget) {
                out.push(view);
            }
            if budget.exhausted() {
                return;
            }
        }
        done = end;
        // The next sample that a run starting after `end` must cover.
        p = (end + 1).div_ceil(MIN_RUN) * MIN_RUN;
    }
}

/// The run starting at `start`: alphabet characters and `=` padding, continued over a line
/// break when the line was cut at a wrapping width (a multiple of 4, at least 60) and the next
/// line goes on at the same indentation.
fn run_at(text: &[u8], start: usize) -> std::ops::Range<usize> {
    let mut end = start;
    let mut line_start = start;
    loop {
        while end < text.len() && CLASS[text[end] as usize] != 0 {
            end += 1;
        }
        let width = end - line_start;
        let mut next = end;
        if text.get(next) == Some(&b'\r') {
            next += 1;
        }
        if width < 60 || width % 4 != 0 || text.get(next) != Some(&b'\n') {
            break;
        }
        next += 1;
        let indent = text[next..]
            .iter()
            .take_while(|b| **b == b' ' || **b == b'\t')
            .count();
        let body = next + indent;
        if body >= text.len() || CLASS[text[body] as usize] == 0 {
            break;
        }
        end = body;
        line_start = body;
    }
    let mut pads = 0;
    while pads < 2 && text.get(end) == Some(&b'=') {
        end += 1;
        pads += 1;
    }
    start..end
}

fn decode_run(text: &[u8], run: std::ops::Range<usize>, budget: &mut Budget) -> Option<View> {
    let raw = &text[run.clone()];
    // The cheap test on the first characters before anything reads the whole run.
    if raw.len() < MIN_RUN || !looks_like_encoded_text(raw) {
        return None;
    }
    let (mut upper, mut lower, mut standard, mut url) = (false, false, false, false);
    for &b in raw {
        upper |= b.is_ascii_uppercase();
        lower |= b.is_ascii_lowercase();
        match CLASS[b as usize] {
            2 => standard = true,
            3 => url = true,
            _ => {}
        }
    }
    if !(upper && lower) || (standard && url) || part_of_jwt(text, &run) {
        return None;
    }
    let (engine, encoding) = if url {
        (&URL_SAFE, Encoding::Base64Url)
    } else {
        (&STANDARD, Encoding::Base64)
    };
    let compact: Vec<u8> = raw
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace() && *b != b'=')
        .collect();
    // A length of 4n+1 is never base64; a stray last character is dropped.
    let usable = if compact.len() % 4 == 1 {
        &compact[..compact.len() - 1]
    } else {
        &compact[..]
    };
    if usable.len() > PROBE {
        let probe = engine.decode(&usable[..PROBE]).ok()?;
        if !super::is_text(&probe) {
            return None;
        }
    }
    let decoded = engine.decode(usable).ok()?;
    if decoded.len() < MIN_TEXT || !super::is_text(&decoded) {
        return None;
    }
    if !budget.take(decoded.len()) {
        return None;
    }
    Some(View {
        encoding,
        map: OffsetMap::proportional(decoded.len(), run),
        text: decoded,
    })
}

/// Whether a run may encode text, judged without decoding: each 4-character group starts with
/// the top six bits of a byte, which for ASCII are below 32 (`A`–`Z`, `a`–`f`). A run of
/// identifier or binary-looking characters fails on its first groups; one group in eight may
/// miss, for text with some non-ASCII characters. Only the first [`PROBE`] characters count.
fn looks_like_encoded_text(raw: &[u8]) -> bool {
    let mut groups = 0;
    let mut misses = 0;
    for chunk in raw[..raw.len().min(PROBE)]
        .split(|b| b.is_ascii_whitespace())
        .flat_map(|line| line.chunks(4))
    {
        if chunk.len() < 2 {
            continue;
        }
        groups += 1;
        if !matches!(chunk[0], b'A'..=b'Z' | b'a'..=b'f') {
            misses += 1;
            if misses * 8 > groups.max(8) {
                return false;
            }
        }
    }
    misses * 8 <= groups.max(8)
}

/// A header or payload part of a JWT (`eyJ…` next to a `.`).
fn part_of_jwt(text: &[u8], run: &std::ops::Range<usize>) -> bool {
    let before = run.start.checked_sub(1).map(|i| text[i]);
    let after = text.get(run.end).copied();
    text[run.clone()].starts_with(b"eyJ") && (before == Some(b'.') || after == Some(b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD as PAD, URL_SAFE_NO_PAD};

    fn views_of(text: &str) -> Vec<View> {
        crate::expand::decode::views_of(views, text)
    }

    #[test]
    fn text_runs_decode_and_map_to_their_span() {
        let secret = "OPENAI_API_KEY=sk-proj-Zq8wV3nR5tY7uI9oP1aS2dF4gH6jK8lQ";
        let encoded = PAD.encode(secret);
        let text = format!("data:\n  env: {encoded}\n");
        let got = views_of(&text);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].text, secret.as_bytes());
        assert_eq!(got[0].encoding, Encoding::Base64);
        let at = text.find(&encoded).unwrap();
        assert_eq!(
            got[0].map.to_parent(0..secret.len()),
            at..at + encoded.len()
        );
    }

    #[test]
    fn url_safe_and_wrapped_runs() {
        let secret = "token=ab?c>d?e>f?g>h?i>j?k>l?m>n?o>p?q>r?s>t?u>v?w>x?y>z?a>b?c>d?e>f?g>h";
        let url = URL_SAFE_NO_PAD.encode(secret);
        assert!(url.contains('_') || url.contains('-'), "{url}");
        let got = views_of(&format!("x={url};"));
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].encoding, Encoding::Base64Url);
        assert_eq!(got[0].text, secret.as_bytes());

        let long = PAD.encode("line of text that is long enough to be wrapped by base64 at 76 ");
        let wrapped = format!("{}\n    {}\n", &long[..76], &long[76..]);
        let got = views_of(&wrapped);
        assert_eq!(got.len(), 1, "{wrapped}");
        assert!(got[0].text.starts_with(b"line of text"));
    }

    #[test]
    fn runs_are_found_at_every_alignment_of_the_sampling() {
        let encoded = PAD.encode("password: Zq8wV3nR5tY");
        for pad in 0..40 {
            let text = format!("{}{encoded} and more words here", " ".repeat(pad));
            assert_eq!(views_of(&text).len(), 1, "offset {pad}");
            let text = format!("{}x {encoded}", "word ".repeat(pad));
            assert_eq!(views_of(&text).len(), 1, "offset {pad}");
        }
        // The shortest run, 16 characters, at every offset.
        let short = PAD.encode("user:pass123");
        assert_eq!(short.len(), MIN_RUN);
        for pad in 0..20 {
            assert_eq!(views_of(&format!("{}{short};", ".".repeat(pad))).len(), 1);
        }
    }

    #[test]
    fn binary_identifiers_hex_and_jwt_parts_are_not_views() {
        let binary = PAD.encode([
            0u8, 1, 2, 3, 250, 251, 252, 253, 254, 255, 7, 8, 9, 10, 11, 12,
        ]);
        assert!(views_of(&binary).is_empty());
        assert!(views_of("getUserAccountInformationForDisplay").is_empty());
        assert!(views_of("d41d8cd98f00b204e9800998ecf8427e").is_empty());
        let header = PAD.encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
        let header = header.trim_end_matches('=');
        assert!(views_of(&format!("{header}.eyJzdWIiOiIxIn0.sig")).is_empty());
        assert!(views_of("").is_empty());
        assert!(views_of("====================").is_empty());
    }
}
