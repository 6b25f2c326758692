//! Policy: allowlists, inline ignores, baseline, and policy-as-code severity/failure decisions.
//! Runs after attribution (policy may match owners' identity classes) and before reporting.

pub mod allowlist;
pub mod baseline;
pub mod config;
pub mod pattern;
pub mod risk;
pub mod rules;
pub mod silence;

use crate::finding::Finding;
use crate::rules::Severity;
use std::collections::HashSet;

/// Everything policy needs, resolved from flags and keytrace.toml.
pub struct Policy {
    pub config: config::Config,
    pub allowlist: allowlist::Allowlist,
    pub baseline: Option<baseline::Baseline>,
    /// Only findings at or above this severity (or risk score) fail the run.
    pub fail_on: Option<FailOn>,
}

/// The `--fail-on` threshold: a severity (`high`) or a risk score (`risk:70`, `risk>=70`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    Severity(Severity),
    Risk(u32),
}

impl FailOn {
    /// Whether a finding reaches the threshold (and so may fail the run).
    pub fn reached_by(self, f: &Finding) -> bool {
        match self {
            FailOn::Severity(min) => f.severity >= min,
            FailOn::Risk(min) => f.props.risk.unwrap_or(0) >= min,
        }
    }
}

impl std::str::FromStr for FailOn {
    type Err = String;

    fn from_str(s: &str) -> Result<FailOn, String> {
        let t = s.trim();
        let lower = t.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("risk") {
            let n = rest.trim_start_matches([':', '=', '>', ' ']).trim();
            return match n.parse::<u32>() {
                Ok(v) if v <= risk::MAX => Ok(FailOn::Risk(v)),
                _ => Err(format!(
                    "`{t}`: a risk threshold is risk:N with N from 0 to {}",
                    risk::MAX
                )),
            };
        }
        t.parse::<Severity>().map(FailOn::Severity).map_err(|_| {
            format!("`{t}`: expected a severity (critical, high, medium, low, info) or risk:N")
        })
    }
}

impl Policy {
    /// Fix each finding's fingerprint from its final path, mark allowlisted and baselined
    /// findings as suppressed, then decide severity and failure.
    pub fn apply(&self, findings: &mut [Finding]) -> anyhow::Result<()> {
        // Paths are final here (history attribution and path rewriting are done), and the
        // baseline and allowlist match on the fingerprint: compute it once, from that path.
        findings.iter_mut().for_each(Finding::refresh_fingerprint);
        // A set, not `Baseline::contains`: a linear search per finding is quadratic.
        let accepted: HashSet<&str> = self
            .baseline
            .iter()
            .flat_map(baseline::Baseline::accepted)
            .collect();
        let mut allowlisted = 0;
        for f in findings.iter_mut() {
            if f.props.suppressed_by.is_some() {
                continue;
            }
            if let Some(reason) = self.allowlist.reason(f) {
                f.props.suppressed_by = Some(reason);
                allowlisted += 1;
            } else if baseline::accepts(&accepted, f) {
                f.props.suppressed_by = Some("baseline".into());
            }
        }
        rules::apply(findings, &self.config.policy, self.config.default_policy)
            .map_err(anyhow::Error::msg)?;
        let user_decided = findings
            .iter()
            .filter(|f| f.props.suppressed_by.is_none() && !f.fails)
            .filter(|f| {
                let decided_by = f.props.policy.as_deref();
                self.config
                    .policy
                    .iter()
                    .any(|r| Some(r.name.as_str()) == decided_by)
            })
            .count();
        let source = self.config.source.as_deref();
        if let Some(w) = silence::apply_warning(source, findings, allowlisted, user_decided) {
            warn(&w);
        }
        risk::score_all(findings, chrono::Utc::now().timestamp());
        if let Some(min) = self.fail_on {
            for f in findings.iter_mut().filter(|f| !min.reached_by(f)) {
                f.fails = false;
            }
        }
        Ok(())
    }
}

/// Print a policy warning on stderr, one line. The policy layer speaks to the user directly only
/// for this: a configuration that silences everything would otherwise pass as a clean scan.
pub fn warn(message: &str) {
    eprintln!(
        "keytrace: warning: {}",
        crate::rules::text::one_line(message)
    );
}
