//! Redaction: what a report shows of a secret by default.
//!
//! Every report format takes a secret's shown form from here and nowhere else. The form must
//! help a person recognise a key (its provider prefix, its last characters) without helping
//! anyone guess it: short secrets (passwords) show nothing of themselves, not even their
//! length, and a long one shows at most a quarter of its characters and never more than
//! [`MAX_SHOWN`].

/// The most characters of a secret any redacted form shows.
pub const MAX_SHOWN: usize = 12;

/// Secrets up to this many characters show nothing of themselves.
const SHOW_NOTHING_UP_TO: usize = 8;

/// Secrets up to this many characters show only their first [`SHORT_HEAD`] characters.
const HEAD_ONLY_UP_TO: usize = 16;
const SHORT_HEAD: usize = 2;

/// Trailing characters shown of a long secret.
const TAIL: usize = 2;

const ELLIPSIS: &str = "…";

/// A short, recognisable but useless form of a secret.
///
/// - up to 8 characters: `…` alone (nothing of the secret, not even its length);
/// - 9 to 16 characters: the first two characters and `…`;
/// - longer: leading characters (enough to see a provider prefix), `…`, the last two
///   characters, showing at most a quarter of the secret and at most [`MAX_SHOWN`] characters;
/// - a PEM block (private key): its `-----BEGIN …-----` line and `…`.
pub fn redact(secret: &str) -> String {
    if let Some(begin) = pem_begin_line(secret) {
        // A header with nothing after it is redacted like any other text: showing it whole
        // would show the whole "secret".
        let rest = secret.trim_start()[begin.len()..].trim();
        let shown = format!("{begin}{ELLIPSIS}");
        if !rest.is_empty() && !shown.contains(secret) {
            return shown;
        }
    }
    let chars: Vec<char> = secret.chars().collect();
    let (mut head, mut tail) = shown(chars.len());
    if let Some(first_break) = chars.iter().position(|c| matches!(c, '\n' | '\r')) {
        // A multi-line secret shows nothing past its first line: the shown form stays one
        // line, and its tail would be key material from another line.
        head = head.min(first_break);
        tail = 0;
    }
    let mut out: String = chars[..head].iter().collect();
    out.push_str(ELLIPSIS);
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// How many leading and trailing characters a secret of `n` characters shows.
fn shown(n: usize) -> (usize, usize) {
    if n <= SHOW_NOTHING_UP_TO {
        (0, 0)
    } else if n <= HEAD_ONLY_UP_TO {
        (SHORT_HEAD.min(n / 4), 0)
    } else {
        let budget = (n / 4).min(MAX_SHOWN);
        (budget - TAIL, TAIL)
    }
}

/// The `-----BEGIN LABEL-----` line a PEM secret starts with (also when its line breaks are
/// written as `\n` escapes): the label only, never key material.
fn pem_begin_line(secret: &str) -> Option<&str> {
    const BEGIN: &str = "-----BEGIN ";
    const DASHES: &str = "-----";
    let start = secret.len() - secret.trim_start().len();
    let rest = secret[start..].strip_prefix(BEGIN)?;
    let label_len = rest.find(DASHES)?;
    let label = &rest[..label_len];
    let label_ok = !label.is_empty()
        && label.len() <= 64
        && label
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' ');
    label_ok.then(|| &secret[start..start + BEGIN.len() + label_len + DASHES.len()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pem_header_alone_is_not_shown_whole() {
        // Found by the redact_location fuzz target.
        let header = "-----BEGIN KEY-----";
        assert!(!redact(header).contains(header));
        // Nor a header followed by the ellipsis itself (found by the same target).
        let tricky = "-----BEGIN  -----…";
        assert_ne!(redact(tricky), tricky);
        assert!(!redact("  -----BEGIN RSA PRIVATE KEY-----\n").contains("PRIVATE KEY-----"));
        assert_eq!(
            redact("-----BEGIN KEY-----\nMIIE\n"),
            "-----BEGIN KEY-----…"
        );
    }

    fn visible(redacted: &str) -> usize {
        redacted.replace(ELLIPSIS, "").chars().count()
    }

    #[test]
    fn long_keys_keep_prefix_and_two_last_characters() {
        let s = "sk-proj-Ab3kQ9vLx2RmT7pWz4Nc8sYhJ1fG5dKe0uVbXq6tLr2Mw9f";
        let r = redact(s);
        assert!(r.starts_with("sk-proj-Ab"), "{r}");
        assert!(r.ends_with("…9f"), "{r}");
        assert!(visible(&r) <= MAX_SHOWN);
        let ghp = "ghp_Qm3Zr8TnVb2Lx9KcWp4Hs7Jd1Fg6Ya0Abc12";
        assert!(redact(ghp).starts_with("ghp_"), "{}", redact(ghp));
    }

    #[test]
    fn short_secrets_show_nothing_of_themselves() {
        // The form is the same whatever the secret and its length: it reveals neither.
        for s in ["", "a", "hunter2", "Zq8#mLv2", "ÄÖÜäöüß€"] {
            assert_eq!(redact(s), ELLIPSIS, "{s}");
        }
    }

    #[test]
    fn medium_secrets_show_two_leading_characters_only() {
        for s in ["Zq8#mLv2x", "correcthorse1234"] {
            let r = redact(s);
            assert_eq!(r, format!("{}…", &s[..2]));
        }
    }

    #[test]
    fn pem_blocks_show_only_the_begin_line() {
        assert_eq!(
            redact(
                "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"
            ),
            "-----BEGIN RSA PRIVATE KEY-----…"
        );
        assert_eq!(
            redact("-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAA\\n"),
            "-----BEGIN OPENSSH PRIVATE KEY-----…"
        );
    }

    #[test]
    fn multi_line_secrets_that_are_not_pem_do_not_show_their_first_line() {
        let r = redact("hunter2\nsecond-line-of-something");
        assert!(!r.contains("hunter2"), "{r}");
        let r = redact("-----BEGIN x-----\nsecret");
        assert!(!r.contains("secret"), "{r}");
    }

    /// Property: over many lengths and alphabets, the shown part is at most a quarter of the
    /// secret and at most MAX_SHOWN characters, and never the secret itself.
    #[test]
    fn never_shows_more_than_a_quarter_or_the_cap() {
        let alphabets = ["abcdefghij0123456789", "ÄéЖ東🙂\u{301}", "\n\t \x1b-_=+/"];
        for alphabet in alphabets {
            let pool: Vec<char> = alphabet.chars().collect();
            for n in 0..300 {
                let s: String = (0..n).map(|i| pool[(i * 7 + n) % pool.len()]).collect();
                let r = redact(&s);
                let shown = visible(&r);
                assert!(shown <= n / 4, "{n}: {r:?}");
                assert!(shown <= MAX_SHOWN, "{n}: {r:?}");
                assert!(n == 0 || r != s);
                assert!(r.ends_with(ELLIPSIS) || r.contains(ELLIPSIS));
            }
        }
    }
}
