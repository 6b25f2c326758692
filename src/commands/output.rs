//! Writing reports: to a file or standard output, with colour decided once.

use crate::cli::OutputArgs;
use crate::cli::scan::ColorChoice;
use anyhow::Context;
use std::io::{IsTerminal, Write};

/// Whether the human report may use colour.
pub fn use_color(args: &OutputArgs) -> bool {
    match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os(crate::env_vars::NO_COLOR).is_none_or(|v| v.is_empty())
        }
    }
}

/// Write `text` to `--output` or standard output.
pub fn emit(args: &OutputArgs, text: &str) -> anyhow::Result<()> {
    match &args.output {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("{}: cannot write report", path.display())),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
            Ok(())
        }
    }
}

/// A one-line summary for standard error (CI logs), e.g. `keytrace: 3 findings (1 critical, 2 high)`.
pub fn summary_line(report: &crate::report::Report) -> String {
    let parts: Vec<String> = report
        .by_severity()
        .iter()
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    let mut line = format!("keytrace: {} findings", report.findings.len());
    if !parts.is_empty() {
        line.push_str(&format!(" ({})", parts.join(", ")));
    }
    if !report.suppressed.is_empty() {
        line.push_str(&format!(", {} suppressed", report.suppressed.len()));
    }
    line.push_str(&format!(
        "; scanned {} blobs, {} bytes, skipped {}",
        report.coverage.blobs_scanned,
        report.coverage.bytes_scanned,
        report.coverage.skipped_total()
    ));
    line
}
