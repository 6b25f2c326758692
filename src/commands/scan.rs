//! `keytrace scan`: choose the source, run the pipeline, attribute, apply policy, report.

use super::output::{emit, summary_line, use_color};
use super::rules::load_ruleset;
use crate::cli::ScanArgs;
use crate::coverage::Coverage;
use crate::exit::ExitStatus;
use crate::finding::{Finding, sort_and_dedup};
use crate::pipeline::{self, Limits};
use crate::report::{self, Report, ScanInfo};
use crate::source::fs::list_files;
use std::io::Read;
use std::path::PathBuf;

pub fn run(args: &ScanArgs) -> anyhow::Result<ExitStatus> {
    let (rules, set) = load_ruleset(&args.rules)?;
    let coverage = Coverage::default();
    let limits = Limits {
        max_file_size: args.max_file_size,
    };
    let targets: Vec<String> = if args.targets.is_empty() {
        vec![".".into()]
    } else {
        args.targets.clone()
    };

    let (kind, findings) = if targets.iter().any(|t| t == "-") {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes)?;
        let origin = crate::blob::Origin {
            path: "-".into(),
            source: crate::finding::SourceKind::Stdin,
            store: None,
        };
        let mut matcher = set.matcher();
        let found = pipeline::scan_bytes(
            &set,
            &mut matcher,
            &bytes,
            &origin,
            &coverage,
            &pipeline::plain_text,
        );
        ("stdin", found)
    } else {
        let roots: Vec<PathBuf> = targets.iter().map(PathBuf::from).collect();
        let files = list_files(&roots, args.respect_gitignore, args.threads, &coverage)?;
        let found = pipeline::with_threads(args.threads, || {
            pipeline::scan_files(&files, &set, limits, &coverage, &crate::source::config_stores::structured_scan)
        });
        ("directory", found)
    };

    let mut report = Report {
        scan: ScanInfo {
            kind: kind.into(),
            targets,
            repository: None,
            ruleset_hash: set.hash().to_string(),
        },
        coverage: coverage.snapshot(),
        references: coverage.references(),
        ..Report::default()
    };
    let mut findings = findings;
    crate::verify::run(&args.verify, &mut findings)?;
    split_suppressed(findings, &mut report);
    finish(args, &rules, report)
}

/// Move suppressed findings aside, then sort and deduplicate both lists.
pub fn split_suppressed(findings: Vec<Finding>, report: &mut Report) {
    let (suppressed, kept): (Vec<Finding>, Vec<Finding>) = findings
        .into_iter()
        .partition(|f| f.props.suppressed_by.is_some());
    report.findings = kept;
    report.suppressed = suppressed;
    sort_and_dedup(&mut report.findings);
    sort_and_dedup(&mut report.suppressed);
}

/// Render, write, and pick the exit status.
pub fn finish(
    args: &ScanArgs,
    rules: &[crate::rules::Rule],
    mut report: Report,
) -> anyhow::Result<ExitStatus> {
    apply_confidence(args.confidence, &mut report);
    report.redact(!args.output.no_redact);
    let color = use_color(&args.output);
    let text = report::render(
        args.output.format,
        &report,
        rules,
        color,
        args.output.show_suppressed,
    );
    emit(&args.output, &text)?;
    if args.output.output.is_some() || args.output.format != report::Format::Human {
        eprintln!("{}", summary_line(&report));
    }
    let failing = report.findings.iter().any(|f| f.fails);
    Ok(if failing {
        ExitStatus::Findings(1)
    } else {
        ExitStatus::Clean
    })
}

/// Drop findings below the `--confidence` threshold (default medium).
pub fn apply_confidence(min: crate::rules::Confidence, report: &mut Report) {
    report.findings.retain(|f| f.confidence >= min);
    report.suppressed.retain(|f| f.confidence >= min);
}
