//! The secret digest (`secret_sha256`): a keyed hash that correlates one secret across places,
//! runs and repositories without being a lookup table for it.
//!
//! A plain SHA-256 of a low-entropy secret (a password) is found in any precomputed table, so
//! the digest is an HMAC-SHA256 by default:
//!
//! - `hmac-sha256`: keyed with a key built into keytrace. Generic SHA-256 tables do not apply,
//!   but anyone with keytrace can still test guesses against a digest.
//! - `hmac-sha256:org`: keyed with the organisation's own key from `KEYTRACE_HASH_KEY`; without
//!   the key, a digest tells nothing, not even to a dictionary attack.
//! - `sha256`: plain SHA-256, only when asked for with `KEYTRACE_HASH=sha256` (to correlate with
//!   tools that publish plain digests).
//!
//! The scheme is chosen once per process, before anything is hashed ([`install`]): findings of
//! one run never mix schemes. A PEM private key is hashed in a canonical form (no line breaks,
//! indentation or `\n` escapes), so one key pasted into a `.pem` file and into a JSON string has
//! one digest. The key itself never appears in any output or error.

use crate::env_vars;
use ring::hmac;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::sync::OnceLock;

/// The key of the default scheme: public, so that digests of one secret agree across every
/// keytrace install, and not empty, so that no generic SHA-256 or HMAC table applies.
const BUILT_IN_KEY: &[u8] = b"keytrace/secret-digest/v1";

/// How secrets are hashed in this process.
#[derive(Clone)]
pub enum Scheme {
    /// HMAC-SHA256 with keytrace's built-in key (the default).
    BuiltIn(hmac::Key),
    /// HMAC-SHA256 with the organisation's key (`KEYTRACE_HASH_KEY`).
    Organisation(hmac::Key),
    /// Plain SHA-256 (`KEYTRACE_HASH=sha256`).
    Plain,
}

impl std::fmt::Debug for Scheme {
    /// The label only: a key is never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// A digest setting that cannot be used. No variant carries the key.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DigestError {
    #[error(
        "{} is set but empty (unset it to use keytrace's built-in key)",
        env_vars::KEYTRACE_HASH_KEY
    )]
    EmptyKey,
    #[error(
        "{}=sha256 asks for unkeyed digests, but {} is set: unset one of them",
        env_vars::KEYTRACE_HASH,
        env_vars::KEYTRACE_HASH_KEY
    )]
    PlainWithKey,
    /// The value is not echoed: it might be a key put into the wrong variable.
    #[error(
        "{} names an unknown digest (use hmac-sha256 or sha256)",
        env_vars::KEYTRACE_HASH
    )]
    UnknownScheme,
    #[error("the secret digest was already chosen ({0}) before it was configured")]
    AlreadySet(&'static str),
}

impl Scheme {
    /// The default: HMAC-SHA256 with the built-in key.
    pub fn built_in() -> Scheme {
        Scheme::BuiltIn(hmac::Key::new(hmac::HMAC_SHA256, BUILT_IN_KEY))
    }

    /// HMAC-SHA256 with an organisation's key.
    pub fn organisation(key: &[u8]) -> Scheme {
        Scheme::Organisation(hmac::Key::new(hmac::HMAC_SHA256, key))
    }

    /// The scheme from the values of `KEYTRACE_HASH` and `KEYTRACE_HASH_KEY`.
    pub fn from_settings(hash: Option<&str>, key: Option<&[u8]>) -> Result<Scheme, DigestError> {
        let hash = hash.map(str::trim).filter(|h| !h.is_empty());
        let plain = match hash.map(str::to_ascii_lowercase).as_deref() {
            None | Some("hmac-sha256" | "hmac") => false,
            Some("sha256" | "sha-256" | "plain") => true,
            Some(_) => return Err(DigestError::UnknownScheme),
        };
        match (plain, key) {
            (true, Some(_)) => Err(DigestError::PlainWithKey),
            (true, None) => Ok(Scheme::Plain),
            (false, Some([])) => Err(DigestError::EmptyKey),
            (false, Some(key)) => Ok(Scheme::organisation(key)),
            (false, None) => Ok(Scheme::built_in()),
        }
    }

    /// The scheme the environment asks for.
    pub fn from_env() -> Result<Scheme, DigestError> {
        let hash = std::env::var_os(env_vars::KEYTRACE_HASH);
        let key = std::env::var_os(env_vars::KEYTRACE_HASH_KEY);
        Scheme::from_settings(
            hash.as_deref().map(|h| h.to_string_lossy()).as_deref(),
            key.as_deref().map(std::ffi::OsStr::as_encoded_bytes),
        )
    }

    /// What reports record about the scheme: `hmac-sha256`, `hmac-sha256:org` or `sha256`.
    pub fn label(&self) -> &'static str {
        match self {
            Scheme::BuiltIn(_) => "hmac-sha256",
            Scheme::Organisation(_) => "hmac-sha256:org",
            Scheme::Plain => "sha256",
        }
    }

    /// Lower-case hex digest of `secret` (in its canonical form) under this scheme.
    pub fn digest(&self, secret: &[u8]) -> String {
        let secret = canonical(secret);
        match self {
            Scheme::BuiltIn(key) | Scheme::Organisation(key) => {
                hex::encode(hmac::sign(key, &secret).as_ref())
            }
            Scheme::Plain => hex::encode(Sha256::digest(&secret)),
        }
    }
}

static SCHEME: OnceLock<Scheme> = OnceLock::new();

/// Choose the scheme for this process. Call once, before anything is hashed; installing the
/// scheme already in use again is allowed.
pub fn install(scheme: Scheme) -> Result<(), DigestError> {
    let label = scheme.label();
    let current = SCHEME.get_or_init(|| scheme);
    if current.label() == label {
        Ok(())
    } else {
        Err(DigestError::AlreadySet(current.label()))
    }
}

/// The scheme in use (the built-in key when none was installed).
pub fn current() -> &'static Scheme {
    SCHEME.get_or_init(Scheme::built_in)
}

/// The digest of `secret` under the process's scheme: the value of `secret_sha256`.
pub fn secret_digest(secret: &[u8]) -> String {
    current().digest(secret)
}

/// Plain SHA-256 of the canonical form, whatever the scheme: what `secret_sha256` held before
/// digests were keyed, for reading baselines and reports written then.
pub fn legacy_sha256(secret: &[u8]) -> String {
    Scheme::Plain.digest(secret)
}

/// A PEM block without its layout: ASCII whitespace removed, and the escapes a string literal
/// adds to it undone: `\n`, `\r`, `\t` (however often escaped: `\\n` in JSON inside JSON)
/// are dropped like the line breaks they stand for, and `\/` (PHP's `json_encode`) is `/`.
/// Prefixes before every line (`# `, log timestamps) and quotes of concatenated literals never
/// reach the digest: the expansion stage strips them before matching (`crate::expand`). So one
/// key hashes alike in a `.pem` file, a JSON string, a YAML block, a commented-out copy and a
/// base64-wrapped Kubernetes `tls.key`. Every other secret is hashed as it is.
fn canonical(secret: &[u8]) -> Cow<'_, [u8]> {
    let start = secret
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(secret.len());
    if !secret[start..].starts_with(b"-----BEGIN ") {
        return Cow::Borrowed(secret);
    }
    let mut out = Vec::with_capacity(secret.len());
    let mut i = start;
    while i < secret.len() {
        let b = secret[i];
        if b == b'\\' {
            let run = secret[i..].iter().take_while(|c| **c == b'\\').count();
            match secret.get(i + run) {
                Some(b'n' | b'r' | b't') => {
                    i += run + 1;
                    continue;
                }
                Some(b'/') => {
                    out.push(b'/');
                    i += run + 1;
                    continue;
                }
                _ => {}
            }
        }
        if !b.is_ascii_whitespace() {
            out.push(b);
        }
        i += 1;
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_keyed_not_plain_sha256() {
        let secret = b"hunter2";
        let plain = hex::encode(Sha256::digest(secret));
        let built_in = Scheme::built_in().digest(secret);
        assert_ne!(built_in, plain);
        assert_eq!(built_in.len(), 64);
        assert_eq!(built_in, Scheme::built_in().digest(secret), "stable");
        assert_eq!(Scheme::Plain.digest(secret), plain);
        assert_eq!(legacy_sha256(secret), plain);
        let org = Scheme::organisation(b"org key").digest(secret);
        assert_ne!(org, built_in);
        assert_ne!(org, Scheme::organisation(b"other key").digest(secret));
    }

    #[test]
    fn settings_choose_the_scheme() {
        let label =
            |h: Option<&str>, k: Option<&[u8]>| Scheme::from_settings(h, k).map(|s| s.label());
        assert_eq!(label(None, None), Ok("hmac-sha256"));
        assert_eq!(label(Some(""), None), Ok("hmac-sha256"));
        assert_eq!(
            label(Some("HMAC-SHA256"), Some(b"k")),
            Ok("hmac-sha256:org")
        );
        assert_eq!(label(Some("sha256"), None), Ok("sha256"));
        assert_eq!(
            label(Some("sha256"), Some(b"k")),
            Err(DigestError::PlainWithKey)
        );
        assert_eq!(label(None, Some(b"")), Err(DigestError::EmptyKey));
        assert_eq!(label(Some("md5"), None), Err(DigestError::UnknownScheme));
    }

    #[test]
    fn errors_and_debug_never_show_the_key() {
        let key = b"TopSecretOrgKey-42";
        let shown = format!("{:?}", Scheme::organisation(key));
        assert!(!shown.contains("TopSecret"), "{shown}");
        for e in [
            Scheme::from_settings(Some("sha256"), Some(key)).unwrap_err(),
            // A key put into the scheme's variable by mistake is not echoed either.
            Scheme::from_settings(Some("TopSecretOrgKey-42"), None).unwrap_err(),
        ] {
            assert!(!e.to_string().contains("TopSecret"), "{e}");
        }
    }

    #[test]
    fn pem_keys_hash_in_canonical_form() {
        let file =
            b"-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n  IBAAKC\r\n-----END RSA PRIVATE KEY-----\n";
        let escaped =
            b"-----BEGIN RSA PRIVATE KEY-----\\nMIIEow\\nIBAAKC\\n-----END RSA PRIVATE KEY-----";
        let s = Scheme::built_in();
        assert_eq!(s.digest(file), s.digest(escaped));
        assert_ne!(
            s.digest(file),
            s.digest(b"-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----")
        );
        // Escapes of any depth, escaped slashes and CRLF line breaks are layout too.
        let doubly = b"-----BEGIN RSA PRIVATE KEY-----\\\\nMIIEow\\\\nIBAAKC\\r\\n-----END RSA PRIVATE KEY-----";
        assert_eq!(s.digest(file), s.digest(doubly));
        let slashed = b"-----BEGIN EC PRIVATE KEY-----\\nMH\\/c+\\n-----END EC PRIVATE KEY-----";
        let plain = b"-----BEGIN EC PRIVATE KEY-----\r\nMH/c+\r\n-----END EC PRIVATE KEY-----\r\n";
        assert_eq!(s.digest(slashed), s.digest(plain));
        // Other secrets are hashed byte for byte: spaces count.
        assert_ne!(s.digest(b"a b"), s.digest(b"ab"));
    }
}
