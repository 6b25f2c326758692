//! Noise control: placeholders, documentation values and secret-manager references.
//!
//! These checks apply to every candidate of every rule, so that a rule file cannot forget them.
//! Each check is deliberately conservative: it only drops values that no real credential has.

/// Substrings (lowercase) that mark a value as a placeholder or documentation sample.
const PLACEHOLDER_MARKERS: &[&str] = &[
    "example",
    "xxxx",
    "placeholder",
    "your_",
    "your-",
    "yourkey",
    "dummy",
    "sample",
    "redacted",
    "changeme",
    "...",
    "<",
    ">",
    "${",
    "{{",
    "****",
    "insert_",
    "replace_me",
    "replaceme",
];

/// Substrings (lowercase) of values that point into a secret manager instead of holding a
/// secret. Shared by every detector: provider rules here, the generic detector in
/// `generic::values`, which adds its own lookup and template markers.
pub const SECRET_MANAGER_MARKERS: &[&str] = &[
    "op://",
    "vault:",
    "vault://",
    "arn:aws:secretsmanager:",
    "arn:aws:ssm:",
    "enc[",
    "secrets.",
    "projects/*/secrets/",
    "@microsoft.keyvault(",
    "akv://",
    "keyvault://",
    "sops:",
    "gcp-secret://",
    "secretmanager.googleapis.com",
    "secretkeyref",
];

/// True when `secret` holds a published sample credential of a standard or of a vendor's
/// documentation (RFC 6749, 6750, 7519, 7617; jwt.io; AWS and Stripe docs): the table is
/// [`super::samples::SAMPLES`], each entry with its source.
pub fn is_documented_example(secret: &[u8]) -> bool {
    super::samples::published_sample(secret).is_some()
}

/// Prefixes (lowercase) of values that are ciphertext, encrypted by a tool that keeps the key
/// elsewhere: Jasypt `ENC(…)`, Spring Cloud Config `{cipher}…`, sops and hiera-eyaml `ENC[…]`,
/// Ansible Vault, Vault transit `vault:v1:…`, and the generic `enc:`/`encrypted:` tags.
const CIPHERTEXT_PREFIXES: &[&str] = &[
    "enc(",
    "enc[",
    "{cipher}",
    "$ansible_vault;",
    "vault:v",
    "enc:",
    "encrypted:",
    "!encrypted",
];

/// Shortest base64 that an AWS KMS ciphertext blob can be (a header, the key id and the data).
const MIN_KMS_BLOB: usize = 64;

/// True when `value` is ciphertext rather than a secret: an encrypted-value wrapper (see
/// [`CIPHERTEXT_PREFIXES`]) or an AWS KMS ciphertext blob (`AQICAH…`/`AQIBAH…`: base64 of the
/// blob's version-1 header). Ciphertext is useless without the key, which lives in a KMS.
pub fn is_ciphertext(value: &[u8]) -> bool {
    let v = value.trim_ascii();
    let lower = v.to_ascii_lowercase();
    if CIPHERTEXT_PREFIXES
        .iter()
        .any(|p| lower.starts_with(p.as_bytes()))
    {
        return true;
    }
    let kms = v.starts_with(b"AQICAH") || v.starts_with(b"AQIBAH") || v.starts_with(b"AQIDAH");
    kms && v.len() >= MIN_KMS_BLOB
        && v.iter()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(b))
}

/// True when `secret` is evidently not a real credential: a placeholder, a documentation value
/// (including the published samples of [`super::samples`]), one repeated character, or an
/// ascending run such as `12345678` / `abcdefgh`.
pub fn is_placeholder(secret: &[u8]) -> bool {
    if is_documented_example(secret) {
        return true;
    }
    let lower = secret.to_ascii_lowercase();
    if PLACEHOLDER_MARKERS
        .iter()
        .any(|m| memchr::memmem::find(&lower, m.as_bytes()).is_some())
    {
        return true;
    }
    let alnum: Vec<u8> = lower
        .iter()
        .copied()
        .filter(u8::is_ascii_alphanumeric)
        .collect();
    if alnum.len() >= 4 && alnum.iter().all(|&b| b == alnum[0]) {
        return true;
    }
    has_ascending_run(secret, 8)
}

/// True when the bytes hold a run of `len` consecutive ascending characters (`0123…`, `abcd…`).
fn has_ascending_run(secret: &[u8], len: usize) -> bool {
    let mut run = 1;
    for w in secret.windows(2) {
        if w[0].is_ascii_alphanumeric() && w[1] == w[0] + 1 {
            run += 1;
            if run >= len {
                return true;
            }
        } else {
            run = 1;
        }
    }
    false
}

/// True when `value` is a reference to a secret manager or a variable, not a literal secret.
pub fn is_reference(value: &[u8]) -> bool {
    let lower = value.to_ascii_lowercase();
    SECRET_MANAGER_MARKERS
        .iter()
        .any(|m| memchr::memmem::find(&lower, m.as_bytes()).is_some())
}

/// The kind of secret-manager reference a value holds, for the reference inventory.
pub fn reference_kind(value: &str) -> Option<&'static str> {
    let lower = value.to_ascii_lowercase();
    let kinds: &[(&str, &str)] = &[
        ("secrets.", "github-actions-secret"),
        ("op://", "1password"),
        ("vault:", "hashicorp-vault"),
        ("arn:aws:secretsmanager:", "aws-secrets-manager"),
        ("arn:aws:ssm:", "aws-ssm-parameter"),
        ("{{resolve:secretsmanager", "aws-secrets-manager"),
        ("{{resolve:ssm", "aws-ssm-parameter"),
        ("secretmanager.googleapis.com", "gcp-secret-manager"),
        ("projects/*/secrets/", "gcp-secret-manager"),
        ("@microsoft.keyvault(", "azure-key-vault"),
        ("vault.azure.net", "azure-key-vault"),
        ("enc[", "sops"),
        ("secretkeyref", "kubernetes-secret-ref"),
    ];
    kinds
        .iter()
        .find(|(m, _)| lower.contains(m))
        .map(|(_, k)| *k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_recognised() {
        for p in [
            "AKIAIOSFODNN7EXAMPLE",
            "sk-proj-xxxxxxxxxxxxxxxxxxxxxxxx",
            "<YOUR_API_KEY>",
            "your-api-key-here",
            "aaaaaaaaaaaaaaaa",
            "ghp_1234567890abcdefghij",
            "sk-...",
            "${OPENAI_API_KEY}",
            "********",
            "mF_9.B5f-4.1JqM",
            "2YotnFZFEjr1zCsicMWpAA",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p} should be a placeholder");
        }
    }

    #[test]
    fn random_tokens_are_not_placeholders() {
        for s in [
            "sk-proj-Q3v9TzLk2mWp8RbX4nYc",
            "wJ7rT2qLm9ZxK4pV8sN3",
            "AAAAB3NzaC1yc2EAAAADAQAB",
        ] {
            assert!(!is_placeholder(s.as_bytes()), "{s} is not a placeholder");
        }
    }

    #[test]
    fn ciphertexts_are_recognised() {
        for c in [
            "ENC(G6N718UuyPE5bHyWKyuLQSm02auQPUtm)",
            "ENC[AES256_GCM,data:abc,iv:def]",
            "{cipher}AQA4Fk2xL9mQ7zR2vP8wT1yB",
            "$ANSIBLE_VAULT;1.1;AES256",
            "encrypted:Qm4zK8wLp2xR7vT1",
            "AQICAHhx8Vq2pT4nR7mL0kZ3wY9cB6fJ1dG5sH8aE2uI4oN7rXUbzSPZmJPshDaTyhZ0q",
        ] {
            assert!(is_ciphertext(c.as_bytes()), "{c}");
        }
        // Too short for a KMS blob, not base64, or no wrapper: not ciphertext.
        for c in [
            "AQICAHhx8Vq2",
            "AQICAH hx8Vq2pT4nR7mL0kZ3wY9cB6fJ1dG5sH8aE2uI4oN7rXUbzSPZmJPs",
            "DEC(plain)",
            "hunter2enc:",
        ] {
            assert!(!is_ciphertext(c.as_bytes()), "{c}");
        }
    }

    #[test]
    fn references_are_recognised() {
        assert!(is_reference(b"op://vault/item/field"));
        assert!(is_reference(b"${{ secrets.OPENAI_API_KEY }}"));
        assert!(is_reference(
            b"arn:aws:secretsmanager:us-east-1:123:secret:x"
        ));
        assert!(is_reference(b"ENC[AES256_GCM,data:abc]"));
        assert!(!is_reference(b"sk-proj-Q3v9TzLk2mWp8RbX4nYc"));
        assert_eq!(
            reference_kind("${{ secrets.X }}"),
            Some("github-actions-secret")
        );
        assert_eq!(reference_kind("plain"), None);
    }
}
