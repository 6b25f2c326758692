//! Issue 14, "Sweeps and scans agree": `keytrace sweep` and `keytrace scan --history` over the
//! same history report the same findings (same rules, same path-aware generic detection, same
//! allowlist handling, same `--confidence` threshold), also when the sweep answers from its
//! incremental state, and every sweep finding carries its owners as a scan's does.

use super::common::{Fixture, findings, git_in, github_token};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Both commands hash secrets with the same key whatever the default key source is.
const HASH_KEY: (&str, &str) = ("KEYTRACE_HASH_KEY", "sweep-agree-test-key");

/// Low-confidence code a sweep of psf/requests used to report: names that look like
/// credentials, values that are code or placeholders.
const NOISE: &[&str] = &[
    "auth = self.auth",
    "prep = self.prepare(auth=self.auth)",
    "r.headers['Authorization'] = auth_header",
    "password = get_password()",
    "token = os.environ[\"API_TOKEN\"]",
    "api_key = \"your-api-key-here\"",
    "secret = \"<SECRET>\"",
    "client_secret = \"REPLACE_ME\"",
];

/// (rule id, path, line, secret digest) of a finding.
type Key = (String, String, u64, String);

struct Repo {
    fx: Fixture,
    /// The directory holding the one repository (`sweep --repos-dir`).
    parent: PathBuf,
    dir: PathBuf,
}

impl Repo {
    fn git(&self, who: (&str, &str), day: u32, args: &[&str]) -> String {
        let date = format!("2024-03-{day:02}T12:00:00Z");
        git_in(&self.dir, args, who.0, who.1, &date)
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn commit(&self, who: (&str, &str), day: u32) {
        self.git(who, day, &["add", "-A"]);
        self.git(who, day, &["commit", "-q", "-m", "change"]);
    }

    fn state(&self) -> String {
        self.fx.path().join("state.db").display().to_string()
    }

    /// `scan --history` of the repository, as JSON.
    fn scan(&self, extra: &[&str]) -> Value {
        let repo = self.dir.display().to_string();
        let mut args = vec!["scan", "--history", repo.as_str(), "--no-progress"];
        args.extend(extra);
        json_of(&args, self.fx.path())
    }

    /// `sweep` of the repository's parent directory, as JSON.
    fn sweep(&self, extra: &[&str]) -> Value {
        let (parent, state) = (self.parent.display().to_string(), self.state());
        let mut args = vec!["sweep", "--repos-dir", &parent, "--state", &state];
        args.extend(["--no-progress"]);
        args.extend(extra);
        json_of(&args, self.fx.path())
    }
}

const ALICE: (&str, &str) = ("Alice", "alice@example.com");
const BOB: (&str, &str) = ("Bob", "bob@example.com");

/// The fixture's `src/app/sessions.py`: noise lines only.
fn sessions_py() -> String {
    let mut out = String::from("class Session:\n    def request(self, r, auth_header):\n");
    out.extend(NOISE.iter().map(|l| format!("        {l}\n")));
    out.push_str("        return prep\n");
    out
}

/// A repository whose history holds a provider token (later removed), hard-coded passwords
/// (one in a test file, which the generic detector scores lower), a well-known default password
/// (low confidence), a secret under an allowlisted path, generic noise and placeholders; a
/// CODEOWNERS file arrives in the second commit.
fn fixture() -> Repo {
    let fx = Fixture::new();
    let parent = fx.path().join("repos");
    let dir = parent.join("app");
    std::fs::create_dir_all(&dir).unwrap();
    let repo = Repo { fx, parent, dir };
    repo.git(ALICE, 1, &["init", "-q", "-b", "main"]);
    let token = github_token("ghp_", "Qm3Zr8TnVb2Lx9KcWp4Hs7Jd1Fg6Ya");
    repo.write("src/app/sessions.py", &sessions_py());
    repo.write(
        "src/app/settings.py",
        &format!("DEBUG = False\nDB_PASSWORD = \"Kx9!mQ2vLp7zR4\"\nGITHUB_TOKEN = \"{token}\"\n"),
    );
    repo.write(
        "tests/test_login.py",
        "def test_login(client):\n    password = \"Tq7!wE3rY9uI2o\"\n    client.login(\"bob\", password)\n",
    );
    repo.write("deploy/db.env", "MYSQL_ROOT_PASSWORD=changeme\n");
    repo.write("legacy/deploy.env", "SMTP_PASSWORD=Wq8zX3cV7bNm4K\n");
    repo.write("keytrace.toml", "[allowlist]\npaths = [\"legacy/**\"]\n");
    repo.commit(ALICE, 1);
    repo.write(
        ".github/CODEOWNERS",
        "* @org/security\n/src/ @org/backend @org/appsec\n",
    );
    repo.write(
        "src/app/settings.py",
        "DEBUG = False\nDB_PASSWORD = \"Kx9!mQ2vLp7zR4\"\nGITHUB_TOKEN = os.environ[\"GITHUB_TOKEN\"]\n",
    );
    repo.commit(BOB, 2);
    repo
}

/// `keytrace ARGS` in `cwd` with the tests' digest key: (exit code, stdout, stderr).
fn run_keyed(args: &[&str], cwd: &Path) -> (i32, String, String) {
    super::common::run_env(args, cwd, &[HASH_KEY])
}

fn json_of(args: &[&str], cwd: &Path) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let out = super::common::keytrace()
        .args(&all)
        .env(HASH_KEY.0, HASH_KEY.1)
        .current_dir(cwd)
        .output()
        .expect("keytrace runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let code = out.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "{all:?} exited {code:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("bad JSON ({e}): {stdout}"))
}

fn key(f: &Value) -> Key {
    (
        f["rule_id"].as_str().unwrap().to_string(),
        f["location"]["path"].as_str().unwrap().to_string(),
        f["location"]["start_line"].as_u64().unwrap(),
        f["secret_sha256"].as_str().unwrap().to_string(),
    )
}

fn keys(report: &Value) -> BTreeSet<Key> {
    findings(report).iter().map(key).collect()
}

fn suppressed(report: &Value) -> BTreeSet<Key> {
    report["suppressed"]
        .as_array()
        .into_iter()
        .flatten()
        .map(key)
        .collect()
}

/// (path, line) of every noise line in the fixture's history.
fn noise_places() -> BTreeSet<(String, u64)> {
    let text = sessions_py();
    let mut out = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        if NOISE.iter().any(|n| line.trim() == *n) {
            out.insert(("src/app/sessions.py".to_string(), i as u64 + 1));
        }
    }
    assert_eq!(out.len(), NOISE.len());
    out
}

fn assert_agree(scan: &Value, sweep: &Value, what: &str) -> BTreeSet<Key> {
    let (a, b) = (keys(scan), keys(sweep));
    assert!(!a.is_empty(), "{what}: the scan found nothing");
    assert_eq!(
        a, b,
        "{what}: scan --history (left) and sweep (right) differ"
    );
    assert_eq!(
        suppressed(scan),
        suppressed(sweep),
        "{what}: suppressed findings differ"
    );
    a
}

#[test]
fn sweep_reports_what_scan_history_reports() {
    let repo = fixture();
    let scan = repo.scan(&["--show-suppressed"]);
    let sweep = repo.sweep(&["--show-suppressed"]);
    let found = assert_agree(&scan, &sweep, "default confidence");
    let rules: BTreeSet<&str> = found.iter().map(|k| k.0.as_str()).collect();
    assert!(rules.contains("github-classic-pat"), "{rules:?}");
    // The allowlisted secret is suppressed by both, for the repository's keytrace.toml.
    let hidden = suppressed(&sweep);
    assert!(
        hidden.iter().any(|k| k.1 == "legacy/deploy.env"),
        "{hidden:?}"
    );
    let noise = noise_places();
    for report in [&scan, &sweep] {
        for f in findings(report) {
            let place = (
                f["location"]["path"].as_str().unwrap().to_string(),
                f["location"]["start_line"].as_u64().unwrap(),
            );
            assert!(!noise.contains(&place), "noise reported: {f}");
        }
    }
    // A threshold changes both the same way.
    let low_scan = repo.scan(&["--confidence", "low", "--show-suppressed"]);
    let low_sweep = repo.sweep(&["--confidence", "low", "--show-suppressed"]);
    let low = assert_agree(&low_scan, &low_sweep, "--confidence low");
    assert!(
        low.is_superset(&found) && low.len() > found.len(),
        "{low:?}"
    );
    let high = assert_agree(
        &repo.scan(&["--confidence", "high"]),
        &repo.sweep(&["--confidence", "high"]),
        "--confidence high",
    );
    assert!(
        high.is_subset(&found) && high.len() < found.len(),
        "{high:?}"
    );
    for f in findings(&low_sweep) {
        let place = (
            f["location"]["path"].as_str().unwrap().to_string(),
            f["location"]["start_line"].as_u64().unwrap(),
        );
        assert!(
            !noise.contains(&place) || f["confidence"] == "low",
            "noise above low confidence: {f}"
        );
    }
}

/// The owners a scan gives, by finding.
fn owners(report: &Value) -> BTreeSet<(Key, String, String, Vec<String>)> {
    findings(report)
        .iter()
        .map(|f| {
            let team: Vec<String> = f["codeowners"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|o| o.as_str().unwrap().to_string())
                .collect();
            (
                key(f),
                f["owner"].as_str().unwrap_or_default().to_string(),
                f["owner_source"].as_str().unwrap_or_default().to_string(),
                team,
            )
        })
        .collect()
}

#[test]
fn sweep_findings_carry_owners_in_json_and_text() {
    let repo = fixture();
    let scan = repo.scan(&[]);
    let sweep = repo.sweep(&[]);
    let got = owners(&sweep);
    assert_eq!(got, owners(&scan));
    assert!(!got.is_empty());
    for (k, owner, source, team) in &got {
        assert_eq!(source, "codeowners", "{k:?}");
        assert!(!owner.is_empty() && team.first() == Some(owner), "{k:?}");
        let expected = if k.1.starts_with("src/") {
            "@org/backend"
        } else {
            "@org/security"
        };
        assert_eq!(owner, expected, "{k:?}");
    }
    // The text report names each finding's owner; the repository is unchanged, so this run
    // answers from the state alone.
    let (parent, state) = (repo.parent.display().to_string(), repo.state());
    let args = [
        "sweep",
        "--repos-dir",
        &parent,
        "--state",
        &state,
        "--no-progress",
    ];
    let (code, text, stderr) = run_keyed(&args, repo.fx.path());
    assert_eq!(code, 1, "{stderr}");
    let owner_lines: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("owner ") && l.contains("(from "))
        .collect();
    assert_eq!(owner_lines.len(), got.len(), "{text}");
    for (k, owner, _, _) in &got {
        let line = format!("{owner} (from codeowners)");
        assert!(
            owner_lines.iter().any(|l| l.contains(&line)),
            "{k:?}\n{text}"
        );
    }
    sarif_and_html_carry_owners(&repo, &args, &got);
}

/// SARIF (the run's log and each repository's) and HTML carry the owners the JSON report gives.
fn sarif_and_html_carry_owners(
    repo: &Repo,
    args: &[&str],
    got: &BTreeSet<(Key, String, String, Vec<String>)>,
) {
    let sarif_dir = repo.fx.path().join("sarif");
    let html = repo.fx.path().join("report.html");
    let (dir_arg, html_arg) = (sarif_dir.display().to_string(), html.display().to_string());
    let mut args = args.to_vec();
    args.extend([
        "--format",
        "sarif",
        "--sarif-dir",
        &dir_arg,
        "--html",
        &html_arg,
    ]);
    let (code, log, stderr) = run_keyed(&args, repo.fx.path());
    assert_eq!(code, 1, "{stderr}");
    let per_repo = std::fs::read_dir(&sarif_dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    let expected: BTreeSet<(String, String, String, Vec<String>)> = got
        .iter()
        .map(|(k, o, s, t)| (k.1.clone(), o.clone(), s.clone(), t.clone()))
        .collect();
    for log in [log, std::fs::read_to_string(per_repo.path()).unwrap()] {
        let log: Value = serde_json::from_str(&log).unwrap();
        let results = log["runs"][0]["results"].as_array().unwrap();
        let owned: BTreeSet<(String, String, String, Vec<String>)> = results
            .iter()
            .map(|r| {
                let p = &r["properties"];
                let uri = &r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
                let team = p["codeowners"].as_array().unwrap();
                (
                    uri.as_str().unwrap().to_string(),
                    p["owner"].as_str().unwrap().to_string(),
                    p["owner_source"].as_str().unwrap().to_string(),
                    team.iter()
                        .map(|o| o.as_str().unwrap().to_string())
                        .collect(),
                )
            })
            .collect();
        assert_eq!(owned, expected);
    }
    let page = std::fs::read_to_string(&html).unwrap();
    for (_, owner, _, _) in got {
        assert!(
            page.contains(owner.as_str()),
            "{owner} missing from the HTML report"
        );
    }
}

#[test]
fn incremental_sweeps_apply_the_threshold_of_each_run() {
    let repo = fixture();
    // First run at the default threshold: the state stores findings of every confidence.
    let first = repo.sweep(&[]);
    assert_agree(&repo.scan(&[]), &first, "first sweep");
    // Nothing changed: the second run reads nothing, and still shows the low ones.
    let second = repo.sweep(&["--confidence", "low", "--show-suppressed"]);
    assert_eq!(second["sweep"]["repositories"][0]["outcome"], "unchanged");
    let low_scan = repo.scan(&["--confidence", "low", "--show-suppressed"]);
    let low = assert_agree(&low_scan, &second, "unchanged, low");
    assert!(low.len() > keys(&first).len());
    // The repository's line counts what is reported (suppressed included), not what is stored.
    let counted = second["sweep"]["repositories"][0]["findings"].as_u64();
    let reported = low.len() + suppressed(&second).len();
    assert_eq!(counted, Some(reported as u64));
    // A new commit: old blobs come from the state, the new one is matched now.
    repo.write(
        "src/app/extra.py",
        "SENDGRID_PASSWORD = \"Zr5!pL8qW2mN7x\"\nadmin_password = \"password\"\n",
    );
    repo.commit(ALICE, 3);
    let third = repo.sweep(&["--confidence", "high"]);
    assert_eq!(third["sweep"]["repositories"][0]["outcome"], "scanned");
    assert_agree(
        &repo.scan(&["--confidence", "high"]),
        &third,
        "incremental, high",
    );
    let fourth = repo.sweep(&["--confidence", "low"]);
    assert_agree(
        &repo.scan(&["--confidence", "low"]),
        &fourth,
        "unchanged after incremental, low",
    );
    assert_agree(&repo.scan(&[]), &repo.sweep(&[]), "default again");
}

#[test]
fn blobs_matched_under_another_path_are_matched_again() {
    let repo = fixture();
    repo.sweep(&[]);
    // As if the blobs had been matched under other paths (or, by an older keytrace, under
    // none): what the generic detector yields depends on the path, so the stored output of
    // those blobs must not be used.
    // A blob that yields nothing now (CODEOWNERS) gets a stored finding it would have to keep.
    let quiet = repo.git(ALICE, 1, &["rev-parse", "HEAD:.github/CODEOWNERS"]);
    let db = rusqlite::Connection::open(repo.state()).unwrap();
    db.execute_batch(
        "UPDATE matched_blobs SET path = NULL;
         UPDATE blob_findings SET finding = json_set(finding, '$.confidence', 'high');
         UPDATE repos SET complete = 0;",
    )
    .unwrap();
    db.execute(
        "INSERT INTO blob_findings (repo_id, ruleset_hash, blob_id, seq, finding)
         SELECT repo_id, ruleset_hash, ?1, 0, finding FROM blob_findings LIMIT 1",
        [&quiet],
    )
    .unwrap();
    drop(db);
    let again = repo.sweep(&["--confidence", "low"]);
    assert_agree(&repo.scan(&["--confidence", "low"]), &again, "rematched");
    let db = rusqlite::Connection::open(repo.state()).unwrap();
    let unpathed: i64 = db
        .query_row(
            "SELECT count(*) FROM matched_blobs WHERE path IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unpathed, 0);
    let stale: i64 = db
        .query_row(
            "SELECT count(*) FROM blob_findings WHERE blob_id = ?1",
            [&quiet],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stale, 0);
}

#[test]
fn no_secret_reaches_the_state_or_the_report_through_free_text() {
    let repo = fixture();
    // An MCP server whose command line holds its token: the finding's `tool` quotes it.
    let token = github_token("gho_", "Lp4Wn8Qz2Xv6Rt1Ym5Kd9Hs3Jf7Bc0");
    repo.write(
        ".mcp.json",
        &format!(
            r#"{{"mcpServers": {{"gh": {{"command": "npx", "args": ["gh-mcp", "--token", "{token}"]}}}}}}"#
        ),
    );
    repo.commit(BOB, 4);
    let scan = repo.scan(&[]);
    let sweep = repo.sweep(&[]);
    assert_agree(&scan, &sweep, "MCP config");
    let tool = findings(&sweep)
        .into_iter()
        .find(|f| f["location"]["path"] == ".mcp.json")
        .map(|f| f["tool"].clone());
    assert!(
        tool.as_ref()
            .and_then(Value::as_str)
            .is_some_and(|t| t.starts_with("mcp:gh")),
        "{tool:?}"
    );
    assert!(!sweep.to_string().contains(&token), "{sweep}");
    let db = rusqlite::Connection::open(repo.state()).unwrap();
    let stored: Vec<String> = db
        .prepare("SELECT finding FROM blob_findings UNION ALL SELECT finding FROM findings")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(!stored.is_empty());
    for f in stored {
        assert!(!f.contains(&token), "stored in clear: {f}");
    }
}

#[test]
fn allowlists_that_look_at_secrets_suppress_the_same_findings() {
    let repo = fixture();
    // The first sweep has no reason to keep secrets; the state then holds none.
    repo.sweep(&[]);
    repo.write(
        "keytrace.toml",
        "[allowlist]\npaths = [\"legacy/**\"]\nstopwords = [\"we3ry9\"]\n\n\
         [[allowlist.rule]]\nid = \"github-*\"\nsecrets = [\"^ghp_Qm3\"]\n",
    );
    repo.commit(ALICE, 3);
    let incremental = repo.sweep(&["--show-suppressed"]);
    assert_eq!(
        incremental["sweep"]["repositories"][0]["outcome"],
        "scanned"
    );
    let scan = repo.scan(&["--show-suppressed"]);
    assert_agree(&scan, &incremental, "incremental, secret allowlist");
    let hidden: BTreeSet<(String, String)> =
        suppressed(&scan).into_iter().map(|k| (k.0, k.1)).collect();
    for want in [
        ("github-classic-pat", "src/app/settings.py"),
        ("generic-password", "tests/test_login.py"),
    ] {
        let want = (want.0.to_string(), want.1.to_string());
        assert!(
            hidden.contains(&want),
            "{want:?} not suppressed: {hidden:?}"
        );
    }
    let unchanged = repo.sweep(&["--show-suppressed"]);
    assert_eq!(
        unchanged["sweep"]["repositories"][0]["outcome"],
        "unchanged"
    );
    assert_agree(&scan, &unchanged, "unchanged, secret allowlist");
    assert!(!unchanged.to_string().contains("Tq7!wE3rY9uI2o"));
}

/// The state keys findings by secret digests, which depend on `KEYTRACE_HASH_KEY`: a sweep run
/// with another key (or none) would report every finding twice, once new and once removed. It
/// is refused with one line naming the state file and what to do; the same key keeps working.
#[test]
fn a_sweep_with_another_digest_key_is_refused() {
    let repo = fixture();
    let first = repo.sweep(&[]);
    assert!(!findings(&first).is_empty());
    let (parent, state) = (repo.parent.display().to_string(), repo.state());
    let args = [
        "sweep",
        "--repos-dir",
        &parent,
        "--state",
        &state,
        "--no-progress",
    ];
    for env in [None, Some("another-key-Zq81")] {
        let mut cmd = super::common::keytrace();
        cmd.args(args).current_dir(repo.fx.path());
        if let Some(key) = env {
            cmd.env(HASH_KEY.0, key);
        }
        let out = cmd.output().expect("keytrace runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains(&state) && stderr.contains("KEYTRACE_HASH_KEY"),
            "{stderr}"
        );
        assert!(!stderr.contains("another-key-Zq81"), "{stderr}");
    }
    let again = repo.sweep(&[]);
    let count = |r: &Value| findings(r).len();
    assert_eq!(count(&again), count(&first));
}
