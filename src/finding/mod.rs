//! Findings: a rule match tied to a place, with everything later stages attach to it.
//!
//! `Properties` is the flat property bag of DESIGN.md; it is serialised as-is into SARIF
//! `result.properties` and flattened into each JSON finding, so both formats carry the same fields.

pub mod digest;
mod fingerprint;
pub mod location;
mod redact;

pub use fingerprint::{FINGERPRINT_KEY, fingerprint};
pub use location::{LineIndex, Location};
pub use redact::redact;

use crate::rules::{Confidence, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where a blob came from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    #[default]
    File,
    GitHistory,
    Staged,
    ConfigStore,
    Etcd,
    Stdin,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::File => "file",
            SourceKind::GitHistory => "git-history",
            SourceKind::Staged => "staged",
            SourceKind::ConfigStore => "config-store",
            SourceKind::Etcd => "etcd",
            SourceKind::Stdin => "stdin",
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The flat property bag of a finding (DESIGN.md). Unknown values are absent, never invented.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Properties {
    pub provider: String,
    pub category: String,
    pub long_lived: bool,
    pub redacted: String,
    pub secret_sha256: String,
    pub source: SourceKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committed_at: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refs: Vec<String>,
    /// How many more refs reach the commit than `refs` lists (it keeps the most relevant).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub refs_omitted: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_head: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed_in: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blob_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_source: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codeowners: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codeowners_file: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub identity: BTreeMap<String, serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed_by: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub generic: bool,
    /// A generic finding whose value is a well-known default password (`changeme`, `admin`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub weak_default: bool,
    /// Sweeps: `new`, `present` or `removed-from-head` compared with earlier runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Sweeps: RFC 3339 start time of the run that first / last saw this finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
}

/// One reported secret at one place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule_id: String,
    pub rule_name: String,
    pub severity: Severity,
    pub confidence: Confidence,
    /// Whether the policy says this finding fails the run.
    #[serde(default = "default_true")]
    pub fails: bool,
    pub location: Location,
    pub fingerprint: String,
    /// The clear-text secret: only serialised when the user asked for `--no-redact`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    #[serde(flatten)]
    pub props: Properties,
}

fn default_true() -> bool {
    true
}

impl Finding {
    /// Sort key that makes report order deterministic.
    pub fn sort_key(&self) -> (String, usize, usize, String) {
        (
            self.location.path.clone(),
            self.location.start_line,
            self.location.start_column,
            self.rule_id.clone(),
        )
    }

    /// Key under which two findings are "the same secret at the same place".
    pub fn dedup_key(&self) -> (String, usize, usize, String, Option<String>) {
        (
            self.location.path.clone(),
            self.location.start_line,
            self.location.start_column,
            self.props.secret_sha256.clone(),
            self.props.config_key.clone(),
        )
    }
}

/// Sort findings deterministically and drop repeats of the same secret at the same place.
pub fn sort_and_dedup(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| {
        a.sort_key()
            .cmp(&b.sort_key())
            .then(a.props.commit.cmp(&b.props.commit))
    });
    let mut seen = std::collections::HashSet::new();
    findings.retain(|f| seen.insert(f.dedup_key()));
}
