//! Fingerprints of a finding: one published form per purpose, each defined once here.
//!
//! - `keytrace/v2`, the finding's fingerprint (`Finding::fingerprint`, SARIF
//!   `partialFingerprints`, new baselines): first 32 hex digits of SHA-256("keytrace/v2" NUL
//!   rule_id NUL secret_sha256 NUL path NUL scope). One alert per (rule, secret, path): the same
//!   secret at two paths is two alerts. It does not depend on the line, column or commit, so it
//!   survives line moves and history rewrites; `path` is the location's path (for history
//!   findings, the path in the introducing commit).
//! - `keytrace/v1`, the secret-level identity (`Finding::secret_fingerprint`): the same hash
//!   without the path ("keytrace/v1" NUL rule_id NUL secret_sha256 NUL scope). It correlates one
//!   secret across paths and repositories, and it is what baselines and allowlists written before
//!   v2 hold: they keep matching through it.
//!
//! `scope` is empty for single-repository scans. Sweeps over many repositories pass the
//! repository identity, so that the same secret in two repositories is two alerts that a
//! report can still correlate by `secret_sha256`.

use sha2::{Digest, Sha256};

/// The SARIF `partialFingerprints` key under which the (rule, secret, path) fingerprint is
/// published.
pub const FINGERPRINT_KEY: &str = "keytrace/v2";

/// The key of the secret-level fingerprint (rule + secret, no path): the form baselines and
/// allowlists written before `keytrace/v2` hold.
pub const SECRET_FINGERPRINT_KEY: &str = "keytrace/v1";

fn digest(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for part in parts {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    let mut hex = hex::encode(h.finalize());
    hex.truncate(32);
    hex
}

/// The `keytrace/v2` fingerprint of `rule_id` + `secret_sha256` at `path` within `scope`.
pub fn location_fingerprint(rule_id: &str, secret_sha256: &str, path: &str, scope: &str) -> String {
    digest(&[FINGERPRINT_KEY, rule_id, secret_sha256, path, scope])
}

/// The `keytrace/v1` secret-level fingerprint of `rule_id` + `secret_sha256` within `scope`.
pub fn secret_fingerprint(rule_id: &str, secret_sha256: &str, scope: &str) -> String {
    digest(&[SECRET_FINGERPRINT_KEY, rule_id, secret_sha256, scope])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_fingerprint_depends_on_rule_secret_and_scope_only() {
        let a = secret_fingerprint("openai-project-key", "ab", "");
        assert_eq!(a.len(), 32);
        assert_eq!(a, secret_fingerprint("openai-project-key", "ab", ""));
        assert_ne!(a, secret_fingerprint("openai-admin-key", "ab", ""));
        assert_ne!(a, secret_fingerprint("openai-project-key", "ac", ""));
        assert_ne!(a, secret_fingerprint("openai-project-key", "ab", "repo"));
    }

    #[test]
    fn v1_is_unchanged_so_old_baselines_keep_matching() {
        // The v1 definition is frozen: baselines written by earlier releases hold these values.
        let mut h = Sha256::new();
        for part in ["keytrace/v1", "r", "ab", ""] {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        let old = hex::encode(h.finalize())[..32].to_string();
        assert_eq!(secret_fingerprint("r", "ab", ""), old);
    }

    #[test]
    fn location_fingerprint_adds_the_path_and_differs_from_v1() {
        let a = location_fingerprint("r", "ab", "a/.env", "");
        assert_eq!(a.len(), 32);
        assert_eq!(a, location_fingerprint("r", "ab", "a/.env", ""));
        assert_ne!(a, location_fingerprint("r", "ab", "b/.env", ""));
        assert_ne!(a, location_fingerprint("r", "ab", "a/.env", "repo"));
        assert_ne!(a, location_fingerprint("q", "ab", "a/.env", ""));
        assert_ne!(a, secret_fingerprint("r", "ab", ""));
        // NUL separators: moving a character between fields changes the fingerprint.
        assert_ne!(
            location_fingerprint("r", "ab", "x", ""),
            location_fingerprint("r", "a", "bx", "")
        );
    }
}
