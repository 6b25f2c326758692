//! Reporters: one file per format. Producers hand over a finished `Report`; only the human
//! reporter styles text.

pub mod escape;
pub mod html;
pub mod human;
pub mod json;
pub mod markdown;
pub mod message;
pub mod sarif;
pub mod scrub;

use crate::coverage::CoverageRecord;
use crate::finding::Finding;
use crate::rules::{Rule, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Jsonl,
    Sarif,
    /// A Markdown summary (GitHub job summaries): counts, owners, top findings, next steps.
    Markdown,
}

/// The version control state of a scanned repository (SARIF `versionControlProvenance`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RepoInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
}

/// What was scanned, for the report header and SARIF `automationDetails`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScanInfo {
    /// `directory`, `git-history`, `staged`, `range`, `config-stores`, `etcd`, `stdin`, `sweep`.
    pub kind: String,
    pub targets: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<RepoInfo>,
    /// Hash of the ruleset used (changes whenever any rule changes).
    #[serde(default)]
    pub ruleset_hash: String,
    /// How `secret_sha256` was computed: `hmac-sha256`, `hmac-sha256:org` or `sha256` (see
    /// `finding::digest`); never the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_hash: Option<String>,
}

/// A finished scan, ready for any reporter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub scan: ScanInfo,
    pub coverage: CoverageRecord,
    pub findings: Vec<Finding>,
    /// Findings suppressed by baseline, allowlist or inline ignore (listed with --show-suppressed).
    #[serde(default)]
    pub suppressed: Vec<Finding>,
    /// Secret-manager references met, by kind: how much credential wiring is managed.
    #[serde(default)]
    pub references: BTreeMap<String, u64>,
    /// Sweeps only: the run and what happened to each repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<crate::sweep::SweepSection>,
}

impl Report {
    /// Counts of findings by severity, most severe first.
    pub fn by_severity(&self) -> Vec<(Severity, usize)> {
        Severity::ALL
            .iter()
            .map(|s| {
                (
                    *s,
                    self.findings.iter().filter(|f| f.severity == *s).count(),
                )
            })
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// Drop clear-text secrets unless the user asked to see them (`--no-redact`). Wherever the
    /// secret is still known, its shown form is rebuilt with the one redactor, so no producer
    /// (or older report read back) can put a more revealing form into any format; when
    /// redacting, free text that quotes a known secret is scrubbed too (see [`scrub`]).
    pub fn redact(&mut self, redact: bool) {
        for f in self.findings.iter_mut().chain(self.suppressed.iter_mut()) {
            if let Some(secret) = &f.secret {
                f.props.redacted = crate::finding::redact(secret);
            }
        }
        if redact {
            scrub::scrub_report(self);
            for f in self.findings.iter_mut().chain(self.suppressed.iter_mut()) {
                f.secret = None;
            }
        }
    }
}

/// Render `report` in `format`. `rules` gives rule metadata (help, tags) for SARIF descriptors.
pub fn render(
    format: Format,
    report: &Report,
    rules: &[Rule],
    color: bool,
    show_suppressed: bool,
) -> String {
    match format {
        Format::Human => human::render(report, color, show_suppressed),
        Format::Json => json::render(report, show_suppressed),
        Format::Jsonl => json::render_lines(report, show_suppressed),
        Format::Sarif => sarif::render(report, rules),
        Format::Markdown => markdown::render(
            report,
            &markdown::Links::from_report(report),
            markdown::DEFAULT_TOP,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_secret(secret: &str, shown: &str) -> Finding {
        Finding {
            rule_id: "r".into(),
            rule_name: "r".into(),
            severity: Severity::High,
            confidence: Default::default(),
            fails: true,
            location: Default::default(),
            fingerprint: "f".into(),
            secret: Some(secret.into()),
            props: crate::finding::Properties {
                redacted: shown.into(),
                ..Default::default()
            },
        }
    }

    #[test]
    fn redaction_rebuilds_every_shown_form_with_the_one_redactor() {
        let mut report = Report {
            findings: vec![with_secret("Zq8#mLv2", "Zq…v2")],
            suppressed: vec![with_secret("hunter22", "hunter22")],
            ..Report::default()
        };
        report.redact(false);
        assert_eq!(report.findings[0].secret.as_deref(), Some("Zq8#mLv2"));
        for f in report.findings.iter().chain(&report.suppressed) {
            assert_eq!(f.props.redacted, crate::finding::redact("Zq8#mLv2"));
        }
        report.redact(true);
        assert!(
            report
                .findings
                .iter()
                .chain(&report.suppressed)
                .all(|f| f.secret.is_none())
        );
    }
}
