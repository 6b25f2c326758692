//! Baselines: accept today's findings so that only new ones fail.
//!
//! A baseline stores fingerprints (`keytrace/v1`: rule id + SHA-256 of the secret, see
//! `finding::fingerprint`), never secrets. The fingerprint does not include the path or line, so
//! a baselined secret stays accepted when its line moves or its file is renamed; the same
//! secret newly pasted elsewhere is also accepted (it is the same exposure).

use crate::finding::Finding;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;

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
            version: 1,
            findings: entries.into_iter().collect(),
        }
    }

    /// Read a baseline; errors name the file and line.
    pub fn load(path: &Path) -> anyhow::Result<Baseline> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let b: Baseline = serde_json::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "{}:{}: not a keytrace baseline: {e}",
                path.display(),
                e.line()
            )
        })?;
        if b.version != 1 {
            anyhow::bail!(
                "{}:1: unsupported baseline version {}",
                path.display(),
                b.version
            );
        }
        Ok(b)
    }

    pub fn contains(&self, fingerprint: &str) -> bool {
        self.findings.iter().any(|e| e.fingerprint == fingerprint)
    }
}
