//! `keytrace scan`: choose the source, run the pipeline, attribute, apply policy, report.

use super::git_scan;
use super::output::{emit, summary_line, use_color};
use super::rules::load_ruleset;
use crate::blob::Origin;
use crate::cli::ScanArgs;
use crate::coverage::Coverage;
use crate::exit::ExitStatus;
use crate::finding::{Finding, SourceKind, sort_and_dedup};
use crate::matcher::RuleSet;
use crate::pipeline;
use crate::report::{self, Report, ScanInfo};
use crate::source::{Source, image};
use std::io::Read;
use std::path::{Path, PathBuf};

/// What one scan produced before policy and reporting.
pub struct Collected {
    pub kind: &'static str,
    pub findings: Vec<Finding>,
    pub repository: Option<report::RepoInfo>,
}

pub fn run(args: &ScanArgs) -> anyhow::Result<ExitStatus> {
    let (rules, report) = scan_to_report(args, true)?;
    finish(args, &rules, report)
}

/// Run the scan through attribution and policy. `use_baseline` is false when creating one.
pub fn scan_to_report(
    args: &ScanArgs,
    use_baseline: bool,
) -> anyhow::Result<(Vec<crate::rules::Rule>, Report)> {
    let (rules, set) = load_ruleset(&args.rules)?;
    crate::expand::archive::set_limits(args.archives.limits());
    let coverage = Coverage::default();
    let targets: Vec<String> = if args.targets.is_empty() {
        vec![".".into()]
    } else {
        args.targets.clone()
    };
    let collected = collect(args, &targets, &set, &coverage)?;
    let mut report = Report {
        scan: ScanInfo {
            kind: collected.kind.into(),
            targets,
            repository: collected.repository,
            ruleset_hash: set.hash().to_string(),
            secret_hash: Some(crate::finding::digest::current().label().to_string()),
        },
        coverage: coverage.snapshot(),
        references: coverage.references(),
        ..Report::default()
    };
    let mut findings = collected.findings;
    if let Some(roots) = consumer_roots(collected.kind, &report.scan.targets) {
        crate::attribution::consumers::attach(&roots, &mut findings);
    }
    let policy = load_policy(args, Path::new(&report.scan.targets[0]), use_baseline)?;
    crate::verify::run(&args.verify, &mut findings)?;
    policy.apply(&mut findings)?;
    split_suppressed(findings, &mut report);
    Ok((rules, report))
}

/// The directories finding paths are relative to, where consumers are looked for: the work
/// tree holding each target, else the target directory itself. `None` for sources outside any
/// repository (config stores, etcd, standard input).
fn consumer_roots(kind: &str, targets: &[String]) -> Option<Vec<std::path::PathBuf>> {
    if matches!(kind, "config-stores" | "etcd" | "stdin") {
        return None;
    }
    let roots = targets
        .iter()
        .filter(|t| t.as_str() != "-")
        .filter_map(|t| {
            let path = Path::new(t);
            match crate::source::git::worktree::locate(path) {
                Some(at) => Some(at.workdir),
                None if path.is_dir() => Some(path.to_path_buf()),
                None => path.parent().map(Path::to_path_buf),
            }
        })
        .collect();
    Some(roots)
}

/// Resolve keytrace.toml, allowlist, baseline and --fail-on into a policy.
fn load_policy(
    args: &ScanArgs,
    target: &Path,
    use_baseline: bool,
) -> anyhow::Result<crate::policy::Policy> {
    let p = &args.policy;
    let (config, _) = crate::policy::config::load(p.config.as_deref(), target)?;
    let allowlist = config.allowlist.compile().map_err(anyhow::Error::msg)?;
    let baseline = match (&p.baseline, use_baseline) {
        (Some(path), true) => Some(crate::policy::baseline::Baseline::load(path)?),
        _ => None,
    };
    Ok(crate::policy::Policy {
        config,
        allowlist,
        baseline,
        fail_on: p.fail_on,
    })
}

/// Build the sources the flags and targets select, run each (with its own attribution step)
/// through one loop, and merge what they found. The report's kind and repository are those of
/// the first source.
fn collect(
    args: &ScanArgs,
    targets: &[String],
    set: &RuleSet,
    coverage: &Coverage,
) -> anyhow::Result<Collected> {
    let mut merged: Option<Collected> = None;
    for source in sources(args, targets)? {
        let found = run_source(source, args, targets, set, coverage)?;
        match &mut merged {
            None => merged = Some(found),
            Some(all) => all.findings.extend(found.findings),
        }
    }
    // `sources` always yields at least one source.
    merged.ok_or_else(|| anyhow::anyhow!("nothing to scan"))
}

/// The sources of a scan, in order: a git mode (`--staged`, a range, `--history`), else
/// `--config-stores`, `etcd://` targets or standard input, else the targets that are container
/// images followed by the other targets as files on disk.
fn sources(args: &ScanArgs, targets: &[String]) -> anyhow::Result<Vec<Source>> {
    let h = &args.history;
    let first = PathBuf::from(&targets[0]);
    if h.staged {
        return Ok(vec![Source::Staged(first)]);
    }
    let range = h
        .range
        .clone()
        .or_else(|| h.since_commit.as_ref().map(|rev| format!("{rev}..HEAD")));
    if let Some(range) = range {
        return Ok(vec![Source::Range { repo: first, range }]);
    }
    if h.history {
        return Ok(targets.iter().map(|t| Source::History(t.into())).collect());
    }
    if args.stores.config_stores {
        return Ok(vec![Source::ConfigStores]);
    }
    if super::config_stores::has_etcd_target(targets) {
        return Ok(vec![Source::Etcd(targets.to_vec())]);
    }
    if targets.iter().any(|t| t == "-") {
        return Ok(vec![Source::Stdin]);
    }
    let mut out = Vec::new();
    let mut files = Vec::new();
    for t in targets {
        match image::open_target(t)? {
            Some(target) => out.push(Source::Image(target)),
            None => files.push(t.clone()),
        }
    }
    if !files.is_empty() {
        out.push(Source::Files(files));
    }
    Ok(out)
}

/// Run one source and its attribution step (owners, blame, history provenance).
fn run_source(
    source: Source,
    args: &ScanArgs,
    targets: &[String],
    set: &RuleSet,
    coverage: &Coverage,
) -> anyhow::Result<Collected> {
    let kind = source.kind();
    let only = |findings: Vec<Finding>| Collected {
        kind,
        findings,
        repository: None,
    };
    Ok(match source {
        Source::Staged(path) => {
            let (mut findings, repo) = git_scan::scan_staged(&path, args, set, coverage)?;
            // Staged paths are relative to the work tree root: so are its owners.
            let roots = [worktree_root(&path)];
            super::owners::attribute_roots(&roots, |_| Some(0), &mut findings, coverage)?;
            Collected {
                kind,
                findings,
                repository: Some(repo),
            }
        }
        Source::Range { repo: path, range } => {
            let (mut findings, repo) = git_scan::scan_range(&path, &range, args, set, coverage)?;
            super::owners::attribute_history_owners(&path, &mut findings)?;
            Collected {
                kind,
                findings,
                repository: Some(repo),
            }
        }
        Source::History(path) => {
            let (mut findings, repo) = git_scan::scan_history(&path, args, set, coverage)?;
            super::owners::attribute_history_owners(&path, &mut findings)?;
            Collected {
                kind,
                findings,
                repository: Some(repo),
            }
        }
        Source::ConfigStores => {
            let mut findings = super::config_stores::scan_home(
                args.stores.home.as_deref(),
                args.max_file_size,
                set,
                coverage,
            )?;
            super::owners::attribute_owners(targets, &mut findings, coverage)?;
            only(findings)
        }
        Source::Etcd(etcd_targets) => {
            let mut findings = super::config_stores::scan_etcd(
                &etcd_targets,
                &args.stores,
                args.max_file_size,
                set,
                coverage,
            )?;
            super::owners::attribute_owners(targets, &mut findings, coverage)?;
            only(findings)
        }
        Source::Stdin => {
            let mut findings = scan_stdin(set, args.max_file_size, coverage)?;
            super::owners::attribute_owners(targets, &mut findings, coverage)?;
            only(findings)
        }
        // Image findings take their owner from the image's labels.
        Source::Image(target) => only(pipeline::with_threads(args.threads, || {
            image::scan_target(&target, set, args.archives.limits(), coverage)
        })?),
        Source::Files(files) => super::dir_scan::scan_files(args, &files, set, coverage)?,
    })
}

/// The root of the work tree holding `path` (owners of staged findings), if any.
fn worktree_root(path: &Path) -> super::owners::OwnerRoot {
    match crate::source::git::worktree::locate(path) {
        Some(at) => super::owners::OwnerRoot::at(at.workdir),
        None => super::owners::OwnerRoot::default(),
    }
}

/// A directory scan that found files but could read none of them is an error, not a clean
/// report: exit 2 rather than "0 blobs, nothing found".
pub(super) fn refuse_unread(
    targets: &[String],
    listed: usize,
    coverage: &Coverage,
) -> anyhow::Result<()> {
    let record = coverage.snapshot();
    let failed: u64 = ["unreadable", "special-file", "internal-error"]
        .iter()
        .filter_map(|r| record.skipped.get(*r))
        .sum();
    let looked_at: u64 = ["binary", "too-large"]
        .iter()
        .filter_map(|r| record.skipped.get(*r))
        .sum();
    if listed > 0 && record.blobs_scanned == 0 && looked_at == 0 && failed > 0 {
        anyhow::bail!(
            "{}: could not read any of the {listed} files found ({failed} unreadable); nothing was scanned",
            targets.join(", ")
        );
    }
    Ok(())
}

/// Scan standard input, read up to `--max-file-size` bytes: more is an error rather than a
/// scan of part of it or an unbounded buffer.
fn scan_stdin(set: &RuleSet, max: u64, coverage: &Coverage) -> anyhow::Result<Vec<Finding>> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(max.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        anyhow::bail!(
            "standard input is larger than --max-file-size ({max} bytes); raise it to scan this input"
        );
    }
    let origin = Origin {
        path: "-".into(),
        source: SourceKind::Stdin,
        store: None,
    };
    let mut matcher = set.matcher();
    Ok(pipeline::scan_bytes(
        set,
        &mut matcher,
        &bytes,
        &origin,
        coverage,
        &pipeline::plain_text,
    ))
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
    sort_by_risk(&mut report.findings);
    sort_by_risk(&mut report.suppressed);
}

/// Highest risk first; equal scores keep their deterministic (path, line) order.
pub fn sort_by_risk(findings: &mut [Finding]) {
    findings.sort_by_key(|f| std::cmp::Reverse(f.props.risk.unwrap_or(0)));
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
        ExitStatus::Findings(args.policy.exit_code)
    } else {
        ExitStatus::Clean
    })
}

/// Drop findings below the `--confidence` threshold (default medium).
pub fn apply_confidence(min: crate::rules::Confidence, report: &mut Report) {
    crate::detection::keep_confident(min, &mut report.findings);
    crate::detection::keep_confident(min, &mut report.suppressed);
}
