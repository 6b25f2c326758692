//! Opt-in live verification of secrets against their providers (`--verify`).
//!
//! Offline decoding says what a key claims; only its provider can say whether it still works and
//! whose it is. With `--verify`, each distinct secret is sent once — to its own provider only —
//! in a read-only, free identity request, and every finding holding it gets
//! `props.verification` (`active` | `inactive` | `unverifiable` | `not-supported`),
//! `props.principal` and `verified_*` details in `props.identity`. Without `--verify` this module
//! sends nothing.
//!
//! Flow: [`plan`] groups findings into distinct checks (pairing two-part credentials) →
//! [`execute`] runs them on a few scoped threads through one [`http::Client`] (host allow-list,
//! per-provider rate limit, bounded retries) → the strongest verdict per secret is written onto
//! every finding of that secret.

pub mod aws_signing;
pub mod blast;
pub mod checks;
pub mod endpoints;
pub mod http;
pub mod outcome;
pub mod plan;
pub mod provider;
pub mod settings;
#[cfg(test)]
pub(crate) mod testutil;

use crate::cli::verify::VerifyArgs;
use crate::finding::Finding;
use http::{Client, Transport, UreqTransport};
use outcome::{Outcome, Status};
use plan::Check;
use provider::Provider;
use settings::Settings;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Verify findings when the user asked for it; does nothing (and sends nothing) otherwise.
pub fn run(args: &VerifyArgs, findings: &mut Vec<Finding>) -> anyhow::Result<()> {
    if !args.verify && !args.only_verified {
        return Ok(());
    }
    let env_proxy = std::env::var(crate::env_vars::HTTPS_PROXY).ok();
    let settings = Settings::resolve(args, env_proxy)?;
    let transport = UreqTransport::new(settings.timeout, settings.proxy.as_deref())
        .map_err(anyhow::Error::msg)?;
    verify_findings(&settings, &transport, findings);
    if settings.only_verified {
        findings.retain(|f| f.props.verification.as_deref() == Some(Status::Active.as_str()));
    }
    Ok(())
}

/// Verify `findings` in place through `transport`.
pub fn verify_findings(settings: &Settings, transport: &dyn Transport, findings: &mut [Finding]) {
    let plan = plan::plan(findings, &|p| settings.providers.contains(&p));
    let client = Client::new(&settings.endpoints, transport, settings.pacing);
    let outcomes = execute(
        &plan.checks,
        &client,
        settings.concurrency,
        settings.blast_radius,
    );
    let mut best: HashMap<usize, Outcome> = HashMap::new();
    let verdicts = plan
        .checks
        .iter()
        .zip(outcomes)
        .flat_map(|(check, outcome)| check.findings.iter().map(move |&i| (i, outcome.clone())));
    for (i, outcome) in verdicts.chain(plan.settled) {
        keep_stronger(best.entry(i).or_insert_with(|| outcome.clone()), outcome);
    }
    // A secret proven active (or dead) in one place is so everywhere it appears.
    let mut per_secret: HashMap<(Option<Provider>, &str), Outcome> = HashMap::new();
    for (&i, outcome) in &best {
        let key = (
            Provider::for_finding(&findings[i]),
            findings[i].props.secret_sha256.as_str(),
        );
        match per_secret.get_mut(&key) {
            Some(kept) => keep_stronger(kept, outcome.clone()),
            None => {
                per_secret.insert(key, outcome.clone());
            }
        }
    }
    let per_secret: HashMap<(Option<Provider>, String), Outcome> = per_secret
        .into_iter()
        .map(|((p, sha), o)| ((p, sha.to_string()), o))
        .collect();
    for (i, f) in findings.iter_mut().enumerate() {
        if !best.contains_key(&i) {
            continue;
        }
        let key = (Provider::for_finding(f), f.props.secret_sha256.clone());
        if let Some(outcome) = per_secret.get(&key) {
            outcome.apply(f);
        }
    }
}

fn keep_stronger(kept: &mut Outcome, candidate: Outcome) {
    if candidate.status > kept.status {
        *kept = candidate;
    }
}

/// Run every check on at most `concurrency` scoped threads; results keep the checks' order.
/// With `blast`, an active key's reach is mapped right after its check (read-only calls).
fn execute(checks: &[Check], client: &Client, concurrency: usize, blast: bool) -> Vec<Outcome> {
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<Outcome>>> = checks.iter().map(|_| Mutex::new(None)).collect();
    let workers = concurrency.clamp(1, checks.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(check) = checks.get(i) else { break };
                    let mut outcome = checks::run(client, check.provider, &check.credential);
                    if blast && outcome.status == Status::Active {
                        outcome.blast =
                            blast::map(client, check.provider, &check.credential).map(Box::new);
                    }
                    *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(outcome);
                }
            });
        }
    });
    results
        .into_iter()
        .map(|m| {
            m.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .unwrap_or_else(|| Outcome::unverifiable("the check did not run"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::http::tests::{Scripted, status};
    use super::*;
    use crate::rules::Severity;
    use crate::verify::testutil::finding;

    fn settings() -> Settings {
        let args = VerifyArgs {
            verify: true,
            verify_rate: 0.0,
            verify_retries: 0,
            ..VerifyArgs::default()
        };
        Settings::resolve(&args, None).unwrap()
    }

    #[test]
    fn without_the_flag_nothing_is_sent_or_changed() {
        let mut fs = vec![finding("github", "a", 1, "ghp_x")];
        let before = fs.clone();
        run(&VerifyArgs::default(), &mut fs).unwrap();
        assert_eq!(fs, before);
    }

    #[test]
    fn each_distinct_secret_is_checked_once_and_every_copy_gets_the_verdict() {
        let t = Scripted::new(|req, _| {
            let mut r = status(200);
            let login = if req.headers.iter().any(|(_, v)| v.ends_with("one")) {
                "alice"
            } else {
                "bob"
            };
            r.body = format!(r#"{{"login":"{login}","id":1}}"#).into_bytes();
            r
        });
        let mut fs = vec![
            finding("github", "a", 1, "ghp_one"),
            finding("github", "b", 1, "ghp_one"),
            finding("github", "c", 1, "ghp_two"),
            finding("pypi", "d", 1, "pypi-x"),
        ];
        verify_findings(&settings(), &t, &mut fs);
        assert_eq!(t.count(), 2);
        let got: Vec<_> = fs
            .iter()
            .map(|f| {
                (
                    f.props.verification.as_deref(),
                    f.props.principal.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (Some("active"), Some("alice")),
                (Some("active"), Some("alice")),
                (Some("active"), Some("bob")),
                (Some("not-supported"), None),
            ]
        );
        assert_eq!(fs[0].severity, Severity::Critical, "high rises to critical");
        assert_eq!(fs[3].severity, Severity::High);
    }

    #[test]
    fn an_unreachable_provider_is_unverifiable_and_kept() {
        struct Down;
        impl Transport for Down {
            fn send(&self, _: &http::HttpRequest) -> Result<http::HttpResponse, String> {
                Err("connection refused".into())
            }
        }
        let mut fs = vec![finding("npm", "a", 1, "npm_tok")];
        verify_findings(&settings(), &Down, &mut fs);
        assert_eq!(fs[0].props.verification.as_deref(), Some("unverifiable"));
        assert!(
            fs[0].props.identity["verified_reason"]
                .as_str()
                .unwrap()
                .contains("refused")
        );
        assert_eq!(fs[0].severity, Severity::High);
    }

    #[test]
    fn no_more_checks_run_at_once_than_the_concurrency_allows() {
        use std::sync::atomic::AtomicUsize;
        use std::time::Duration;
        struct Slow {
            now: AtomicUsize,
            peak: AtomicUsize,
        }
        impl Transport for Slow {
            fn send(&self, _: &http::HttpRequest) -> Result<http::HttpResponse, String> {
                let n = self.now.fetch_add(1, Ordering::SeqCst) + 1;
                self.peak.fetch_max(n, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(30));
                self.now.fetch_sub(1, Ordering::SeqCst);
                Ok(status(401))
            }
        }
        let t = Slow {
            now: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        };
        let mut s = settings();
        s.concurrency = 3;
        let mut fs: Vec<Finding> = (0..9)
            .map(|i| finding("npm", "a", i, &format!("npm_tok{i}")))
            .collect();
        verify_findings(&s, &t, &mut fs);
        assert_eq!(t.peak.load(Ordering::SeqCst), 3);
        assert!(
            fs.iter()
                .all(|f| f.props.verification.as_deref() == Some("inactive"))
        );
    }

    #[test]
    fn denied_providers_are_neither_called_nor_marked() {
        let t = Scripted::new(|_, _| status(200));
        let mut s = settings();
        s.providers.remove(&Provider::Github);
        let mut fs = vec![finding("github", "a", 1, "ghp_one")];
        verify_findings(&s, &t, &mut fs);
        assert_eq!(t.count(), 0);
        assert_eq!(fs[0].props.verification, None);
    }
}
