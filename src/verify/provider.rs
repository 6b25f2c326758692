//! The providers keytrace can verify, their default API base URLs, and which finding maps to
//! which provider.
//!
//! A finding names its provider in `props.provider` (the rule file stem); the rule id prefix is a
//! fallback. A PEM private key that attribution tied to a GCP service account (`client_email`
//! ending in `.gserviceaccount.com`) is verified as a GCP key whatever rule found it.

use crate::finding::Finding;
use std::fmt;

/// A provider with a read-only identity endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Provider {
    Aws,
    Gcp,
    Github,
    Gitlab,
    Slack,
    Openai,
    Anthropic,
    Huggingface,
    Stripe,
    Npm,
    Dockerhub,
    Sendgrid,
    Twilio,
    Datadog,
}

impl Provider {
    /// Every verifiable provider, in the order docs list them.
    pub const ALL: [Provider; 14] = [
        Provider::Aws,
        Provider::Gcp,
        Provider::Github,
        Provider::Gitlab,
        Provider::Slack,
        Provider::Openai,
        Provider::Anthropic,
        Provider::Huggingface,
        Provider::Stripe,
        Provider::Npm,
        Provider::Dockerhub,
        Provider::Sendgrid,
        Provider::Twilio,
        Provider::Datadog,
    ];

    /// The provider name, equal to its rule file stem.
    pub fn name(self) -> &'static str {
        match self {
            Provider::Aws => "aws",
            Provider::Gcp => "gcp",
            Provider::Github => "github",
            Provider::Gitlab => "gitlab",
            Provider::Slack => "slack",
            Provider::Openai => "openai",
            Provider::Anthropic => "anthropic",
            Provider::Huggingface => "huggingface",
            Provider::Stripe => "stripe",
            Provider::Npm => "npm",
            Provider::Dockerhub => "dockerhub",
            Provider::Sendgrid => "sendgrid",
            Provider::Twilio => "twilio",
            Provider::Datadog => "datadog",
        }
    }

    /// The provider called `name` (case-insensitive), if keytrace can verify it.
    pub fn from_name(name: &str) -> Option<Provider> {
        Provider::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name.trim()))
    }

    /// The public API base URLs: Datadog's are tried in order (one per site); AWS's are STS, then
    /// IAM (read by `--blast-radius`).
    pub fn default_bases(self) -> &'static [&'static str] {
        match self {
            // STS first (verification); IAM only for --blast-radius.
            Provider::Aws => &["https://sts.amazonaws.com", "https://iam.amazonaws.com"],
            Provider::Gcp => &["https://oauth2.googleapis.com"],
            Provider::Github => &["https://api.github.com"],
            Provider::Gitlab => &["https://gitlab.com"],
            Provider::Slack => &["https://slack.com"],
            Provider::Openai => &["https://api.openai.com"],
            Provider::Anthropic => &["https://api.anthropic.com"],
            Provider::Huggingface => &["https://huggingface.co"],
            Provider::Stripe => &["https://api.stripe.com"],
            Provider::Npm => &["https://registry.npmjs.org"],
            Provider::Dockerhub => &["https://hub.docker.com"],
            Provider::Sendgrid => &["https://api.sendgrid.com"],
            Provider::Twilio => &["https://api.twilio.com"],
            Provider::Datadog => &[
                "https://api.datadoghq.com",
                "https://api.us3.datadoghq.com",
                "https://api.us5.datadoghq.com",
                "https://api.datadoghq.eu",
                "https://api.ap1.datadoghq.com",
                "https://api.ap2.datadoghq.com",
                "https://api.ddog-gov.com",
            ],
        }
    }

    /// The provider that can verify this finding's secret, if any.
    pub fn for_finding(f: &Finding) -> Option<Provider> {
        if is_gcp_service_account_key(f) {
            return Some(Provider::Gcp);
        }
        Provider::from_name(&f.props.provider).or_else(|| {
            let prefix = f.rule_id.split('-').next().unwrap_or_default();
            Provider::from_name(prefix)
        })
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A private key that attribution placed inside a GCP service-account key file.
fn is_gcp_service_account_key(f: &Finding) -> bool {
    let email = f
        .props
        .identity
        .get("client_email")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    email.ends_with(".gserviceaccount.com")
        && f.secret
            .as_deref()
            .is_some_and(|s| s.contains("PRIVATE KEY"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_none() {
        for p in Provider::ALL {
            assert_eq!(Provider::from_name(p.name()), Some(p));
        }
        assert_eq!(Provider::from_name("GitHub"), Some(Provider::Github));
        assert_eq!(Provider::from_name("pypi"), None);
    }

    #[test]
    fn default_bases_are_https() {
        for p in Provider::ALL {
            assert!(p.default_bases().iter().all(|b| b.starts_with("https://")));
        }
    }
}
