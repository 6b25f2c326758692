//! `keytrace report ...`: work from a saved JSON report instead of rescanning.

use crate::exit::ExitStatus;
use crate::report::escape::for_terminal;
use crate::report::{human, json};
use anyhow::Context;
use std::io::Write;
use std::path::Path;

/// `keytrace report owners FILE.json`: the owners summary (owner → findings by severity, and
/// keys verified active) rebuilt from a report written with `--format json`.
pub fn owners(file: &Path) -> anyhow::Result<ExitStatus> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("{}: cannot read report", file.display()))?;
    let report = json::parse(&text)
        .map_err(|e| anyhow::anyhow!("{}: not a keytrace JSON report: {e}", file.display()))?;
    let mut out = std::io::stdout().lock();
    if report.findings.is_empty() {
        let name = file.display().to_string();
        writeln!(out, "No findings in {}.", for_terminal(&name))?;
    } else {
        write!(
            out,
            "{}",
            human::owners_table(&report.findings).trim_start()
        )?;
    }
    out.flush()?;
    Ok(ExitStatus::Clean)
}
