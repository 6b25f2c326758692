//! Baselines: accept today's findings so that only new ones fail.
//!
//! A baseline stores fingerprints, never secrets. Version 2 files (written now) hold
//! `keytrace/v2` fingerprints: rule + secret + path, so a baselined secret stays accepted when
//! its line moves, while the same secret newly pasted at another path is a new finding.
//! Version 1 files (written before v2) hold `keytrace/v1` fingerprints (rule + secret, no
//! path); they keep loading and keep matching the secret wherever it is. An entry matches a
//! finding when it equals either form (`Finding::fingerprint_forms`), whatever the file's
//! version, so a hand-merged file of both forms works too.
use crate::finding::Finding;
use crate::rules::text::{one_line, read_text};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashSet};
use std::path::Path;

/// The version written by [`Baseline::from_findings`].
pub const BASELINE_VERSION: u32 = 2;

/// Largest baseline file read, in bytes (about a million findings).
pub const MAX_BASELINE: u64 = 256 << 20;

/// A baseline file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct BaselineError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// One accepted finding. Path and rule are informational, for humans reading the file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub rule_id: String,
    pub path: String,
}

/// The baseline file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<BaselineEntry>,
}

impl Baseline {
    pub fn from_findings(findings: &[Finding]) -> Baseline {
        let entries: BTreeSet<BaselineEntry> = findings
            .iter()
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint.clone(),
                rule_id: f.rule_id.clone(),
                path: f.location.path.clone(),
            })
            .collect();
        Baseline {
            version: BASELINE_VERSION,
            findings: entries.into_iter().collect(),
        }
    }

    /// Read a baseline (at most [`MAX_BASELINE`] bytes); errors name the file and line, on one
    /// line.
    pub fn load(path: &Path) -> anyhow::Result<Baseline> {
        let text = read_text(path, MAX_BASELINE)?;
        Ok(Baseline::parse(&path.display().to_string(), &text)?)
    }

    /// Parse baseline text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Baseline, BaselineError> {
        let b: Baseline = serde_json::from_str(text).map_err(|e| {
            // serde_json appends the position to its message; the line goes up front instead.
            let full = e.to_string();
            let position = format!(" at line {} column {}", e.line(), e.column());
            let message = full.strip_suffix(&position).unwrap_or(&full);
            BaselineError {
                file: file.to_string(),
                line: e.line().max(1),
                message: one_line(&format!("not a keytrace baseline: {message}")),
            }
        })?;
        if !(1..=BASELINE_VERSION).contains(&b.version) {
            return Err(BaselineError {
                file: file.to_string(),
                line: 1,
                message: format!("unsupported baseline version {}", b.version),
            });
        }
        Ok(b)
    }

    /// The accepted fingerprints, of either form, for matching many findings.
    pub fn accepted(&self) -> HashSet<&str> {
        self.findings
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect()
    }

    /// Whether the baseline accepts `f` (by its `keytrace/v2` or `keytrace/v1` form).
    pub fn contains(&self, f: &Finding) -> bool {
        accepts(&self.accepted(), f)
    }
}

/// Whether one of `f`'s fingerprint forms is in `accepted` (see [`Baseline::accepted`]).
pub fn accepts(accepted: &HashSet<&str>, f: &Finding) -> bool {
    !accepted.is_empty()
        && f.fingerprint_forms()
            .iter()
            .any(|form| accepted.contains(form.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_one_line_with_the_line_first() {
        let text = "{\n  \"version\": 1,\n  \"findings\": [{\"fingerprint\": 1}]\n}";
        let err = Baseline::parse("b.json", text).unwrap_err().to_string();
        assert!(
            err.starts_with("b.json:3: not a keytrace baseline: invalid type"),
            "{err}"
        );
        assert!(!err.contains("at line"), "{err}");
        let err = Baseline::parse("b.json", r#"{"version": 3, "findings": []}"#)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "b.json:1: unsupported baseline version 3");
    }

    fn finding(path: &str) -> Finding {
        let mut f = Finding {
            rule_id: "acme-api-key".into(),
            rule_name: "Acme".into(),
            severity: crate::rules::Severity::High,
            confidence: Default::default(),
            fails: true,
            location: crate::finding::Location {
                path: path.into(),
                ..Default::default()
            },
            fingerprint: String::new(),
            secret: None,
            props: crate::finding::Properties {
                secret_sha256: "ab".into(),
                ..Default::default()
            },
        };
        f.refresh_fingerprint();
        f
    }

    #[test]
    fn version_2_is_written_and_both_versions_load_and_match() {
        let here = finding("a.env");
        let elsewhere = finding("b.env");
        let new = Baseline::from_findings(std::slice::from_ref(&here));
        assert_eq!(new.version, 2);
        assert_eq!(new.findings[0].fingerprint, here.fingerprint);
        let text = serde_json::to_string(&new).unwrap();
        let new = Baseline::parse("b.json", &text).unwrap();
        assert!(new.contains(&here));
        assert!(!new.contains(&elsewhere), "v2 entries name one path");
        let old = format!(
            r#"{{"version": 1, "findings": [{{"fingerprint": "{}", "rule_id": "acme-api-key", "path": "a.env"}}]}}"#,
            here.secret_fingerprint()
        );
        let old = Baseline::parse("old.json", &old).unwrap();
        assert!(
            old.contains(&here) && old.contains(&elsewhere),
            "v1 entries name the secret"
        );
    }

    #[test]
    fn hostile_baselines_are_errors_not_panics() {
        let long = format!(
            r#"{{"version": "{}", "findings": []}}"#,
            "x".repeat(1 << 20)
        );
        let deep = "[".repeat(100_000);
        let cases = [
            long.as_str(),
            deep.as_str(),
            r#"{"version": 99999999999999999999999, "findings": []}"#,
            r#"{"version": 1e999, "findings": []}"#,
            r#"{"version": -1, "findings": []}"#,
            "{\"version\": 1, \"findings\": [], \"x\": \"\\u0000\"}",
            "\u{0}",
            "",
            r#"{"version": 1, "findings": [{"fingerprint": "a", "rule_id": "r", "path": "p", "path": "q"}]}"#,
        ];
        for text in cases {
            let err = Baseline::parse("h.json", text).unwrap_err().to_string();
            assert!(err.starts_with("h.json:"), "{err}");
            assert!(
                !err.contains('\n') && err.len() < 400,
                "{}",
                &err[..400.min(err.len())]
            );
        }
    }

    #[test]
    fn load_reports_invalid_utf8_at_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b.json");
        std::fs::write(&p, b"{\n\"version\": 1,\n\"findings\": [\xff]}").unwrap();
        let err = format!("{:#}", Baseline::load(&p).unwrap_err());
        assert!(err.ends_with("b.json:3: not valid UTF-8"), "{err}");
    }
}
