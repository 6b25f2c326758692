//! Policy: allowlists, inline ignores, baseline, and policy-as-code severity/failure decisions.
//! Runs after attribution (policy may match owners' identity classes) and before reporting.

pub mod allowlist;
pub mod baseline;
pub mod config;
pub mod pattern;
pub mod rules;

use crate::finding::Finding;
use crate::rules::Severity;
use std::collections::HashSet;

/// Everything policy needs, resolved from flags and keytrace.toml.
pub struct Policy {
    pub config: config::Config,
    pub allowlist: allowlist::Allowlist,
    pub baseline: Option<baseline::Baseline>,
    /// Only findings at or above this severity fail the run.
    pub fail_on: Option<Severity>,
}

impl Policy {
    /// Mark allowlisted and baselined findings as suppressed, then decide severity and failure.
    pub fn apply(&self, findings: &mut [Finding]) -> anyhow::Result<()> {
        // A set, not `Baseline::contains`: a linear search per finding is quadratic.
        let accepted: HashSet<&str> = self
            .baseline
            .iter()
            .flat_map(|b| b.findings.iter().map(|e| e.fingerprint.as_str()))
            .collect();
        for f in findings.iter_mut() {
            if f.props.suppressed_by.is_some() {
                continue;
            }
            if let Some(reason) = self.allowlist.reason(f) {
                f.props.suppressed_by = Some(reason);
            } else if accepted.contains(f.fingerprint.as_str()) {
                f.props.suppressed_by = Some("baseline".into());
            }
        }
        rules::apply(findings, &self.config.policy, self.config.default_policy)
            .map_err(anyhow::Error::msg)?;
        if let Some(min) = self.fail_on {
            for f in findings.iter_mut().filter(|f| f.severity < min) {
                f.fails = false;
            }
        }
        Ok(())
    }
}
