//! `keytrace report ...`: work from a saved JSON report instead of rescanning.

use crate::cli::report::SummaryArgs;
use crate::exit::ExitStatus;
use crate::report::escape::for_terminal;
use crate::report::{human, json, markdown};
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

/// `keytrace report summary FILE`: a Markdown summary of a saved JSON report or SARIF log, to
/// standard output or appended to `--append-to` (a job summary file). Secrets are redacted
/// whatever the input holds.
pub fn summary(args: &SummaryArgs) -> anyhow::Result<ExitStatus> {
    let mut report = super::merge::read_report(&args.file)?;
    report.redact(true);
    let mut links = markdown::Links::from_report(&report);
    if let Some(url) = &args.repo_url {
        links.web = Some(url.clone());
    }
    if let Some(sha) = &args.sha {
        links.sha = Some(sha.clone());
    }
    let text = markdown::render(&report, &links, args.top);
    match &args.append_to {
        Some(path) => {
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .with_context(|| format!("{}: cannot open summary file", path.display()))?;
            file.write_all(text.as_bytes())
                .with_context(|| format!("{}: cannot write summary", path.display()))?;
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(ExitStatus::Clean)
}
