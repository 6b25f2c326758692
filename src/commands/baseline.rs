//! `keytrace baseline create`: record today's findings by fingerprint (never the secret).

use crate::cli::ScanArgs;
use crate::exit::ExitStatus;
use crate::policy::baseline::Baseline;
use anyhow::Context;

/// Default baseline file name.
pub const DEFAULT_BASELINE: &str = ".keytrace-baseline.json";

pub fn create(args: &ScanArgs) -> anyhow::Result<ExitStatus> {
    let (_, report) = super::scan::scan_to_report(args, false)?;
    let baseline = Baseline::from_findings(&report.findings);
    let path = args
        .output
        .output
        .clone()
        .unwrap_or_else(|| DEFAULT_BASELINE.into());
    let text = serde_json::to_string_pretty(&baseline)? + "\n";
    std::fs::write(&path, text)
        .with_context(|| format!("{}: cannot write baseline", path.display()))?;
    eprintln!(
        "keytrace: baseline of {} findings written to {}",
        baseline.findings.len(),
        path.display()
    );
    Ok(ExitStatus::Clean)
}
