//! Findings for verify unit tests.

use crate::finding::{Finding, Location, Properties};
use crate::matcher::secret_sha256;
use crate::rules::{Confidence, Severity};

/// A high-severity finding of `provider` holding `secret` at `path:line`.
pub(crate) fn finding(provider: &str, path: &str, line: usize, secret: &str) -> Finding {
    Finding {
        rule_id: format!("{provider}-test"),
        rule_name: format!("{provider} test"),
        severity: Severity::High,
        confidence: Confidence::High,
        fails: true,
        location: Location {
            path: path.into(),
            start_line: line,
            start_column: 1,
            end_line: line,
            end_column: 2,
        },
        fingerprint: String::new(),
        secret: Some(secret.into()),
        props: Properties {
            provider: provider.into(),
            secret_sha256: secret_sha256(secret.as_bytes()),
            ..Properties::default()
        },
    }
}
