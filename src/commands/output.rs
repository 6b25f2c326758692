//! Writing reports: to a file or standard output, with colour decided once.

use crate::cli::OutputArgs;
use crate::cli::scan::ColorChoice;
use anyhow::Context;
use std::io::{IsTerminal, Write};
use std::path::Path;

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

/// Write `text` to `--output` or standard output. A report written with `--no-redact` holds
/// clear-text secrets, so its file is private to the user (see [`write_private`]).
pub fn emit(args: &OutputArgs, text: &str) -> anyhow::Result<()> {
    match &args.output {
        Some(path) if args.no_redact => write_private(path, text.as_bytes())
            .with_context(|| format!("{}: cannot write report", path.display())),
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

/// Write `bytes` to `path` readable by its owner only: a new file is created with mode 0600
/// (never wider, whatever the umask), and an existing regular file is narrowed to 0600 before
/// anything is written to it; if its mode cannot be narrowed (someone else's file), nothing is
/// written. Pipes and devices (`-o /dev/stdout`) are written as they are.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    if file.metadata()?.is_file() {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        file.set_len(0)?;
    }
    file.write_all(bytes)?;
    file.flush()
}

/// A one-line summary for standard error (CI logs), e.g. `keytrace: 3 findings (1 critical, 2 high)`.
/// Escaped like the human report, so it stays one line of inert text whatever it names.
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
    crate::report::escape::for_terminal(&line).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[cfg(unix)]
    #[test]
    fn private_files_are_created_and_narrowed_to_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("new.json");
        write_private(&new, b"secret").unwrap();
        assert_eq!(mode(&new), 0o600);
        assert_eq!(std::fs::read(&new).unwrap(), b"secret");

        let old = dir.path().join("old.json");
        std::fs::write(&old, b"a much longer earlier report").unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o666)).unwrap();
        write_private(&old, b"short").unwrap();
        assert_eq!(mode(&old), 0o600);
        assert_eq!(std::fs::read(&old).unwrap(), b"short");
        // Devices are written, not truncated or narrowed.
        let before = mode(Path::new("/dev/null"));
        write_private(Path::new("/dev/null"), b"x").unwrap();
        assert_eq!(mode(Path::new("/dev/null")), before);
    }

    #[test]
    fn summary_is_one_escaped_line() {
        let mut report = crate::report::Report::default();
        report.coverage.skipped.insert("x\ny\x1b".into(), 2);
        let line = summary_line(&report);
        assert!(!line.contains('\n') && !line.contains('\x1b'), "{line}");
    }
}
