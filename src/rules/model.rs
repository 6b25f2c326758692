//! The rule model: what a `rules/<provider>.toml` file says, deserialised and checked for shape.
//!
//! Fields follow the contract in DESIGN.md. Unknown fields are rejected so that a typo in a rule
//! file is an error naming the file and line, never a silently ignored setting.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// How bad a leaked credential of this kind is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// GitHub code scanning's `security-severity` score (0.0–10.0) for this level.
    pub fn security_severity(self) -> &'static str {
        match self {
            Severity::Critical => "9.5",
            Severity::High => "8.0",
            Severity::Medium => "5.5",
            Severity::Low => "3.0",
            Severity::Info => "1.0",
        }
    }

    /// The SARIF `level` for this severity.
    pub fn sarif_level(self) -> &'static str {
        match self {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low | Severity::Info => "note",
        }
    }

    /// One step up, saturating at critical.
    pub fn raised(self) -> Severity {
        match self {
            Severity::Info => Severity::Low,
            Severity::Low => Severity::Medium,
            Severity::Medium => Severity::High,
            Severity::High | Severity::Critical => Severity::Critical,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }

    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown severity `{s}` (critical, high, medium, low, info)"))
    }
}

/// How sure keytrace is that a match is a real credential.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    #[default]
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::High => "high",
            Confidence::Medium => "medium",
            Confidence::Low => "low",
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Confidence {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "high" => Ok(Confidence::High),
            "medium" => Ok(Confidence::Medium),
            "low" => Ok(Confidence::Low),
            _ => Err(format!("unknown confidence `{s}` (high, medium, low)")),
        }
    }
}

/// An offline check applied to a candidate secret; a candidate that fails it is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValidatorKind {
    /// GitHub `gh?_` tokens: base62(CRC32) of the random part as the last 6 characters.
    GithubChecksum,
    /// npm `npm_` tokens: the same CRC32/base62 scheme as GitHub.
    NpmChecksum,
    /// Three base64url segments whose header and payload decode to JSON objects.
    Jwt,
    /// `pypi-` followed by a base64url macaroon issued by a PyPI host.
    PypiMacaroon,
    /// AWS access key id: the body after the prefix is valid base32.
    AwsAccessKeyId,
}

pub(crate) fn default_max_span() -> usize {
    512
}

/// One detection rule as written in a rule file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub name: String,
    pub provider: String,
    pub category: String,
    pub keywords: Vec<String>,
    pub pattern: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_entropy: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validator: Option<ValidatorKind>,
    pub long_lived: bool,
    pub severity: Severity,
    #[serde(default)]
    pub confidence: Confidence,
    #[serde(default = "default_max_span")]
    pub max_span: usize,
    pub description: String,
    pub remediation: String,
    #[serde(default)]
    pub examples: Vec<String>,
    #[serde(default)]
    pub negative_examples: Vec<String>,
    /// Where the rule was read from, for error messages. Not part of the rule: never
    /// serialised, so it changes neither `rules list --json` nor the ruleset hash.
    #[serde(skip)]
    pub origin: Option<RuleOrigin>,
}

/// The file and line a rule was declared on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleOrigin {
    pub file: Arc<str>,
    /// 1-based line of the rule's `[[rules]]` header (or of its `id` when that is unknown).
    pub line: usize,
}

impl fmt::Display for RuleOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

impl Rule {
    /// Generic rules (no provider format, only a credential-like name) carry lower confidence and
    /// are marked as such in reports.
    pub fn is_generic(&self) -> bool {
        self.category == "generic"
    }
}

/// The top level of a rule file: `[[rules]]` tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleFile {
    pub rules: Vec<toml::Spanned<Rule>>,
}
