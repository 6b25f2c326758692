//! Reports of a sweep (and of `merge`, which produces the same shape): the run's report in the
//! chosen format, one SARIF file per repository, the HTML report, and the exit status.

use super::output::{emit, summary_line, use_color};
use super::sweep::{RepoResult, skipped_summary};
use crate::cli::OutputArgs;
use crate::cli::sweep::ReportArgs;
use crate::exit::ExitStatus;
use crate::finding::Finding;
use crate::report::{self, Format, RepoInfo, Report, ScanInfo};
use crate::rules::Rule;
use crate::source::git::remote_url::https_form;
use crate::sweep::{RepoTarget, SweepSection, mirror};
use anyhow::Context;
use std::collections::HashSet;
use std::path::Path;

/// Deterministic order across repositories: repository, then place, then rule.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (a.props.repository.as_deref(), a.sort_key(), &a.fingerprint).cmp(&(
            b.props.repository.as_deref(),
            b.sort_key(),
            &b.fingerprint,
        ))
    });
}

/// Split suppressed findings aside and sort both lists (no deduplication: the same secret at
/// the same path in two repositories is two findings).
pub fn split(mut findings: Vec<Finding>, report: &mut Report) {
    // Findings stored by an older release carry the `keytrace/v1` form: report `keytrace/v2`.
    findings.iter_mut().for_each(Finding::refresh_fingerprint);
    let (mut suppressed, mut kept): (Vec<Finding>, Vec<Finding>) = findings
        .into_iter()
        .partition(|f| f.props.suppressed_by.is_some());
    sort_findings(&mut kept);
    sort_findings(&mut suppressed);
    report.findings = kept;
    report.suppressed = suppressed;
}

/// The run's report: every collected repository's findings, coverage and summary, plus a
/// `skipped` line for each target an interruption left unstarted.
pub fn assemble(
    targets: &[RepoTarget],
    results: Vec<RepoResult>,
    mut section: SweepSection,
    ruleset_hash: &str,
) -> Report {
    let done: HashSet<&str> = results.iter().map(|r| r.target.identity.as_str()).collect();
    let mut report = Report {
        scan: ScanInfo {
            kind: "sweep".into(),
            targets: targets.iter().map(|t| t.identity.clone()).collect(),
            repository: None,
            ruleset_hash: ruleset_hash.to_string(),
            secret_hash: Some(crate::finding::digest::current().label().to_string()),
        },
        ..Report::default()
    };
    section.repositories = targets
        .iter()
        .filter(|t| !done.contains(t.identity.as_str()))
        .map(skipped_summary)
        .collect();
    let mut all = Vec::new();
    for r in results {
        report.coverage.absorb(&r.coverage);
        section.repositories.push(r.summary);
        all.extend(r.findings);
    }
    section
        .repositories
        .sort_by(|a, b| a.identity.cmp(&b.identity));
    section.recount();
    report.coverage.notes.sort();
    report.coverage.notes.dedup();
    split(all, &mut report);
    report.sweep = Some(section);
    report
}

/// One SARIF file per repository in `dir`, named after its identity; its run properties carry
/// the repository's line of the sweep section (so `merge` can rebuild the section).
pub fn write_repo_sarifs(
    dir: &Path,
    results: &[RepoResult],
    run: &SweepSection,
    rules: &[Rule],
    ruleset_hash: &str,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    for r in results {
        let mut repo = Report {
            scan: ScanInfo {
                kind: "sweep".into(),
                targets: vec![r.target.identity.clone()],
                repository: Some(RepoInfo {
                    uri: r
                        .info
                        .uri
                        .clone()
                        .or_else(|| https_form(&r.target.location)),
                    ..r.info.clone()
                }),
                ruleset_hash: ruleset_hash.to_string(),
                secret_hash: Some(crate::finding::digest::current().label().to_string()),
            },
            coverage: r.coverage.clone(),
            ..Report::default()
        };
        let mut section = SweepSection {
            repositories: vec![r.summary.clone()],
            ..run.clone()
        };
        section.recount();
        repo.sweep = Some(section);
        split(r.findings.clone(), &mut repo);
        let path = dir.join(format!("{}.sarif", mirror::file_stem(&r.target.identity)));
        write_whole(&path, report::sarif::render(&repo, rules).as_bytes())
            .with_context(|| format!("{}: cannot write SARIF", path.display()))?;
    }
    Ok(())
}

/// The main report in `--format` (to `-o` or standard output) and the HTML report if asked.
pub fn write_all(args: &ReportArgs, report: &Report, rules: &[Rule]) -> anyhow::Result<()> {
    let out = OutputArgs {
        format: args.format,
        output: args.output.clone(),
        no_redact: false,
        redact: true,
        show_suppressed: args.show_suppressed,
        color: args.color,
    };
    let text = match args.format {
        Format::Human => {
            let mut shown = report.clone();
            for f in shown.findings.iter_mut().chain(shown.suppressed.iter_mut()) {
                if let Some(repo) = &f.props.repository {
                    f.location.path = format!("{repo}: {}", f.location.path);
                }
            }
            report::render(
                Format::Human,
                &shown,
                rules,
                use_color(&out),
                args.show_suppressed,
            )
        }
        format => report::render(format, report, rules, false, args.show_suppressed),
    };
    match &args.output {
        Some(path) => write_whole(path, text.as_bytes())
            .with_context(|| format!("{}: cannot write report", path.display()))?,
        None => emit(&out, &text)?,
    }
    if let Some(path) = &args.html {
        write_whole(path, report::html::render(report).as_bytes())
            .with_context(|| format!("{}: cannot write HTML report", path.display()))?;
    }
    if args.output.is_some() || args.format != Format::Human {
        eprintln!("{}", summary_line(report));
    }
    Ok(())
}

/// Write a report file whole or not at all: a sweep killed while writing leaves the previous
/// file (or none), never half a report. The text goes to a temporary file beside `path` that
/// is then renamed over it; pipes and devices (`-o /dev/stdout`) are written as they are.
pub fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if path.exists() && !path.is_file() {
        return std::fs::write(path, bytes);
    }
    let name = path
        .file_name()
        .map_or_else(|| "report".into(), |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let written = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// 2 when a repository failed or was not started, else 1 when findings fail, else 0.
pub fn exit_status(report: &Report) -> ExitStatus {
    if report.sweep.as_ref().is_some_and(SweepSection::incomplete) {
        ExitStatus::Error
    } else if report.findings.iter().any(|f| f.fails) {
        ExitStatus::Findings(1)
    } else {
        ExitStatus::Clean
    }
}
