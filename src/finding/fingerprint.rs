//! The one fingerprint of a finding, used by SARIF `partialFingerprints`, baselines and merges.
//!
//! `keytrace/v1` = first 32 hex digits of SHA-256("keytrace/v1" NUL rule_id NUL secret_sha256 NUL
//! scope). `scope` is empty for single-repository scans, so the fingerprint does not depend on the
//! path, line or commit: it survives line moves, file renames and history rewrites. Sweeps over
//! many repositories pass the repository identity as scope, so that the same secret in two
//! repositories is two alerts that a report can still correlate by `secret_sha256`.

use sha2::{Digest, Sha256};

/// The SARIF `partialFingerprints` key under which the fingerprint is published.
pub const FINGERPRINT_KEY: &str = "keytrace/v1";

/// Compute the fingerprint (see the module doc for the exact definition).
pub fn fingerprint(rule_id: &str, secret_sha256: &str, scope: &str) -> String {
    let mut h = Sha256::new();
    for part in [FINGERPRINT_KEY, rule_id, secret_sha256, scope] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    hex::encode(h.finalize())[..32].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depends_on_rule_secret_and_scope_only() {
        let a = fingerprint("openai-project-key", "ab", "");
        assert_eq!(a.len(), 32);
        assert_eq!(a, fingerprint("openai-project-key", "ab", ""));
        assert_ne!(a, fingerprint("openai-admin-key", "ab", ""));
        assert_ne!(a, fingerprint("openai-project-key", "ac", ""));
        assert_ne!(a, fingerprint("openai-project-key", "ab", "repo"));
    }
}
