//! Flags of `keytrace scan`.

use crate::report::Format;
use clap::Args;
use std::path::PathBuf;

/// Where and how a report is written.
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// Report format.
    #[arg(
        long,
        short = 'f',
        value_enum,
        default_value = "human",
        help_heading = "Output"
    )]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE", help_heading = "Output")]
    pub output: Option<PathBuf>,
    /// Show secrets in clear text (reports redact them by default).
    #[arg(long, overrides_with = "redact", help_heading = "Output")]
    pub no_redact: bool,
    /// Redact secrets (the default).
    #[arg(long, help_heading = "Output")]
    pub redact: bool,
    /// Also list suppressed findings (baseline, allowlist, inline ignore).
    #[arg(long, help_heading = "Output")]
    pub show_suppressed: bool,
    /// Colour: auto (a TTY without NO_COLOR), always or never.
    #[arg(
        long,
        value_name = "WHEN",
        default_value = "auto",
        help_heading = "Output"
    )]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Paths to scan (default `.`); `-` reads standard input; `etcd://HOST:PORT[/PREFIX]` reads
    /// a live etcd v3 store. A `docker save` or OCI layout archive, an OCI layout directory, or
    /// `docker://IMAGE` (local daemon) is scanned as a container image.
    #[arg(value_name = "TARGET")]
    pub targets: Vec<String>,

    /// Extra rule files or directories (added to the embedded rules).
    #[arg(long, value_name = "DIR", help_heading = "Detection")]
    pub rules: Vec<PathBuf>,

    /// Worker threads (default: one per core; at most 4 per core are started).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0, value_parser = parse_threads, help_heading = "Detection")]
    pub threads: usize,

    /// Skip files and blobs larger than this (bytes, or with K/M/G suffix).
    #[arg(long, value_name = "SIZE", default_value = "25M", value_parser = parse_size, help_heading = "Detection")]
    pub max_file_size: u64,

    /// Honour .gitignore/.ignore files (by default ignored files on disk are scanned too).
    #[arg(long, help_heading = "Detection")]
    pub respect_gitignore: bool,

    /// Report findings of this confidence and above: high, medium or low.
    #[arg(
        long,
        value_name = "LEVEL",
        default_value = "medium",
        help_heading = "Detection"
    )]
    pub confidence: crate::rules::Confidence,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub archives: super::archive::ArchiveArgs,

    #[command(flatten)]
    pub history: super::history::HistoryArgs,

    /// Skip git blame of files on disk: no commit or author per finding, owners from
    /// CODEOWNERS or the owners table only (faster in large work trees).
    #[arg(long, help_heading = "Attribution")]
    pub no_blame: bool,

    #[command(flatten)]
    pub stores: super::stores::StoreArgs,

    #[command(flatten)]
    pub policy: super::policy::PolicyArgs,

    #[command(flatten)]
    pub verify: super::verify::VerifyArgs,
}

/// Parse `1048576`, `512K`, `25M`, `1G` (powers of 1024).
/// Most worker threads a command line may ask for.
pub const MAX_THREADS: usize = 1024;

/// A worker-thread count: 0 (one per core) to [`MAX_THREADS`].
pub fn parse_threads(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if n <= MAX_THREADS => Ok(n),
        _ => Err(format!(
            "`{s}` is not a thread count (0 for one per core, up to {MAX_THREADS})"
        )),
    }
}

pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let mult = match c.to_ascii_uppercase() {
                'K' => 1u64 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                'B' => 1,
                _ => return Err(format!("unknown size suffix `{c}` (use K, M or G)")),
            };
            (&s[..i], mult)
        }
        _ => (s, 1),
    };
    let n: u64 = num
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a size"))?;
    n.checked_mul(mult)
        .ok_or_else(|| format!("`{s}` is too large"))
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_parse_with_suffixes() {
        assert_eq!(parse_size("100"), Ok(100));
        assert_eq!(parse_size("2K"), Ok(2048));
        assert_eq!(parse_size("25M"), Ok(25 << 20));
        assert!(parse_size("ten").is_err());
        assert!(parse_size("5Q").is_err());
    }
}
