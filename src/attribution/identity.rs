//! Key identity, decoded offline from the key itself: which account, principal or scope a leaked
//! credential belongs to, without calling anyone.
//!
//! Bytes of the secret (and, where a format spreads its identity over a document, the blob around
//! it) go in; a flat map goes into `props.identity`. Each decoder writes a value only where the
//! format really encodes it: a key that does not decode yields nothing rather than a guess.
//! Decoders are chosen by what the secret looks like, not by rule id, so user rules benefit too.
//!
//! | format | keys |
//! |---|---|
//! | AWS `AKIA`/`ASIA` access key id | `key_class`, `aws_account_id` |
//! | OpenAI, Anthropic API keys | `key_class` |
//! | GitHub tokens | `token_type` |
//! | GCP service-account JSON | `client_email`, `project_id`, `private_key_id` |
//! | JWT | `alg`, `iss`, `sub`, `aud`, `iat`, `exp` |
//! | Slack webhook URL, app-level token | `slack_team_id`, `slack_bot_id`, `slack_app_id` |
//! | database URL | `db_scheme`, `db_user`, `db_host` |
//! | Azure storage connection string | `storage_account` |
//! | PyPI token (macaroon) | `macaroon_location`, `macaroon_id`, `pypi_scope`, `pypi_projects`, `pypi_project_ids`, `pypi_user_id`, `pypi_oidc_provider_id`, `expires_at`, `not_before` |

mod aws;
mod connection;
mod gcp;
mod jwt;
mod pypi;

use serde_json::Value;
use std::collections::BTreeMap;
use std::ops::Range;

/// What a key says about itself.
pub type Identity = BTreeMap<String, Value>;

/// Decode what `secret` (found at `span` of `blob` by rule `rule_id` of `provider`) tells about
/// its owner offline. Empty when nothing is encoded.
pub fn decode_identity(
    rule_id: &str,
    provider: &str,
    secret: &str,
    blob: &[u8],
    span: Range<usize>,
) -> Identity {
    let mut out = Identity::new();
    let span = clamp(span, blob.len());
    aws::decode(secret, &mut out);
    let openai = provider.eq_ignore_ascii_case("openai") || rule_id.starts_with("openai-");
    key_class(openai, secret, &mut out);
    jwt::decode(secret, &mut out);
    pypi::decode(secret, &mut out);
    connection::decode(secret, blob, span.clone(), &mut out);
    gcp::decode(secret, blob, span, &mut out);
    out
}

fn clamp(span: Range<usize>, len: usize) -> Range<usize> {
    let end = span.end.min(len);
    span.start.min(end)..end
}

/// Insert a string value.
fn put(out: &mut Identity, key: &str, value: impl Into<String>) {
    out.insert(key.to_string(), Value::String(value.into()));
}

/// The key class or token type that a provider's documented prefix states.
/// `openai`: the rule says this is an OpenAI key (a bare `sk-` prefix alone does not).
fn key_class(openai: bool, secret: &str, out: &mut Identity) {
    const GITHUB: [(&str, &str); 6] = [
        ("github_pat_", "github-fine-grained-pat"),
        ("ghp_", "github-classic-pat"),
        ("gho_", "github-oauth"),
        ("ghu_", "github-user-to-server"),
        ("ghs_", "github-app-installation"),
        ("ghr_", "github-refresh"),
    ];
    if let Some((_, t)) = GITHUB.iter().find(|(p, _)| secret.starts_with(p)) {
        put(out, "token_type", *t);
        return;
    }
    let class = if secret.starts_with("sk-ant-admin") {
        "anthropic-admin"
    } else if secret.starts_with("sk-ant-api") {
        "anthropic-api"
    } else if secret.starts_with("sk-ant-") {
        return;
    } else if secret.starts_with("sk-proj-") {
        "openai-project"
    } else if secret.starts_with("sk-svcacct-") {
        "openai-service-account"
    } else if secret.starts_with("sk-admin-") {
        "openai-admin"
    } else if secret.starts_with("sk-") && (openai || secret.contains("T3BlbkFJ")) {
        "openai-user"
    } else {
        return;
    };
    put(out, "key_class", class);
}

/// The run of non-delimiter bytes around `span` (at most `limit` bytes each way): the whole
/// URL or connection string a secret sits in.
fn enclosing_token(blob: &[u8], span: Range<usize>, limit: usize) -> &str {
    let stop = |b: u8| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'`' | b'<' | b'>');
    let lo = span.start.saturating_sub(limit);
    let hi = (span.end + limit).min(blob.len());
    let start = blob[lo..span.start]
        .iter()
        .rposition(|&b| stop(b))
        .map_or(lo, |i| lo + i + 1);
    let end = blob[span.end..hi]
        .iter()
        .position(|&b| stop(b))
        .map_or(hi, |i| span.end + i);
    std::str::from_utf8(&blob[start..end]).unwrap_or("")
}

#[cfg(test)]
#[path = "identity/hostile_tests.rs"]
mod hostile_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn id(provider: &str, secret: &str) -> Identity {
        decode_identity("r", provider, secret, secret.as_bytes(), 0..secret.len())
    }

    fn get(i: &Identity, k: &str) -> Option<String> {
        i.get(k).and_then(|v| v.as_str()).map(str::to_string)
    }

    #[test]
    fn github_prefixes_name_the_token_type() {
        let cases = [
            ("ghp_", "github-classic-pat"),
            ("github_pat_", "github-fine-grained-pat"),
            ("gho_", "github-oauth"),
            ("ghu_", "github-user-to-server"),
            ("ghs_", "github-app-installation"),
            ("ghr_", "github-refresh"),
        ];
        for (prefix, want) in cases {
            let secret = format!("{prefix}Qm3Zr8TnVb2Lx9KcWp4Hs7Jd1Fg6Ya0Abc");
            assert_eq!(
                get(&id("github", &secret), "token_type").as_deref(),
                Some(want)
            );
        }
        assert!(id("github", "ghx_Qm3Zr8TnVb2Lx9KcWp4Hs7Jd1Fg6Ya").is_empty());
    }

    #[test]
    fn openai_prefixes_name_the_key_class() {
        let cases = [
            ("sk-proj-Ab12Cd34Ef56T3BlbkFJxyz", "openai-project"),
            (
                "sk-svcacct-Ab12Cd34Ef56T3BlbkFJxyz",
                "openai-service-account",
            ),
            ("sk-admin-Ab12Cd34Ef56T3BlbkFJxyz", "openai-admin"),
            ("sk-Ab12Cd34Ef56T3BlbkFJxyz0987", "openai-user"),
        ];
        for (secret, want) in cases {
            assert_eq!(
                get(&id("openai", secret), "key_class").as_deref(),
                Some(want)
            );
        }
    }

    #[test]
    fn a_bare_sk_key_of_another_provider_is_not_called_openai() {
        assert!(id("deepseek", "sk-0123456789abcdef0123456789abcdef").is_empty());
    }

    #[test]
    fn anthropic_api_and_admin_keys_differ() {
        let api = id("anthropic", "sk-ant-api03-AbCdEf0123456789-xyzAA");
        assert_eq!(get(&api, "key_class").as_deref(), Some("anthropic-api"));
        let admin = id("anthropic", "sk-ant-admin01-AbCdEf0123456789-xyzAA");
        assert_eq!(get(&admin, "key_class").as_deref(), Some("anthropic-admin"));
        assert!(id("anthropic", "sk-ant-other-AbCdEf").is_empty());
    }

    #[test]
    fn enclosing_token_stops_at_quotes_and_spaces() {
        let blob = br#"url = "postgres://u:p@db/x" # c"#;
        let start = blob.windows(3).position(|w| w == b"u:p").unwrap() + 2;
        let tok = enclosing_token(blob, start..start + 1, 100);
        assert_eq!(tok, "postgres://u:p@db/x");
    }

    #[test]
    fn out_of_range_spans_do_not_panic() {
        let got = decode_identity("r", "p", "x", b"abc", 10..20);
        assert!(got.is_empty());
    }
}
