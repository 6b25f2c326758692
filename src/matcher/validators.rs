//! Offline validators: published checksums and structural checks that drop false candidates.

use crate::rules::ValidatorKind;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Run the validator on a candidate secret.
pub fn validate(kind: ValidatorKind, secret: &[u8]) -> bool {
    match kind {
        ValidatorKind::GithubChecksum | ValidatorKind::NpmChecksum => crc32_base62_token(secret),
        ValidatorKind::Jwt => jwt_shape(secret),
        ValidatorKind::PypiMacaroon => pypi_macaroon(secret),
        ValidatorKind::AwsAccessKeyId => aws_key_id(secret),
    }
}

/// Base62 encoding of `n`, left-padded with `0` to `width`.
pub fn base62(mut n: u32, width: usize) -> String {
    let mut out = Vec::new();
    while n > 0 {
        out.push(BASE62[(n % 62) as usize]);
        n /= 62;
    }
    while out.len() < width {
        out.push(b'0');
    }
    out.reverse();
    String::from_utf8(out).expect("base62 is ASCII")
}

/// `prefix_` + 30 random base62 chars + base62(CRC32(random)) in 6 chars (GitHub and npm).
fn crc32_base62_token(secret: &[u8]) -> bool {
    let Some(underscore) = secret.iter().rposition(|&b| b == b'_') else {
        return false;
    };
    let body = &secret[underscore + 1..];
    if body.len() != 36 || !body.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let (random, checksum) = body.split_at(30);
    base62(crc32fast::hash(random), 6).as_bytes() == checksum
}

/// Decode one base64url segment (padding optional).
pub fn b64url(segment: &[u8]) -> Option<Vec<u8>> {
    let trimmed: Vec<u8> = segment.iter().copied().filter(|&b| b != b'=').collect();
    URL_SAFE_NO_PAD
        .decode(&trimmed)
        .ok()
        .or_else(|| STANDARD_NO_PAD.decode(&trimmed).ok())
}

/// Header and payload of a JWT-shaped token, decoded as JSON objects.
pub fn jwt_parts(secret: &[u8]) -> Option<(serde_json::Value, serde_json::Value)> {
    let mut parts = secret.split(|&b| b == b'.');
    let header = parts.next()?;
    let payload = parts.next()?;
    let _signature = parts.next()?;
    if parts.next().is_some() {
        return None;
    }
    let header: serde_json::Value = serde_json::from_slice(&b64url(header)?).ok()?;
    let payload: serde_json::Value = serde_json::from_slice(&b64url(payload)?).ok()?;
    (header.is_object() && payload.is_object()).then_some((header, payload))
}

fn jwt_shape(secret: &[u8]) -> bool {
    jwt_parts(secret).is_some_and(|(h, _)| h.get("alg").is_some())
}

fn pypi_macaroon(secret: &[u8]) -> bool {
    let Some(body) = secret.strip_prefix(b"pypi-") else {
        return false;
    };
    let Some(bytes) = b64url(body) else {
        return false;
    };
    memchr::memmem::find(&bytes, b"pypi.org").is_some()
}

fn aws_key_id(secret: &[u8]) -> bool {
    secret.len() == 20
        && secret[4..]
            .iter()
            .all(|&b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Build a checksum-valid token the way GitHub documents it.
    fn token(prefix: &str, random: &str) -> String {
        format!(
            "{prefix}{random}{}",
            base62(crc32fast::hash(random.as_bytes()), 6)
        )
    }

    #[test]
    fn github_checksum_accepts_valid_and_rejects_altered() {
        let t = token("ghp_", "Qm3Zr8TnVb2Lx9KcWp4Hs7Jd1Fg6Ya");
        assert!(validate(ValidatorKind::GithubChecksum, t.as_bytes()));
        let mut broken = t.clone().into_bytes();
        let last = broken.len() - 1;
        broken[last] = if broken[last] == b'A' { b'B' } else { b'A' };
        assert!(!validate(ValidatorKind::GithubChecksum, &broken));
    }

    #[test]
    fn base62_pads_to_width() {
        assert_eq!(base62(0, 6), "000000");
        assert_eq!(base62(61, 6), "00000z");
        assert_eq!(base62(62, 2), "10");
    }

    #[test]
    fn jwt_shape_requires_json_header_with_alg() {
        let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let p = URL_SAFE_NO_PAD.encode(br#"{"sub":"svc"}"#);
        assert!(validate(
            ValidatorKind::Jwt,
            format!("{h}.{p}.c2ln").as_bytes()
        ));
        assert!(!validate(
            ValidatorKind::Jwt,
            format!("{p}.{p}.c2ln").as_bytes()
        ));
        assert!(!validate(ValidatorKind::Jwt, b"eyJhbGciOi.bad.sig"));
    }

    #[test]
    fn aws_key_id_body_is_base32() {
        assert!(!validate(
            ValidatorKind::AwsAccessKeyId,
            b"AKIA2E0A8F3B244C9986"
        ));
        assert!(validate(
            ValidatorKind::AwsAccessKeyId,
            b"AKIAZ2QKXMRV7TXB5GNE"
        ));
    }
}
