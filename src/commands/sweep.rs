//! `keytrace sweep`: enumerate repositories, keep this shard's, clone or update them, scan each
//! incrementally against the state database, and report the run.

use super::rules::load_ruleset;
use crate::cli::sweep::SweepArgs;
use crate::coverage::CoverageRecord;
use crate::detection::keep_confident;
use crate::exit::ExitStatus;
use crate::finding::Finding;
use crate::matcher::RuleSet;
use crate::pipeline::Limits;
use crate::report::RepoInfo;
use crate::sweep::repo_config::{self, RepoConfig};
use crate::sweep::scan::{RepoScan, Work, scan_repo};
use crate::sweep::secrets::Secrets;
use crate::sweep::state::{Reader, RepoWrite, RunCtx};
use crate::sweep::{
    HttpAuth, RepoOutcome, RepoSource, RepoSummary, RepoTarget, Shard, State, SweepSection, github,
    gitlab, mirror, owners, runner, secrets, target,
};
use anyhow::Context;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Flags resolved into what the sweep needs.
struct Settings {
    shard: Option<Shard>,
    cache_dir: PathBuf,
    /// `GITHUB_TOKEN`, for `--github-org`.
    token: Option<String>,
    /// `GITLAB_TOKEN`, for `--gitlab-group`.
    gitlab_token: Option<String>,
    limits: Limits,
    /// The sweep's allowlist looks at secrets (see `crate::sweep::secrets`).
    want_secrets: bool,
}

impl Settings {
    fn resolve(args: &SweepArgs) -> anyhow::Result<Settings> {
        let shard = args.shard.as_deref().map(str::parse).transpose()?;
        let cache_dir = args.cache_dir.clone().unwrap_or_else(|| {
            let dir = args.state.parent().unwrap_or(Path::new(""));
            dir.join("keytrace-cache")
        });
        let env_token = |name: &str| {
            std::env::var(name)
                .ok()
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
        };
        Ok(Settings {
            shard,
            cache_dir,
            token: env_token(crate::env_vars::GITHUB_TOKEN),
            gitlab_token: env_token(crate::env_vars::GITLAB_TOKEN),
            limits: Limits {
                max_file_size: args.max_file_size,
            },
            want_secrets: false,
        })
    }
}

/// One repository's contribution to the run's reports.
pub struct RepoResult {
    pub target: RepoTarget,
    pub summary: RepoSummary,
    /// The repository's own keytrace.toml.
    pub config: RepoConfig,
    /// Where the repository was read (`None` when it could not be prepared or scanned).
    pub git_dir: Option<PathBuf>,
    /// Secrets of the findings for an allowlist that needs them; dropped by `finish_repo`.
    pub secrets: Secrets,
    pub info: RepoInfo,
    pub coverage: CoverageRecord,
    pub findings: Vec<Finding>,
}

pub fn run(args: &SweepArgs) -> anyhow::Result<ExitStatus> {
    let mut settings = Settings::resolve(args)?;
    crate::expand::archive::set_limits(args.archives.limits());
    let (rules, set) = load_ruleset(&args.rules)?;
    let policy = load_policy(args)?;
    settings.want_secrets = secrets::needed_by(&policy.config.allowlist);
    let targets = enumerate(args, &settings)?;
    let mut state = State::open(&args.state)?;
    let shard = settings.shard.map(|s| s.to_string());
    let run = state.begin_run(set.hash(), shard.as_deref())?;
    let stop = interrupt_flag();
    let results = sweep(&targets, &settings, args, &set, &mut state, &run, &stop)?;
    let interrupted = stop.load(Ordering::SeqCst);
    let finished_at = crate::sweep::state::now();
    let mut results = results;
    for r in &mut results {
        finish_repo(r, args, &policy)?;
    }
    let section = SweepSection {
        run_id: Some(run.id),
        started_at: run.date.clone(),
        finished_at,
        shards: shard.into_iter().collect(),
        interrupted,
        ..SweepSection::default()
    };
    if let Some(dir) = &args.sarif_dir {
        super::sweep_report::write_repo_sarifs(dir, &results, &section, &rules, set.hash())?;
    }
    let report = super::sweep_report::assemble(&targets, results, section, set.hash());
    super::sweep_report::write_all(&args.report, &report, &rules)?;
    if let Some(dir) = &args.split_by_owner {
        crate::sweep::routing::split_by_owner(dir, &report, &rules)
            .with_context(|| format!("{}: cannot write per-owner reports", dir.display()))?;
    }
    let notified = match &args.notify_webhook {
        Some(url) => notify(url, &state, &report)?,
        None => true,
    };
    // Only now that the reports exist are this run's new findings shown: a run killed before
    // this line leaves them `new` for the next run (see `State::finish_run`).
    state.finish_run(&run, &section_finished(&report), interrupted, notified)?;
    if let Some(line) = report.sweep.as_ref().and_then(section_failures) {
        eprintln!("keytrace: {line}");
    }
    Ok(super::sweep_report::exit_status(&report))
}

/// Post the reported critical/high findings the state has not notified yet; whether the
/// notice was delivered (nothing to send counts as delivered). A failed post is a warning: the
/// findings stay unnotified and the next run sends them.
fn notify(url: &str, state: &State, report: &crate::report::Report) -> anyhow::Result<bool> {
    let pending = state.unnotified()?;
    let due: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| crate::sweep::notify::wanted(f))
        .filter(|f| {
            let repo = f.props.repository.clone().unwrap_or_default();
            pending.contains(&(repo, f.secret_fingerprint(), f.location.path.clone()))
        })
        .collect();
    if due.is_empty() {
        return Ok(true);
    }
    match crate::sweep::notify::post(url, &crate::sweep::notify::payload(&due)) {
        Ok(()) => Ok(true),
        Err(message) => {
            eprintln!(
                "keytrace: warning: {message}; {} finding(s) stay unnotified for the next run",
                due.len()
            );
            Ok(false)
        }
    }
}

fn section_finished(report: &crate::report::Report) -> String {
    report
        .sweep
        .as_ref()
        .map(|s| s.finished_at.clone())
        .unwrap_or_else(crate::sweep::state::now)
}

fn section_failures(section: &SweepSection) -> Option<String> {
    let t = &section.totals;
    (t.failed + t.skipped > 0).then(|| {
        format!(
            "{} of {} repositories failed and {} were not started{}",
            t.failed,
            t.repositories,
            t.skipped,
            if section.interrupted {
                " (interrupted)"
            } else {
                ""
            }
        )
    })
}

/// What `scan --history` does after matching, for one repository: owners, the repository's
/// own allowlist, the sweep's policy, then the `--confidence` threshold (the state keeps
/// findings of every confidence). The repository's counts are those of what is reported.
fn finish_repo(
    r: &mut RepoResult,
    args: &SweepArgs,
    policy: &crate::policy::Policy,
) -> anyhow::Result<()> {
    if args.no_repo_config {
        r.config = RepoConfig::Absent;
    }
    // An image's findings name the owner its labels give (set when it was scanned).
    let owners_problem = if r.target.is_image() {
        None
    } else {
        owners::resolve(r.git_dir.as_deref(), &r.config, &mut r.findings)
    };
    secrets::attach(&std::mem::take(&mut r.secrets), &mut r.findings);
    apply_repo_config(r);
    if let Some(message) = owners_problem {
        eprintln!("keytrace: warning: {message} (ignored; CODEOWNERS and authors name owners)");
        r.summary.config_error.get_or_insert(message);
    }
    let applied = policy.apply(&mut r.findings);
    secrets::forget(&mut r.findings);
    applied?;
    keep_confident(args.confidence, &mut r.findings);
    r.summary.findings = r.findings.len();
    r.summary.new_findings = r
        .findings
        .iter()
        .filter(|f| f.props.status.as_deref() == Some("new"))
        .count();
    Ok(())
}

/// The allowlist of the repository's own keytrace.toml; a file that cannot be used is reported
/// (on stderr and in the repository's summary) and the sweep's policy alone applies.
fn apply_repo_config(r: &mut RepoResult) {
    let problem = match &r.config {
        RepoConfig::Absent => None,
        RepoConfig::Found(config) => repo_config::apply(config, &mut r.findings).err(),
        RepoConfig::Invalid(message) => Some(message.clone()),
    };
    if let Some(message) = problem {
        eprintln!("keytrace: warning: {message} (ignored; the sweep's policy applies)");
        r.summary.config_error = Some(message);
    }
}

/// `--config FILE` when given, else keytrace's default policy: it governs every repository.
/// Each repository's own keytrace.toml adds only its allowlist (see `apply_repo_config`).
fn load_policy(args: &SweepArgs) -> anyhow::Result<crate::policy::Policy> {
    let config = match &args.config {
        Some(path) => crate::policy::config::load(Some(path), Path::new("."))?.0,
        None => crate::policy::config::Config::default_with_policy(),
    };
    let allowlist = config.allowlist.compile().map_err(anyhow::Error::msg)?;
    Ok(crate::policy::Policy {
        config,
        allowlist,
        baseline: None,
        fail_on: args.fail_on,
    })
}

/// Every repository the flags name, deduplicated by identity, restricted to this shard.
fn enumerate(args: &SweepArgs, settings: &Settings) -> anyhow::Result<Vec<RepoTarget>> {
    let mut all = Vec::new();
    for dir in &args.repos_dir {
        all.extend(target::from_repos_dir(dir)?);
    }
    for file in &args.repo_list {
        all.extend(target::from_list_file(file)?);
    }
    for file in &args.image_list {
        all.extend(target::from_image_list_file(file)?);
    }
    if args.api_url.is_some() && !args.github_org.is_empty() && !args.gitlab_group.is_empty() {
        anyhow::bail!(
            "--api-url with both --github-org and --gitlab-group: sweep them in two runs, one API each"
        );
    }
    for org in &args.github_org {
        let query = github::OrgQuery {
            api_url: api_url_or(args, github::DEFAULT_API_URL),
            org: org.clone(),
            token: settings.token.clone(),
            include_archived: args.include_archived,
            include_forks: args.include_forks,
        };
        let repos = github::list_org_repos(&query)?;
        let auth = settings.token.clone().map(|token| HttpAuth {
            user: "x-access-token",
            token,
        });
        all.extend(
            repos
                .iter()
                .map(|r| RepoTarget::remote(&r.clone_url, auth.clone())),
        );
    }
    for group in &args.gitlab_group {
        let query = gitlab::GroupQuery {
            api_url: api_url_or(args, gitlab::DEFAULT_API_URL),
            group: group.clone(),
            token: settings.gitlab_token.clone(),
            include_archived: args.include_archived,
            include_forks: args.include_forks,
        };
        let projects = gitlab::list_group_projects(&query)?;
        all.extend(projects.iter().map(|p| {
            // The token goes only to the GitLab host it was issued for.
            let auth = settings
                .gitlab_token
                .clone()
                .filter(|_| gitlab::same_origin(&query.api_url, &p.http_url_to_repo))
                .map(|token| HttpAuth {
                    user: "oauth2",
                    token,
                });
            RepoTarget::remote(&p.http_url_to_repo, auth)
        }));
    }
    if args.repos_dir.is_empty()
        && args.repo_list.is_empty()
        && args.github_org.is_empty()
        && args.gitlab_group.is_empty()
        && args.image_list.is_empty()
    {
        anyhow::bail!(
            "nothing to sweep: give --repos-dir, --repo-list, --github-org, --gitlab-group or --image-list"
        );
    }
    let shard = settings.shard.unwrap_or(Shard::ALL);
    Ok(target::dedup(all)
        .into_iter()
        .filter(|t| shard.owns(&t.identity))
        .collect())
}

/// `--api-url`, else the provider's public API root.
fn api_url_or(args: &SweepArgs, default: &str) -> String {
    args.api_url.clone().unwrap_or_else(|| default.to_string())
}

/// Ctrl-C stops taking new repositories; a second Ctrl-C exits at once (every completed
/// repository is already committed, and SQLite rolls back the one in flight).
fn interrupt_flag() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let presses = AtomicUsize::new(0);
    let flag = Arc::clone(&stop);
    let installed = ctrlc::set_handler(move || {
        flag.store(true, Ordering::SeqCst);
        if presses.fetch_add(1, Ordering::SeqCst) == 0 {
            eprintln!(
                "keytrace: interrupted: finishing repositories in progress (Ctrl-C again to quit now)"
            );
        } else {
            #[allow(clippy::exit)]
            std::process::exit(130);
        }
    });
    if let Err(e) = installed {
        eprintln!("keytrace: warning: cannot handle Ctrl-C gracefully: {e}");
    }
    stop
}

/// Prepare, scan and record every target; returns each collected repository's result. A
/// failure of the state database stops the sweep (nothing more could be recorded).
#[allow(clippy::too_many_arguments)]
fn sweep(
    targets: &[RepoTarget],
    settings: &Settings,
    args: &SweepArgs,
    set: &RuleSet,
    state: &mut State,
    run: &RunCtx,
    stop: &AtomicBool,
) -> anyhow::Result<Vec<RepoResult>> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(crate::pipeline::effective_threads(args.threads))
        .build()
        .context("cannot start worker threads")?;
    let rule_ids: HashSet<String> = set.rules().map(|r| r.id.clone()).collect();
    let want_secrets = settings.want_secrets;
    let state_path = state.path().to_path_buf();
    let mut progress = crate::sweep::progress::SweepProgress::new(
        targets.len() as u64,
        !args.no_progress && args.report.format == crate::report::Format::Human,
    );
    let mut results = Vec::new();
    let mut fatal: Option<anyhow::Error> = None;
    runner::run(
        targets.to_vec(),
        runner::Bounds {
            jobs: args.jobs,
            clone_jobs: args.clone_jobs,
        },
        stop,
        |t| prepare(t, &settings.cache_dir),
        |t, prepared: Prepared| {
            pool.install(|| {
                let reader = Reader::open(&state_path).map_err(|e| e.to_string())?;
                match prepared {
                    Prepared::Repo(dir) => scan_repo(
                        &dir,
                        &t.identity,
                        &reader,
                        set,
                        settings.limits,
                        want_secrets,
                    ),
                    Prepared::Image(image) => crate::sweep::image::scan_image(
                        &image,
                        &t.identity,
                        &reader,
                        set,
                        args.archives.limits(),
                        want_secrets,
                    ),
                }
                .map_err(|e| e.to_string())
            })
        },
        |t, outcome| {
            if fatal.is_some() {
                return;
            }
            match record(state, run, &rule_ids, t, outcome) {
                Ok(r) => {
                    progress.repo_done(
                        r.coverage.blobs_scanned,
                        r.coverage.bytes_scanned,
                        r.findings.len(),
                    );
                    results.push(r);
                }
                Err(e) => {
                    stop.store(true, Ordering::SeqCst);
                    fatal = Some(e.into());
                }
            }
        },
    );
    progress.finish();
    match fatal {
        Some(e) => Err(e),
        None => Ok(results),
    }
}

/// A target ready to scan: a repository's git directory, or an opened image.
enum Prepared {
    Repo(PathBuf),
    Image(crate::source::image::ImageTarget),
}

/// Local repositories are used in place; URLs are mirrored into the cache; images are opened
/// (a tarball's index read, a `docker://` image exported from the daemon).
fn prepare(t: &RepoTarget, cache: &Path) -> Result<Prepared, String> {
    match &t.source {
        RepoSource::Local(path) => Ok(Prepared::Repo(path.clone())),
        RepoSource::Remote { url, auth } => {
            mirror::sync(url, auth.as_ref(), &mirror::mirror_path(cache, &t.identity))
                .map(Prepared::Repo)
                .map_err(|e| e.to_string())
        }
        RepoSource::Image(reference) => match crate::source::image::open_target(reference) {
            Ok(Some(image)) => Ok(Prepared::Image(image)),
            Ok(None) => Err(format!(
                "{reference}: not a container image (a docker save tarball, an OCI layout \
                 archive or directory, or docker://NAME)"
            )),
            Err(e) => Err(crate::exit::one_line(&e.to_string())),
        },
    }
}

/// Commit one repository's outcome and turn it into its report contribution.
fn record(
    state: &mut State,
    run: &RunCtx,
    rule_ids: &HashSet<String>,
    target: RepoTarget,
    mut outcome: runner::Outcome<RepoScan>,
) -> Result<RepoResult, crate::sweep::state::StateError> {
    let (config, git_dir, known) = match &mut outcome {
        Ok(scan) => (
            std::mem::take(&mut scan.config),
            scan.git_dir.take(),
            std::mem::take(&mut scan.secrets),
        ),
        Err(_) => (RepoConfig::Absent, None, Secrets::new()),
    };
    let (write, info, coverage, outcome_kind, error) = match &outcome {
        Ok(scan) => {
            let write = match &scan.work {
                Work::Unchanged => RepoWrite::Unchanged,
                Work::Walked {
                    complete,
                    matched,
                    blob_findings,
                    findings,
                } => RepoWrite::Walked {
                    info: &scan.info,
                    tips: &scan.tips,
                    complete: *complete,
                    matched,
                    blob_findings,
                    findings,
                    rule_ids,
                    layers: scan.image.as_ref().map_or(&[], |i| i.read.as_slice()),
                },
            };
            let kind = match scan.work {
                Work::Unchanged => RepoOutcome::Unchanged,
                Work::Walked { .. } => RepoOutcome::Scanned,
            };
            (write, scan.info.clone(), scan.coverage.clone(), kind, None)
        }
        Err(e) => (
            RepoWrite::Failed { error: e },
            RepoInfo::default(),
            CoverageRecord::default(),
            RepoOutcome::Failed,
            Some(e.clone()),
        ),
    };
    let recorded = state.record(run, &target.identity, &target.location, write)?;
    let new = recorded
        .findings
        .iter()
        .filter(|f| f.props.status.as_deref() == Some("new"))
        .count();
    let image = outcome.as_ref().ok().and_then(|s| s.image.as_ref());
    let summary = RepoSummary {
        identity: target.identity.clone(),
        location: target.location.clone(),
        outcome: outcome_kind,
        error,
        config_error: None,
        head: info.revision.clone(),
        branch: info.branch.clone(),
        blobs_matched: recorded.blobs_matched,
        layers_read: image.map(|i| i.layers_read),
        layers_reused: image.map(|i| i.layers_reused),
        findings: recorded.findings.len(),
        new_findings: new,
    };
    Ok(RepoResult {
        target,
        summary,
        config,
        git_dir,
        secrets: known,
        info,
        coverage,
        findings: recorded.findings,
    })
}

/// The summary line of a repository the sweep never started.
pub fn skipped_summary(t: &RepoTarget) -> RepoSummary {
    RepoSummary {
        identity: t.identity.clone(),
        location: t.location.clone(),
        outcome: RepoOutcome::Skipped,
        error: Some("not started: sweep interrupted".into()),
        config_error: None,
        head: None,
        branch: None,
        blobs_matched: 0,
        layers_read: None,
        layers_reused: None,
        findings: 0,
        new_findings: 0,
    }
}
