//! Findings: a rule match tied to a place, with everything later stages attach to it.
//!
//! `Properties` is the flat property bag of DESIGN.md; it is serialised as-is into SARIF
//! `result.properties` and flattened into each JSON finding, so both formats carry the same fields.

pub mod artifact;
pub mod digest;
mod fingerprint;
pub mod location;
mod redact;

pub use artifact::ImageProps;
pub use fingerprint::{
    FINGERPRINT_KEY, SECRET_FINGERPRINT_KEY, location_fingerprint, secret_fingerprint,
};
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
    /// A container image's configuration or layers.
    Image,
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
            SourceKind::Image => "image",
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
    /// For a finding inside an archive: the artifact's path, then the path inside each archive
    /// level (`["release.tar.gz", "dist/plugin.zip", "conf/settings.ini"]`); the location's
    /// path is this list joined by `!`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub archive_path: Vec<String>,
    #[serde(flatten)]
    pub image: ImageProps,
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
    /// Encodings undone to find the secret, outermost first (`["base64"]`,
    /// `["percent", "base64"]`); absent for a secret found as written. See `docs/encodings.md`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decoded: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub generic: bool,
    /// A generic finding whose value is a well-known default password (`changeme`, `admin`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub weak_default: bool,
    /// Sweeps: `new`, `present` or `removed-from-head` compared with earlier runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Sweeps: a `removed-from-head` finding that was still in HEAD at the last run that wrote
    /// its report (fixed since the last run).
    #[serde(default, skip_serializing_if = "is_false")]
    pub fixed_since_last_run: bool,
    /// Sweeps: RFC 3339 start time of the run that first / last saw this finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
    /// The name the secret is assigned to where it was found (`OPENAI_API_KEY` in
    /// `OPENAI_API_KEY=…`): the environment variable or config key its consumers read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_name: Option<String>,
    /// Where that name is consumed in the same repository (see `attribution::consumers`); at
    /// most 50, `consumers_total` counts them all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consumers: Vec<crate::attribution::consumers::Consumer>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub consumers_total: usize,
    /// What the key can reach, from read-only provider calls (`--blast-radius`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blast_radius: Option<crate::verify::blast::BlastRadius>,
    /// Risk score 0–100 (docs/risk.md), and the terms that made it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub risk_factors: Vec<String>,
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
    /// The `keytrace/v2` fingerprint: rule + secret + path (+ repository in sweeps). See
    /// [`Finding::refresh_fingerprint`].
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
    /// The fingerprint scope: the repository identity in sweeps, empty otherwise.
    fn scope(&self) -> &str {
        self.props.repository.as_deref().unwrap_or("")
    }

    /// Recompute `fingerprint` (`keytrace/v2`) from the rule, secret digest, path and scope.
    /// Call it once the location's path is final (after history attribution and any path
    /// rewriting); it is idempotent, and it also upgrades a finding read from an older report.
    pub fn refresh_fingerprint(&mut self) {
        self.settle_archive_path();
        self.fingerprint = location_fingerprint(
            &self.rule_id,
            &self.props.secret_sha256,
            &self.location.path,
            self.scope(),
        );
    }

    /// Keep an archive entry's path after a source renamed the finding to the archive's own
    /// path (history attribution names a blob by the path in its introducing commit): the
    /// location becomes that path followed by the inner levels, and `archive_path` starts with
    /// it. A path that already ends with the inner levels is left as it is (idempotent).
    fn settle_archive_path(&mut self) {
        let Some((_, inner)) = self.props.archive_path.split_first() else {
            return;
        };
        let suffix: String = inner
            .iter()
            .flat_map(|level| [crate::expand::archive::ARCHIVE_SEPARATOR, level.as_str()])
            .collect();
        if suffix.is_empty() || self.location.path.ends_with(&suffix) {
            return;
        }
        self.props.archive_path[0] = self.location.path.clone();
        self.location.path.push_str(&suffix);
    }

    /// The secret-level identity (`keytrace/v1`: rule + secret + scope, no path), for
    /// correlation across paths and for baselines written before `keytrace/v2`.
    pub fn secret_fingerprint(&self) -> String {
        secret_fingerprint(&self.rule_id, &self.props.secret_sha256, self.scope())
    }

    /// Every form under which a baseline or an allowlist may name this finding: `keytrace/v2`
    /// and `keytrace/v1`, scoped to the repository and, in sweeps, also unscoped (the form a
    /// scan of that one repository prints). Computed from the finding's data, so a stale
    /// `fingerprint` field (an older stored finding) does not matter.
    pub fn fingerprint_forms(&self) -> Vec<String> {
        let (rule, sha, path) = (
            &self.rule_id,
            &self.props.secret_sha256,
            &self.location.path,
        );
        let mut forms = vec![
            location_fingerprint(rule, sha, path, self.scope()),
            secret_fingerprint(rule, sha, self.scope()),
        ];
        if !self.scope().is_empty() {
            forms.push(location_fingerprint(rule, sha, path, ""));
            forms.push(secret_fingerprint(rule, sha, ""));
        }
        // Baselines and allowlists written before digests were keyed hold `keytrace/v1` over the
        // plain SHA-256; while the secret is still in memory (policy runs before redaction),
        // that form is recomputed so that they keep matching.
        if let Some(secret) = &self.secret {
            let plain = digest::legacy_sha256(secret.as_bytes());
            forms.push(secret_fingerprint(rule, &plain, self.scope()));
            if !self.scope().is_empty() {
                forms.push(secret_fingerprint(rule, &plain, ""));
            }
        }
        forms
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(path: &str, line: usize, repository: Option<&str>) -> Finding {
        let mut f = Finding {
            rule_id: "acme-api-key".into(),
            rule_name: "Acme".into(),
            severity: Severity::High,
            confidence: Confidence::High,
            fails: true,
            location: Location {
                path: path.into(),
                start_line: line,
                ..Location::default()
            },
            fingerprint: "stale".into(),
            secret: None,
            props: Properties {
                secret_sha256: "ab".into(),
                repository: repository.map(str::to_string),
                ..Properties::default()
            },
        };
        f.refresh_fingerprint();
        f
    }

    #[test]
    fn the_fingerprint_follows_the_path_not_the_line() {
        let a = at("a/.env", 3, None);
        assert_eq!(
            a.fingerprint,
            location_fingerprint("acme-api-key", "ab", "a/.env", "")
        );
        assert_eq!(a.fingerprint, at("a/.env", 40, None).fingerprint);
        assert_ne!(a.fingerprint, at("b/.env", 3, None).fingerprint);
        assert_eq!(
            a.secret_fingerprint(),
            at("b/.env", 3, None).secret_fingerprint()
        );
        assert_eq!(
            a.secret_fingerprint(),
            secret_fingerprint("acme-api-key", "ab", "")
        );
    }

    #[test]
    fn sweeps_scope_by_repository_and_also_answer_to_unscoped_forms() {
        let scan = at("a/.env", 3, None);
        let swept = at("a/.env", 3, Some("github.com/o/r"));
        assert_ne!(scan.fingerprint, swept.fingerprint);
        assert_eq!(scan.fingerprint_forms().len(), 2);
        let forms = swept.fingerprint_forms();
        assert_eq!(forms.len(), 4);
        for form in scan.fingerprint_forms() {
            assert!(forms.contains(&form), "{form}");
        }
        assert!(forms.contains(&swept.fingerprint));
    }
}
