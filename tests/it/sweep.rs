//! `keytrace sweep` and `keytrace merge` on real repositories built with the git CLI: state
//! across runs (checked in the SQLite state database itself), a fake GitHub REST API on
//! loopback, shards plus merge, failures, and the HTML report rendered by headless Chromium.

use super::common::{Fixture, acme_rules, acme_token, findings, git_in, run, run_json};
use rusqlite::Connection;
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};

const ALICE: (&str, &str) = ("Alice", "alice@example.com");
const BOB: (&str, &str) = ("Bob", "bob@example.com");

/// A repository at `dir` with one commit holding `files`.
fn make_repo(dir: &Path, files: &[(&str, String)], who: (&str, &str)) {
    std::fs::create_dir_all(dir).unwrap();
    git_in(
        dir,
        &["init", "-q", "-b", "main"],
        who.0,
        who.1,
        "2024-01-01T00:00:00Z",
    );
    commit(dir, files, who, 1);
}

fn commit(dir: &Path, files: &[(&str, String)], who: (&str, &str), day: u32) -> String {
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let date = format!("2024-02-{day:02}T12:00:00Z");
    git_in(dir, &["add", "-A"], who.0, who.1, &date);
    git_in(dir, &["commit", "-q", "-m", "change"], who.0, who.1, &date);
    git_in(dir, &["rev-parse", "HEAD"], who.0, who.1, &date)
}

fn blob_at(dir: &Path, path: &str) -> String {
    git_in(
        dir,
        &["rev-parse", &format!("HEAD:{path}")],
        "x",
        "x@x",
        "2024-01-01T00:00:00Z",
    )
}

/// Run `keytrace sweep ARGS --rules RULES --format json` and parse the report.
fn sweep_json(fx: &Fixture, rules: &str, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["sweep"];
    all.extend(args);
    all.extend(["--rules", rules, "--format", "json", "--no-progress"]);
    let (code, out, err) = run(&all, fx.path());
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("bad JSON ({e}): {out}\n{err}"));
    (code, v)
}

fn query_strings(db: &Path, sql: &str) -> BTreeSet<String> {
    let conn = Connection::open(db).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn query_count(db: &Path, sql: &str) -> i64 {
    Connection::open(db)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

/// (repository, path, status) of every finding of a report.
fn statuses(report: &Value) -> BTreeSet<(String, String, String)> {
    findings(report)
        .iter()
        .map(|f| {
            let repo = f["repository"].as_str().unwrap();
            let name = Path::new(repo).file_name().unwrap().to_string_lossy();
            (
                name.into_owned(),
                f["location"]["path"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn set(items: &[(&str, &str, &str)]) -> BTreeSet<(String, String, String)> {
    items
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

#[test]
fn second_run_reads_nothing_and_a_new_commit_costs_only_its_blobs() {
    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    let repos = fx.path().join("repos");
    make_repo(
        &repos.join("alpha"),
        &[
            ("a.env", format!("K={}\n", acme_token(1))),
            ("README", "a\n".into()),
        ],
        ALICE,
    );
    make_repo(
        &repos.join("beta"),
        &[("b.env", format!("K={}\n", acme_token(2)))],
        BOB,
    );
    make_repo(
        &repos.join("gamma"),
        &[("notes.txt", "nothing here\n".into())],
        ALICE,
    );
    git_in(
        &repos,
        &["clone", "-q", "--bare", "gamma", "gamma-bare.git"],
        "x",
        "x@x",
        "2024-01-01T00:00:00Z",
    );
    let db = fx.path().join("state/sweep.db");
    let dbs = db.display().to_string();
    let args = ["--repos-dir", "repos", "--state", &dbs];

    let (code, first) = sweep_json(&fx, &rules, &args);
    assert_eq!(code, 1, "{first:#}");
    assert_eq!(first["sweep"]["totals"]["repositories"], 4);
    assert_eq!(
        statuses(&first),
        set(&[("alpha", "a.env", "new"), ("beta", "b.env", "new")])
    );
    // alpha 2 blobs, beta 1, gamma 1, gamma-bare the same 1 (per repository).
    assert_eq!(
        query_count(&db, "SELECT count(*) FROM matched_blobs WHERE run_id = 1"),
        5
    );

    let (_, second) = sweep_json(&fx, &rules, &args);
    assert_eq!(
        query_count(&db, "SELECT count(*) FROM matched_blobs WHERE run_id = 2"),
        0
    );
    assert_eq!(
        query_strings(
            &db,
            "SELECT DISTINCT outcome FROM repo_runs WHERE run_id = 2"
        ),
        BTreeSet::from(["unchanged".to_string()])
    );
    assert_eq!(second["coverage"]["blobs_scanned"], 0);
    assert_eq!(
        statuses(&second),
        set(&[("alpha", "a.env", "present"), ("beta", "b.env", "present")])
    );

    let alpha = repos.join("alpha");
    commit(
        &alpha,
        &[
            ("new.env", format!("N={}\n", acme_token(3))),
            ("README", "a2\n".into()),
        ],
        BOB,
        3,
    );
    let beta = repos.join("beta");
    commit(&beta, &[("b.env", "K=from-vault\n".into())], BOB, 4);
    let (_, third) = sweep_json(&fx, &rules, &args);
    let matched_now = query_strings(&db, "SELECT blob_id FROM matched_blobs WHERE run_id = 3");
    let expected: BTreeSet<String> = [
        blob_at(&alpha, "new.env"),
        blob_at(&alpha, "README"),
        blob_at(&beta, "b.env"),
    ]
    .into();
    assert_eq!(
        matched_now, expected,
        "only the new commits' blobs are matched"
    );
    assert_eq!(
        query_strings(&db, "SELECT r.identity || ' ' || rr.outcome FROM repo_runs rr JOIN repos r ON r.id = rr.repo_id WHERE rr.run_id = 3")
            .into_iter()
            .map(|s| s.rsplit('/').next().unwrap().to_string())
            .collect::<BTreeSet<_>>(),
        ["alpha scanned", "beta scanned", "gamma unchanged", "gamma-bare.git unchanged"]
            .map(String::from)
            .into()
    );
    let db_status = query_strings(&db, "SELECT path || ' ' || status FROM findings");
    assert_eq!(
        db_status,
        ["a.env present", "b.env removed-from-head", "new.env new"]
            .map(String::from)
            .into()
    );
    assert_eq!(
        statuses(&third),
        set(&[
            ("alpha", "a.env", "present"),
            ("alpha", "new.env", "new"),
            ("beta", "b.env", "removed-from-head"),
        ])
    );
    let old = findings(&third)
        .into_iter()
        .find(|f| f["location"]["path"] == "a.env")
        .unwrap();
    assert_eq!(
        old["author_email"], ALICE.1,
        "old findings keep their attribution"
    );
    assert!(old["first_seen"].as_str().unwrap() <= old["last_seen"].as_str().unwrap());
    assert!(findings(&third).iter().all(|f| f.get("secret").is_none()));
    let stored: String = Connection::open(&db)
        .unwrap()
        .query_row("SELECT group_concat(finding) FROM findings", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(
        !stored.contains(&acme_token(1)),
        "the state never holds a secret"
    );

    // A changed ruleset matches every blob again.
    let extra = fx.path().join("extra-rules");
    std::fs::create_dir_all(&extra).unwrap();
    std::fs::write(extra.join("other.toml"), OTHER_RULE).unwrap();
    let extra = extra.display().to_string();
    let (_, fourth) = sweep_json(
        &fx,
        &rules,
        &["--repos-dir", "repos", "--state", &dbs, "--rules", &extra],
    );
    assert_eq!(fourth["sweep"]["totals"]["unchanged"], 0);
    let all_blobs = 2 + 2 + 1 + 1 + 1 + 1; // alpha 4, beta 2, gamma 1, gamma-bare 1
    assert_eq!(
        query_count(&db, "SELECT count(*) FROM matched_blobs WHERE run_id = 4"),
        all_blobs
    );
    assert_eq!(
        query_count(
            &db,
            "SELECT count(DISTINCT ruleset_hash) FROM matched_blobs"
        ),
        1
    );
}

const OTHER_RULE: &str = r#"[[rules]]
id = "zeta-token"
name = "Zeta token"
provider = "zeta"
category = "saas"
keywords = ["zeta_"]
pattern = '''\b(?P<secret>zeta_[A-Za-z0-9]{20})\b'''
long_lived = true
severity = "medium"
description = "A Zeta token."
remediation = "Revoke it."
examples = ["zeta_Ab3dEf6hIj9kLm2nOp5q"]
"#;

/// A one-thread HTTP server on loopback that answers GitHub's org listing in two pages and
/// records each request's target and Authorization header.
/// (request target, Authorization header) of each request the fake API received.
type RequestLog = Arc<Mutex<Vec<(String, String)>>>;

fn fake_github(clone_urls: [String; 5]) -> (String, RequestLog) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (b, log) = (base.clone(), Arc::clone(&seen));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let target = line.split_whitespace().nth(1).unwrap_or("").to_string();
            let mut auth = String::new();
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap() == 0 || h.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = h.split_once(':')
                    && k.eq_ignore_ascii_case("authorization")
                {
                    auth = v.trim().to_string();
                }
            }
            log.lock().unwrap().push((target.clone(), auth));
            let repo = |name: &str, url: &str, archived: bool, fork: bool| {
                serde_json::json!({"full_name": format!("acme/{name}"), "clone_url": url,
                                   "archived": archived, "fork": fork, "private": true})
            };
            let (body, link) = if target == "/orgs/acme/repos?per_page=100&page=1" {
                let page = serde_json::json!([
                    repo("api", &clone_urls[0], false, false),
                    repo("old", &clone_urls[1], true, false),
                    repo("forked", &clone_urls[2], false, true),
                ]);
                (
                    page,
                    Some(format!(
                        "<{b}/organizations/7/repos?per_page=100&page=2>; rel=\"next\", <{b}/organizations/7/repos?per_page=100&page=2>; rel=\"last\""
                    )),
                )
            } else if target == "/organizations/7/repos?per_page=100&page=2" {
                (
                    serde_json::json!([
                        repo("web", &clone_urls[3], false, false),
                        repo("broken", &clone_urls[4], false, false)
                    ]),
                    None,
                )
            } else {
                (serde_json::json!({"message": "Not Found"}), None)
            };
            let body = body.to_string();
            let status = if body.contains("Not Found") {
                "404 Not Found"
            } else {
                "200 OK"
            };
            let link = link.map(|l| format!("Link: {l}\r\n")).unwrap_or_default();
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{link}Connection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (base, seen)
}

/// The last path segment of a repository identity: its short name.
fn short_name(identity: &Value) -> String {
    let identity = identity.as_str().unwrap();
    identity.rsplit('/').next().unwrap().to_string()
}

fn repo_names(report: &Value) -> BTreeSet<String> {
    report["sweep"]["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| short_name(&r["identity"]))
        .collect()
}

#[test]
fn github_org_is_listed_with_token_pagination_and_filters_then_mirrored() {
    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    let origin = fx.path().join("origin");
    let mut urls = Vec::new();
    for (i, name) in ["api", "old", "forked", "web"].iter().enumerate() {
        make_repo(
            &origin.join(name),
            &[("k.env", format!("K={}\n", acme_token(10 + i as u32)))],
            ALICE,
        );
        urls.push(format!("file://{}", origin.join(name).display()));
    }
    urls.push(format!("file://{}", origin.join("missing").display()));
    let (api, seen) = fake_github(urls.try_into().unwrap());
    let state = fx.path().join("st/state.db").display().to_string();
    let run_org = |extra: &[&str]| {
        let mut args = vec![
            "sweep",
            "--github-org",
            "acme",
            "--api-url",
            &api,
            "--state",
            &state,
        ];
        args.extend(extra);
        args.extend(["--rules", &rules, "--format", "json", "--no-progress"]);
        let out = super::common::keytrace()
            .args(&args)
            .current_dir(fx.path())
            .env("GITHUB_TOKEN", "ghp_test_token")
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code().unwrap(), v)
    };

    let (code, report) = run_org(&[]);
    let requests = seen.lock().unwrap().clone();
    assert_eq!(
        requests,
        vec![
            (
                "/orgs/acme/repos?per_page=100&page=1".to_string(),
                "Bearer ghp_test_token".to_string()
            ),
            (
                "/organizations/7/repos?per_page=100&page=2".to_string(),
                "Bearer ghp_test_token".to_string()
            ),
        ]
    );
    assert_eq!(
        repo_names(&report),
        ["api", "web", "missing"].map(String::from).into()
    );
    assert_eq!(code, 2, "a repository failed to clone");
    let repos = report["sweep"]["repositories"].as_array().unwrap();
    let broken = repos
        .iter()
        .find(|r| r["identity"].as_str().unwrap().ends_with("/missing"))
        .unwrap();
    assert_eq!(broken["outcome"], "failed");
    assert!(
        broken["error"].as_str().unwrap().contains("clone"),
        "{broken}"
    );
    let found: BTreeSet<String> = findings(&report)
        .iter()
        .map(|f| {
            f["repository"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(found, ["api", "web"].map(String::from).into());
    let mirrors = std::fs::read_dir(fx.path().join("st/keytrace-cache"))
        .unwrap()
        .count();
    assert_eq!(
        mirrors, 2,
        "mirrors live in the cache next to the state file"
    );

    let (_, all) = run_org(&["--include-archived", "--include-forks"]);
    assert_eq!(
        repo_names(&all),
        ["api", "old", "forked", "web", "missing"]
            .map(String::from)
            .into()
    );
    let outcomes: BTreeSet<String> = all["sweep"]["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["identity"].as_str().unwrap().rsplit('/').next().unwrap(),
                r["outcome"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        outcomes.contains("api unchanged") && outcomes.contains("old scanned"),
        "{outcomes:?}"
    );
    let db = fx.path().join("st/state.db");
    let err = query_strings(
        &db,
        "SELECT last_error FROM repos WHERE last_outcome = 'failed'",
    );
    assert_eq!(err.len(), 1);
    assert!(
        err.iter().next().unwrap().contains("git clone failed"),
        "{err:?}"
    );
}

/// The (fingerprint, repository, path, line, status) of every finding.
fn finding_keys(report: &Value) -> BTreeSet<String> {
    findings(report)
        .iter()
        .map(|f| {
            format!(
                "{} {} {}:{} {}",
                f["fingerprint"].as_str().unwrap(),
                f["repository"].as_str().unwrap(),
                f["location"]["path"].as_str().unwrap(),
                f["location"]["start_line"],
                f["status"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn two_shards_merged_equal_one_unsharded_run() {
    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    let shared = acme_token(40);
    for i in 0..8u32 {
        let dir = fx.path().join(format!("repos/r{i}"));
        make_repo(
            &dir,
            &[("k.env", format!("A={}\nB={shared}\n", acme_token(30 + i)))],
            ALICE,
        );
    }
    let state = |n: &str| fx.path().join(n).display().to_string();
    let (_, whole) = sweep_json(
        &fx,
        &rules,
        &["--repos-dir", "repos", "--state", &state("all.db")],
    );
    let (_, s0) = sweep_json(
        &fx,
        &rules,
        &[
            "--repos-dir",
            "repos",
            "--state",
            &state("s0.db"),
            "--shard",
            "0/2",
        ],
    );
    let sarif_dir = fx.path().join("s1-sarif");
    let sd = sarif_dir.display().to_string();
    let (_, s1) = sweep_json(
        &fx,
        &rules,
        &[
            "--repos-dir",
            "repos",
            "--state",
            &state("s1.db"),
            "--shard",
            "1/2",
            "--sarif-dir",
            &sd,
        ],
    );
    let n0 = s0["sweep"]["repositories"].as_array().unwrap().len();
    let n1 = s1["sweep"]["repositories"].as_array().unwrap().len();
    assert_eq!(n0 + n1, 8);
    assert!(repo_names(&s0).is_disjoint(&repo_names(&s1)));
    assert_eq!(
        std::fs::read_dir(&sarif_dir).unwrap().count(),
        n1,
        "one SARIF file per repository"
    );

    std::fs::write(fx.path().join("s0.json"), s0.to_string()).unwrap();
    let mut merge_args: Vec<String> = vec!["merge".into(), "s0.json".into()];
    for e in std::fs::read_dir(&sarif_dir).unwrap() {
        merge_args.push(e.unwrap().path().display().to_string());
    }
    // Repeating an input changes nothing: duplicates collapse by fingerprint and place.
    merge_args.push("s0.json".into());
    merge_args.extend(["--format".into(), "json".into()]);
    let args: Vec<&str> = merge_args.iter().map(String::as_str).collect();
    let (code, out, err) = run(&args, fx.path());
    assert_eq!(code, 1, "{err}");
    let merged: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(finding_keys(&merged), finding_keys(&whole));
    assert_eq!(findings(&whole).len(), 16);
    assert_eq!(merged["sweep"]["totals"]["repositories"], 8);
    let shared_sha: BTreeSet<String> = findings(&merged)
        .iter()
        .filter(|f| {
            f["redacted"]
                .as_str()
                .unwrap()
                .ends_with(&shared[shared.len() - 2..])
        })
        .map(|f| f["secret_sha256"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        shared_sha.len(),
        1,
        "one secret_sha256 correlates the shared secret"
    );
    let fps: BTreeSet<String> = findings(&merged)
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        fps.len(),
        16,
        "the same secret in two repositories is two findings"
    );

    // A merged SARIF log describes the user rules the shards were swept with (without them it
    // can only repeat the rule's name).
    let acme_help = |extra: &[&str]| {
        let mut a = args.clone();
        a.retain(|x| *x != "--format" && *x != "json");
        a.extend(["--format", "sarif"]);
        a.extend(extra);
        let (_, out, err) = run(&a, fx.path());
        let log: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
        log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == "acme-api-key")
            .map(|r| r["help"]["text"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(acme_help(&[]), "Acme API key");
    assert!(
        acme_help(&["--rules", &rules]).contains("Revoke it in the Acme console."),
        "the user rule's remediation"
    );
}

#[test]
fn failing_repositories_are_recorded_and_the_sweep_goes_on() {
    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    make_repo(
        &fx.path().join("good"),
        &[("k.env", format!("K={}\n", acme_token(50)))],
        ALICE,
    );
    std::fs::create_dir_all(fx.path().join("plain-dir")).unwrap();
    fx.write(
        "repos.txt",
        "# nightly list\ngood\nplain-dir   # not a repository\nfile:///nonexistent/keytrace/x.git\n",
    );
    let (code, report) = sweep_json(
        &fx,
        &rules,
        &["--repo-list", "repos.txt", "--state", "s.db"],
    );
    assert_eq!(code, 2);
    let t = &report["sweep"]["totals"];
    assert_eq!(
        (t["repositories"].as_u64(), t["failed"].as_u64()),
        (Some(3), Some(2))
    );
    assert_eq!(findings(&report).len(), 1);
    let errors: Vec<String> = report["sweep"]["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["error"].as_str().map(String::from))
        .collect();
    assert!(
        errors.iter().any(|e| e.contains("not a git repository")),
        "{errors:?}"
    );
    let db = fx.path().join("s.db");
    assert_eq!(
        query_count(
            &db,
            "SELECT count(*) FROM repos WHERE last_outcome = 'failed' AND last_error <> ''"
        ),
        2
    );

    let (code, _, err) = run(
        &["sweep", "--repo-list", "nope.txt", "--state", "s.db"],
        fx.path(),
    );
    assert_eq!(code, 2);
    assert!(err.contains("nope.txt"), "{err}");
    fx.write("bad.txt", "good\ntwo words\n");
    let (code, _, err) = run(
        &["sweep", "--repo-list", "bad.txt", "--state", "s.db"],
        fx.path(),
    );
    assert_eq!(code, 2);
    assert!(err.contains("bad.txt:2"), "{err}");
    let (code, _, err) = run(&["sweep", "--repos-dir", ".", "--shard", "2/2"], fx.path());
    assert_eq!(code, 2);
    assert!(err.contains("--shard"), "{err}");
}

fn chromium() -> Option<PathBuf> {
    for name in ["chromium", "chromium-browser"] {
        if let Ok(out) = std::process::Command::new("which").arg(name).output()
            && out.status.success()
        {
            return Some(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
        }
    }
    None
}

fn chromium_run(bin: &Path, profile: &Path, extra: &[&str], page: &Path) -> std::process::Output {
    let mut cmd = std::process::Command::new(bin);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(extra)
    .arg(format!("file://{}", page.display()));
    cmd.output().expect("chromium runs")
}

#[test]
fn html_report_renders_in_headless_chromium() {
    let Some(bin) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is required in CI (.ci/run installs it)"
        );
        eprintln!("skipped: chromium not installed (apt-get install chromium)");
        return;
    };
    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    let shared = acme_token(60);
    make_repo(
        &fx.path().join("repos/payments"),
        &[("prod.env", format!("KEY={shared}\n"))],
        ALICE,
    );
    make_repo(
        &fx.path().join("repos/billing"),
        &[(
            "ci.yml",
            format!("token: {shared}\nother: {}\n", acme_token(61)),
        )],
        BOB,
    );
    let (_, _) = sweep_json(
        &fx,
        &rules,
        &[
            "--repos-dir",
            "repos",
            "--state",
            "s.db",
            "--html",
            "report.html",
        ],
    );
    let page = fx.path().join("report.html");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        !html.contains(&shared),
        "secrets are redacted in the HTML report"
    );

    let profile = fx.path().join("chromium-profile");
    let out = chromium_run(&bin, &profile, &["--dump-dom"], &page);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    for owner in [ALICE.1, BOB.1] {
        assert!(
            dom.contains(&format!("data-owner=\"{owner}\"")),
            "owner {owner} missing"
        );
    }
    let new_section = &dom[dom.find("id=\"new\"").unwrap()..dom.find("id=\"providers\"").unwrap()];
    assert_eq!(new_section.matches("class=\"owner-group\"").count(), 2);
    assert!(dom.contains(
        "<tr data-provider=\"acme\"><td>acme</td><td class=\"n\">0</td><td class=\"n\">3</td>"
    ));
    assert_eq!(dom.matches("class=\"bar\"").count(), 1);
    let exposures = &dom[dom.find("id=\"exposures\"").unwrap()..dom.find("id=\"owners\"").unwrap()];
    assert_eq!(
        exposures.matches("class=\"exposure\"").count(),
        1,
        "one exposure for the shared secret"
    );
    assert_eq!(exposures.matches("class=\"place\"").count(), 2);
    assert!(exposures.contains("2 repositories, 2 places"));
    assert!(exposures.contains("prod.env") && exposures.contains("ci.yml"));

    let png = fx.path().join("report.png");
    let shot = format!("--screenshot={}", png.display());
    let out = chromium_run(&bin, &profile, &[&shot, "--window-size=1200,1600"], &page);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let (w, h) = (
        u32::from_be_bytes(bytes[16..20].try_into().unwrap()),
        u32::from_be_bytes(bytes[20..24].try_into().unwrap()),
    );
    assert_eq!((w, h), (1200, 1600));
    assert!(
        bytes.len() > 20_000,
        "a rendered page, not a blank one ({} bytes)",
        bytes.len()
    );
}

#[test]
fn each_repository_keytrace_toml_allowlist_suppresses_its_own_findings() {
    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    let repos = fx.path().join("repos");
    let team = repos.join("team");
    std::fs::create_dir_all(team.join("fixtures")).unwrap();
    make_repo(
        &team,
        &[
            ("fixtures/k.env", format!("K={}\n", acme_token(60))),
            ("app.env", format!("K={}\n", acme_token(61))),
            (
                "keytrace.toml",
                "[allowlist]\npaths = [\"fixtures/**\"]\n".into(),
            ),
        ],
        ALICE,
    );
    make_repo(
        &repos.join("broken"),
        &[
            ("k.env", format!("K={}\n", acme_token(62))),
            ("keytrace.toml", "[allowlist]\nbogus = 1\n".into()),
        ],
        BOB,
    );
    // A fingerprint as a plain scan of the repository prints it (not scoped to the sweep).
    let accepted = repos.join("accepted");
    make_repo(
        &accepted,
        &[("k.env", format!("K={}\n", acme_token(63)))],
        BOB,
    );
    let (_, scan) = run_json(&["scan", ".", "--rules", &rules], &accepted);
    let fp = findings(&scan)[0]["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    commit(
        &accepted,
        &[(
            "keytrace.toml",
            format!("[allowlist]\nfingerprints = [\"{fp}\"]\n"),
        )],
        BOB,
        2,
    );

    let sweep = |extra: &[&str], state: &str| {
        let mut args = vec!["sweep", "--repos-dir", "repos", "--state", state];
        args.extend(extra);
        args.extend(["--rules", &rules, "--format", "json", "--no-progress"]);
        args.push("--show-suppressed");
        let (code, out, err) = run(&args, fx.path());
        (code, serde_json::from_str::<Value>(&out).unwrap(), err)
    };
    let place = |f: &Value| {
        format!(
            "{}/{}",
            short_name(&f["repository"]),
            f["location"]["path"].as_str().unwrap()
        )
    };

    let (code, report, err) = sweep(&[], "a.db");
    assert_eq!(code, 1, "{err}");
    let active: BTreeSet<String> = findings(&report).iter().map(place).collect();
    assert_eq!(
        active,
        ["broken/k.env", "team/app.env"]
            .map(String::from)
            .into_iter()
            .collect()
    );
    let suppressed: BTreeSet<(String, String)> = report["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (place(f), f["suppressed_by"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        suppressed,
        [
            (
                "accepted/k.env",
                "repository keytrace.toml: allowlist:fingerprint"
            ),
            (
                "team/fixtures/k.env",
                "repository keytrace.toml: allowlist:path"
            ),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .into_iter()
        .collect()
    );
    assert!(
        err.contains("keytrace.toml:2") && err.contains("bogus"),
        "{err}"
    );
    let config_errors: Vec<_> = report["sweep"]["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("config_error").is_some())
        .map(|r| short_name(&r["identity"]))
        .collect();
    assert_eq!(config_errors, ["broken"]);

    let (_, report, _) = sweep(&["--no-repo-config"], "b.db");
    assert_eq!(findings(&report).len(), 4);
    assert_eq!(report["suppressed"].as_array().map_or(0, Vec::len), 0);
}

/// A git "server" on loopback that accepts clones and answers none of them until `release` is
/// set (then it answers 500). Each accepted connection is announced on the returned channel.
fn stalling_git_server(
    release: Arc<std::sync::atomic::AtomicBool>,
) -> (String, mpsc::Receiver<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let (release, tx) = (Arc::clone(&release), tx.clone());
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line.trim() != "" {
                    line.clear();
                }
                let _ = tx.send(());
                while !release.load(std::sync::atomic::Ordering::SeqCst) {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                let _ = write!(
                    stream,
                    "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
            });
        }
    });
    (base, rx)
}

fn interrupt(child: &std::process::Child) {
    // The shell's own `kill`: a minimal machine may have no kill binary (procps).
    let status = std::process::Command::new("sh")
        .args(["-c", &format!("kill -INT {}", child.id())])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn ctrl_c_finishes_the_repository_in_flight_starts_no_other_and_a_second_quits_at_once() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let fx = Fixture::new();
    let release = Arc::new(AtomicBool::new(false));
    let (base, connected) = stalling_git_server(Arc::clone(&release));
    fx.write(
        "repos.txt",
        format!("{base}/a.git\n{base}/b.git\n{base}/c.git\n"),
    );
    let sweep = |state: &str| {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("keytrace"))
            .args(["sweep", "--repo-list", "repos.txt", "--state", state])
            .args(["--clone-jobs", "1", "--jobs", "1", "--format", "json"])
            .args(["--no-progress", "-o", &format!("{state}.json")])
            .current_dir(fx.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let wait_for_clone = || {
        connected
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the sweep starts cloning the first repository");
    };

    // One Ctrl-C while the first clone is in flight: it finishes (here: fails), the two others
    // are never started, and the report and the state say so. The clone is let go only once
    // keytrace has said it took the Ctrl-C, so a slow machine cannot reorder the two.
    let mut child = sweep("one.db");
    wait_for_clone();
    interrupt(&child);
    let mut stderr_lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut stderr = String::new();
    for line in stderr_lines.by_ref() {
        let line = line.unwrap();
        stderr.push_str(&line);
        if line.contains("interrupted") {
            break;
        }
    }
    release.store(true, Ordering::SeqCst);
    let status = child.wait().unwrap();
    stderr.extend(stderr_lines.map_while(Result::ok));
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(fx.path().join("one.db.json")).unwrap())
            .unwrap();
    let sweep_section = &report["sweep"];
    assert_eq!(sweep_section["interrupted"], true);
    let t = &sweep_section["totals"];
    assert_eq!(
        (
            t["repositories"].as_u64(),
            t["failed"].as_u64(),
            t["skipped"].as_u64()
        ),
        (Some(3), Some(1), Some(2)),
        "{sweep_section:#}"
    );
    let db = fx.path().join("one.db");
    assert_eq!(
        query_count(
            &db,
            "SELECT count(*) FROM runs WHERE interrupted = 1 AND finished_at IS NOT NULL"
        ),
        1
    );
    assert_eq!(query_count(&db, "SELECT count(*) FROM repos"), 1);

    // A second Ctrl-C quits at once, although the clone in flight never ends; the state
    // database stays readable.
    release.store(false, Ordering::SeqCst);
    let mut child = sweep("two.db");
    wait_for_clone();
    interrupt(&child);
    let mut stderr_lines = BufReader::new(child.stderr.take().unwrap()).lines();
    assert!(
        stderr_lines
            .by_ref()
            .map_while(Result::ok)
            .any(|l| l.contains("interrupted"))
    );
    interrupt(&child);
    let started = std::time::Instant::now();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    release.store(true, Ordering::SeqCst);
    assert_eq!(
        query_count(&fx.path().join("two.db"), "SELECT count(*) FROM runs"),
        1
    );
}
