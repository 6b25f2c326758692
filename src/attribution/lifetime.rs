//! Long-lived or not, and how severe: a leaked key that works for years is worse than one that
//! dies within the hour, and an organisation admin key is worse than a project key.
//!
//! `long_lived` starts as the rule's flag and is refined by what the key itself says (its
//! identity): `ASIA` AWS keys, JWTs and PyPI tokens that expire within 24 hours of issue, and
//! GitHub installation / user-to-server tokens (documented to expire within hours) are
//! short-lived; `AKIA` keys, PEM private keys, static API keys and JWTs without `exp` or with a
//! far-away `exp` are long-lived. Severity then rises one step for real admin or organisation
//! keys, and one step for long-lived keys whose rule severity is below `high`.
//! [`classify`] is meant to run once per finding (it raises from the current severity).

use crate::finding::Finding;
use crate::rules::Severity;
use serde_json::Value;
use std::collections::BTreeMap;

/// A token valid for at most this long after issue is short-lived.
pub const SHORT_LIVED_SECS: f64 = 24.0 * 3600.0;

/// Key classes that are organisation-level administration keys.
const ADMIN_CLASSES: [&str; 2] = ["openai-admin", "anthropic-admin"];

/// Set `long_lived` from the rule flag and the identity, then raise severity where warranted.
pub fn classify(finding: &mut Finding) {
    if let Some(long) = long_lived(&finding.props.identity, &finding.props.category) {
        finding.props.long_lived = long;
    }
    let rule_severity = finding.severity;
    let mut severity = rule_severity;
    if is_admin(&finding.props.identity) {
        severity = severity.raised();
    }
    if finding.props.long_lived && rule_severity < Severity::High {
        severity = severity.raised();
    }
    finding.severity = severity;
}

/// Whether the identity names an organisation-level admin key.
pub fn is_admin(identity: &BTreeMap<String, Value>) -> bool {
    identity
        .get("key_class")
        .and_then(Value::as_str)
        .is_some_and(|c| ADMIN_CLASSES.contains(&c))
}

/// What the key's own format says about its lifetime; `None` leaves the rule's flag.
fn long_lived(identity: &BTreeMap<String, Value>, category: &str) -> Option<bool> {
    let str_of = |k: &str| identity.get(k).and_then(Value::as_str);
    let num_of = |k: &str| identity.get(k).and_then(Value::as_f64);
    if let Some(class) = str_of("key_class") {
        return match class {
            "aws-temporary" => Some(false),
            _ => Some(true),
        };
    }
    if let Some(t) = str_of("token_type") {
        return match t {
            "github-app-installation" | "github-user-to-server" => Some(false),
            _ => Some(true),
        };
    }
    if category == "private-key" {
        return Some(true);
    }
    if identity.contains_key("alg") {
        return match (num_of("iat"), num_of("exp")) {
            (_, None) => Some(true),
            (Some(iat), Some(exp)) => Some(exp - iat > SHORT_LIVED_SECS),
            (None, Some(_)) => None,
        };
    }
    match (num_of("not_before"), num_of("expires_at")) {
        (Some(nbf), Some(exp)) => Some(exp - nbf > SHORT_LIVED_SECS),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution::owners_file::tests::finding;
    use serde_json::json;

    fn classified(severity: Severity, rule_long: bool, category: &str, id: Value) -> Finding {
        let mut f = finding("r", "p", "x");
        f.severity = severity;
        f.props.long_lived = rule_long;
        f.props.category = category.into();
        f.props.identity = serde_json::from_value(id).unwrap();
        classify(&mut f);
        f
    }

    #[test]
    fn asia_keys_are_short_lived_and_akia_long_lived() {
        let asia = classified(
            Severity::High,
            true,
            "cloud",
            json!({"key_class": "aws-temporary"}),
        );
        assert!(!asia.props.long_lived);
        assert_eq!(asia.severity, Severity::High);
        let akia = classified(
            Severity::Medium,
            false,
            "cloud",
            json!({"key_class": "aws-long-term"}),
        );
        assert!(akia.props.long_lived);
        assert_eq!(akia.severity, Severity::High);
    }

    #[test]
    fn jwt_lifetime_follows_exp_minus_iat() {
        let hour = classified(
            Severity::Medium,
            true,
            "jwt",
            json!({"alg": "RS256", "iat": 1_700_000_000, "exp": 1_700_003_600}),
        );
        assert!(!hour.props.long_lived);
        assert_eq!(hour.severity, Severity::Medium);
        let year = classified(
            Severity::Medium,
            false,
            "jwt",
            json!({"alg": "HS256", "iat": 1_700_000_000, "exp": 1_731_536_000}),
        );
        assert!(year.props.long_lived);
        assert_eq!(year.severity, Severity::High);
        let forever = classified(Severity::Low, false, "jwt", json!({"alg": "HS256"}));
        assert!(forever.props.long_lived);
        assert_eq!(forever.severity, Severity::Medium);
        // Exactly 24 hours is still short-lived.
        let day = classified(
            Severity::Low,
            true,
            "jwt",
            json!({"alg": "HS256", "iat": 0, "exp": 86_400}),
        );
        assert!(!day.props.long_lived);
    }

    #[test]
    fn jwt_with_exp_but_no_iat_keeps_the_rule_flag() {
        let f = classified(
            Severity::Low,
            false,
            "jwt",
            json!({"alg": "HS256", "exp": 5}),
        );
        assert!(!f.props.long_lived);
        assert_eq!(f.severity, Severity::Low);
    }

    #[test]
    fn private_keys_and_static_api_keys_are_long_lived() {
        let pem = classified(Severity::Medium, false, "private-key", json!({}));
        assert!(pem.props.long_lived);
        let openai = classified(
            Severity::High,
            false,
            "ai-provider",
            json!({"key_class": "openai-project"}),
        );
        assert!(openai.props.long_lived);
        assert_eq!(openai.severity, Severity::High);
    }

    #[test]
    fn admin_keys_rise_one_step() {
        let admin = classified(
            Severity::High,
            true,
            "ai-provider",
            json!({"key_class": "openai-admin"}),
        );
        assert_eq!(admin.severity, Severity::Critical);
        let anthropic = classified(
            Severity::Medium,
            true,
            "ai-provider",
            json!({"key_class": "anthropic-admin"}),
        );
        // Admin (+1) and long-lived below high (+1).
        assert_eq!(anthropic.severity, Severity::Critical);
        let installation = classified(
            Severity::High,
            true,
            "vcs",
            json!({"token_type": "github-app-installation"}),
        );
        assert_eq!(installation.severity, Severity::High);
        assert!(!installation.props.long_lived);
    }

    #[test]
    fn pypi_trusted_publishing_tokens_are_short_lived() {
        let f = classified(
            Severity::High,
            true,
            "package-registry",
            json!({"not_before": 1000, "expires_at": 1900}),
        );
        assert!(!f.props.long_lived);
    }

    #[test]
    fn unknown_identity_keeps_the_rule_flag_and_raises_long_lived_low_rules() {
        let f = classified(Severity::Low, true, "saas", json!({}));
        assert!(f.props.long_lived);
        assert_eq!(f.severity, Severity::Medium);
        let g = classified(Severity::Low, false, "saas", json!({}));
        assert_eq!(g.severity, Severity::Low);
    }
}
