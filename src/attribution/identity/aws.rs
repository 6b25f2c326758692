//! AWS access key ids: the prefix states long-term (`AKIA`) or temporary (`ASIA`), and the 16
//! characters after it are base32 whose leading bits carry the 12-digit account id.
//!
//! The account id is bits 1..=40 of the decoded bytes: the first six bytes read big-endian,
//! masked with `0x7fffffffff80` and shifted right by 7 (the layout published by Aidan Steele and
//! Tal Be'ery, see the tests). Older keys (a fifth character below `Q`, such as AWS's own
//! `AKIAIOSFODNN7EXAMPLE`) have the top bit clear and do not carry the account, so nothing is
//! reported for them.

use super::{Identity, put};

/// RFC 4648 base32 alphabet.
const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

pub(super) fn decode(secret: &str, out: &mut Identity) {
    // `get`: a lossily decoded secret may hold multi-byte characters, so byte 4 need not be a
    // character boundary.
    let (Some(prefix), Some(body)) = (secret.get(..4), secret.get(4..)) else {
        return;
    };
    if secret.len() != 20 {
        return;
    }
    let class = match prefix {
        "AKIA" => "aws-long-term",
        "ASIA" => "aws-temporary",
        _ => return,
    };
    let Some(bytes) = base32(body) else {
        return;
    };
    put(out, "key_class", class);
    if let Some(account) = account_id(&bytes) {
        put(out, "aws_account_id", format!("{account:012}"));
    }
}

/// The account id encoded in the decoded body of a key id, when the key carries one.
fn account_id(bytes: &[u8]) -> Option<u64> {
    let head = bytes.get(..6)?;
    if head[0] & 0x80 == 0 {
        return None;
    }
    let z = head.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    let account = (z & 0x7fff_ffff_ff80) >> 7;
    (account <= 999_999_999_999).then_some(account)
}

/// Decode unpadded RFC 4648 base32 whose length is a multiple of 8 characters.
fn base32(text: &str) -> Option<Vec<u8>> {
    if text.is_empty() || text.len() % 8 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut acc: u64 = 0;
    let mut bits = 0;
    for c in text.bytes() {
        let v = ALPHABET.iter().position(|&a| a == c)? as u64;
        acc = (acc << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(key: &str) -> Identity {
        let mut out = Identity::new();
        decode(key, &mut out);
        out
    }

    fn account(key: &str) -> Option<String> {
        decoded(key)
            .get("aws_account_id")
            .and_then(|v| v.as_str())
            .map(str::to_string)
    }

    #[test]
    fn base32_decodes_rfc4648_vectors() {
        // RFC 4648 section 10: BASE32("foobar") = "MZXW6YTBOI======"; the first 5 bytes
        // "fooba" encode to exactly 8 characters.
        assert_eq!(base32("MZXW6YTB").unwrap(), b"fooba");
        assert!(base32("MZXW6YT1").is_none());
        assert!(base32("MZX").is_none());
    }

    /// Published pair: `ASIAY34FZKBOKMUTVV7A` belongs to account 609629065308.
    /// https://awsteele.com/blog/2020/09/26/aws-access-key-format.html and
    /// https://medium.com/@TalBeerySec/a-short-note-on-aws-key-id-f88cc4317489
    #[test]
    fn temporary_key_decodes_the_published_account() {
        let id = decoded("ASIAY34FZKBOKMUTVV7A");
        assert_eq!(
            account("ASIAY34FZKBOKMUTVV7A").as_deref(),
            Some("609629065308")
        );
        assert_eq!(id["key_class"], "aws-temporary");
    }

    /// Published pair: `ASIAVJ2E6QGR2WZILJFM` → 364679954851.
    /// https://github.com/psanford/aws-account-id-from-key (README example)
    #[test]
    fn second_published_temporary_key() {
        assert_eq!(
            account("ASIAVJ2E6QGR2WZILJFM").as_deref(),
            Some("364679954851")
        );
    }

    /// Published pair: `AKIAV7S32T2OSBFJQOIY` → 411435703965.
    /// https://github.com/praetorian-inc/nebula/blob/main/test/access_key_id_to_account_id_test.go
    #[test]
    fn long_term_key_decodes_the_published_account() {
        let id = decoded("AKIAV7S32T2OSBFJQOIY");
        assert_eq!(id["aws_account_id"], "411435703965");
        assert_eq!(id["key_class"], "aws-long-term");
    }

    #[test]
    fn old_format_keys_carry_no_account() {
        // AWS's documentation example key: class known, account not encoded.
        let id = decoded("AKIAIOSFODNN7EXAMPLE");
        assert_eq!(id["key_class"], "aws-long-term");
        assert!(!id.contains_key("aws_account_id"));
    }

    #[test]
    fn other_prefixes_and_bad_bodies_decode_nothing() {
        // Regression: 20 bytes whose fourth byte falls inside a replacement character (the
        // lossy decoding of invalid UTF-8) used to panic while slicing the prefix.
        assert!(decoded("Sup\u{FFFD}sup3rrS3c\u{FFFD}3t").is_empty());
        assert!(decoded("AKIA\u{e9}Y34FZKBOKMUTVV").is_empty());
        assert!(decoded("AIDAY34FZKBOKMUTVV7A").is_empty());
        assert!(decoded("AKIAY34FZKBOKMUTVV71").is_empty());
        assert!(decoded("AKIAY34FZKBOKMUTVV7").is_empty());
    }
}
