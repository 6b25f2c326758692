//! Paths and owners relative to the repository root (issue 14): a target inside a work tree is
//! named from the work tree's root and owned by the root's CODEOWNERS and keytrace.toml,
//! whatever the target and the current directory; directory, staged, range and history scans
//! alike. Also blame on files on disk: the commit that last touched the line, or nothing with
//! `--no-blame`.

use super::common::{Fixture, acme_rules, acme_token, findings, git_in, run, run_json};
use serde_json::Value;
use std::path::Path;

const CODEOWNERS: &str = "* @org/everyone\n/svc/api/ @org/api\n/svc/web/ @org/web\n";

/// A fixture holding `repo/` (a git work tree with CODEOWNERS, a key in `svc/api/.env`
/// committed by Alice and one in `svc/web/config.js` committed by Bob) and `outside/` (a
/// directory no work tree holds, with a key in `x.env`). Returns the fixture and the rules dir.
fn layout() -> (Fixture, String) {
    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    fx.write("repo/.github/CODEOWNERS", CODEOWNERS);
    fx.write("repo/svc/api/.env", format!("API_KEY={}\n", acme_token(1)));
    git(&fx, &["init", "-q", "-b", "main"]);
    commit(&fx, "Alice", 1, "api");
    fx.write(
        "repo/svc/web/config.js",
        format!("const key = \"{}\";\n", acme_token(2)),
    );
    commit(&fx, "Bob", 2, "web");
    fx.write("outside/x.env", format!("X={}\n", acme_token(3)));
    (fx, rules)
}

fn git(fx: &Fixture, args: &[&str]) -> String {
    let dir = fx.path().join("repo");
    git_in(
        &dir,
        args,
        "Alice",
        "alice@example.com",
        "2024-01-01T00:00:00Z",
    )
}

/// Commit everything in `repo/` as `who` on day `day`; returns the commit id.
fn commit(fx: &Fixture, who: &str, day: u32, msg: &str) -> String {
    let dir = fx.path().join("repo");
    let email = format!("{}@example.com", who.to_lowercase());
    let date = format!("2024-01-{day:02}T00:00:00Z");
    git_in(&dir, &["add", "-A"], who, &email, &date);
    git_in(&dir, &["commit", "-q", "-m", msg], who, &email, &date);
    git_in(&dir, &["rev-parse", "HEAD"], who, &email, &date)
}

/// Run a JSON scan in `cwd` with the acme rules; the findings, after checking the exit code.
fn scan(cwd: &Path, rules: &str, args: &[&str], code: i32) -> Vec<Value> {
    let mut all = vec!["scan", "--rules", rules];
    all.extend(args);
    let (got, report) = run_json(&all, cwd);
    assert_eq!(got, code, "{report:#}");
    findings(&report)
}

/// (path, owner, owner_source) of each finding, sorted.
fn places(found: &[Value]) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = found
        .iter()
        .map(|f| {
            (
                f["location"]["path"].as_str().unwrap_or("?").to_string(),
                f["owner"].as_str().unwrap_or("-").to_string(),
                f["owner_source"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn api() -> (String, String, String) {
    (
        "svc/api/.env".into(),
        "@org/api".into(),
        "codeowners".into(),
    )
}

fn web() -> (String, String, String) {
    (
        "svc/web/config.js".into(),
        "@org/web".into(),
        "codeowners".into(),
    )
}

#[test]
fn a_subfolder_target_is_named_and_owned_from_the_repository_root_wherever_keytrace_runs() {
    let (fx, rules) = layout();
    let repo = fx.path().join("repo");
    let abs = repo.join("svc/api").display().to_string();
    let runs: [(&Path, &str); 4] = [
        (&repo, "svc/api"),
        (&repo.join("svc"), "api"),
        (&repo.join("svc/api"), "."),
        (fx.path(), &abs),
    ];
    for (cwd, target) in runs {
        let found = scan(cwd, &rules, &[target], 1);
        assert_eq!(places(&found), vec![api()], "target {target} from {cwd:?}");
        let f = &found[0];
        assert_eq!(f["codeowners"], serde_json::json!(["@org/api"]));
        assert_eq!(f["codeowners_file"], ".github/CODEOWNERS");
    }
}

#[test]
fn a_file_target_inside_a_repository_is_named_from_the_root() {
    let (fx, rules) = layout();
    let found = scan(&fx.path().join("repo/svc"), &rules, &["api/.env"], 1);
    assert_eq!(places(&found), vec![api()]);
}

#[test]
fn sarif_uri_and_human_report_name_the_path_from_the_repository_root() {
    let (fx, rules) = layout();
    let cwd = fx.path().join("repo/svc");
    let (code, out, err) = run(&["scan", "api", "--rules", &rules, "-f", "sarif"], &cwd);
    assert_eq!(code, 1, "{err}");
    let sarif: Value = serde_json::from_str(&out).unwrap();
    let uri = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"];
    assert_eq!(uri, "svc/api/.env");
    let (code, out, err) = run(&["scan", "api", "--rules", &rules], &cwd);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.lines().any(|l| l.trim() == "svc/api/.env"),
        "human report names the repo path: {out}"
    );
}

#[test]
fn several_targets_in_one_repository_each_take_their_own_codeowners_entry() {
    let (fx, rules) = layout();
    let found = scan(
        &fx.path().join("repo/svc"),
        &rules,
        &["api", "web", "--no-blame"],
        1,
    );
    assert_eq!(places(&found), vec![api(), web()]);
}

#[test]
fn a_repository_subfolder_and_a_plain_directory_keep_their_own_naming() {
    let (fx, rules) = layout();
    let found = scan(fx.path(), &rules, &["repo/svc/api", "outside"], 1);
    assert_eq!(
        places(&found),
        vec![("outside/x.env".into(), "-".into(), "none".into()), api(),]
    );
}

#[test]
fn outside_a_repository_paths_stay_relative_to_the_target() {
    let (fx, rules) = layout();
    let found = scan(fx.path(), &rules, &["outside"], 1);
    assert_eq!(
        places(&found),
        vec![("x.env".into(), "-".into(), "none".into())]
    );
}

#[test]
fn staged_from_a_subfolder_names_paths_and_owners_from_the_root() {
    let (fx, rules) = layout();
    fx.write("repo/svc/api/new.env", format!("NEW={}\n", acme_token(4)));
    git(&fx, &["add", "svc/api/new.env"]);
    let cwd = fx.path().join("repo/svc/api");
    let expected = vec![(
        "svc/api/new.env".to_string(),
        "@org/api".to_string(),
        "codeowners".to_string(),
    )];
    assert_eq!(places(&scan(&cwd, &rules, &["--staged"], 1)), expected);
    assert_eq!(places(&scan(&cwd, &rules, &["--staged", "."], 1)), expected);
}

#[test]
fn range_and_history_from_a_subfolder_scan_the_whole_repository_from_its_root() {
    let (fx, rules) = layout();
    let base = git(&fx, &["rev-parse", "HEAD~1"]);
    let cwd = fx.path().join("repo/svc");
    let range = format!("{base}..HEAD");
    for args in [vec!["--range", &range], vec!["--range", &range, "."]] {
        let found = scan(&cwd, &rules, &args, 1);
        assert_eq!(places(&found), vec![web()], "{args:?}");
        assert_eq!(found[0]["author_name"], "Bob");
    }
    for args in [vec!["--history"], vec!["--history", "."]] {
        let found = scan(&cwd, &rules, &args, 1);
        assert_eq!(places(&found), vec![api(), web()], "{args:?}");
    }
}

#[test]
fn keytrace_toml_at_the_repository_root_applies_to_a_subfolder_scan_with_root_paths() {
    let (fx, rules) = layout();
    fx.write(
        "repo/keytrace.toml",
        "[allowlist]\npaths = [\"svc/web/**\"]\n\n[[owners.rule]]\nmatch = { path = \"svc/api/*\" }\nowners = [\"@org/api-owners-table\"]\n",
    );
    // A subfolder's own keytrace.toml is not read: its globs would name paths from elsewhere.
    fx.write(
        "repo/svc/keytrace.toml",
        "[allowlist]\npaths = [\"api/**\"]\n",
    );
    std::fs::remove_file(fx.path().join("repo/.github/CODEOWNERS")).unwrap();
    let cwd = fx.path().join("repo/svc");
    let found = scan(&cwd, &rules, &["web", "api", "--no-blame"], 1);
    assert_eq!(
        places(&found),
        vec![(
            "svc/api/.env".into(),
            "@org/api-owners-table".into(),
            "owners-file".into()
        )],
        "svc/web is allowlisted by the root's glob; svc/api is not by the subfolder's"
    );
}

/// The commit `git blame` names for `line` of `path` in the fixture repository.
fn git_blame(fx: &Fixture, path: &str, line: usize) -> String {
    let spec = format!("{line},{line}");
    let out = git(fx, &["blame", "--porcelain", "-L", &spec, "--", path]);
    out.split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn blame_names_the_commit_that_last_touched_each_line_and_no_blame_names_none() {
    let (fx, rules) = layout();
    let path = "svc/api/.env";
    // Carol adds a second key below Alice's line; then an uncommitted line goes on top.
    fx.write(
        &format!("repo/{path}"),
        format!("API_KEY={}\nSECOND={}\n", acme_token(1), acme_token(5)),
    );
    commit(&fx, "Carol", 3, "second key");
    let first = git_blame(&fx, path, 1);
    let second = git_blame(&fx, path, 2);
    assert_ne!(first, second);
    fx.write(
        &format!("repo/{path}"),
        format!(
            "LOCAL={}\nAPI_KEY={}\nSECOND={}\n",
            acme_token(6),
            acme_token(1),
            acme_token(5)
        ),
    );
    let cwd = fx.path().join("repo/svc");
    let found = scan(&cwd, &rules, &["api"], 1);
    let by_line = |found: &[Value], line: u64| -> Value {
        found
            .iter()
            .find(|f| f["location"]["start_line"] == line)
            .cloned()
            .unwrap_or_else(|| panic!("no finding on line {line}: {found:#?}"))
    };
    assert!(by_line(&found, 1).get("commit").is_none(), "uncommitted");
    assert_eq!(by_line(&found, 2)["commit"], first.as_str());
    assert_eq!(by_line(&found, 2)["author_name"], "Alice");
    assert_eq!(by_line(&found, 3)["commit"], second.as_str());
    assert_eq!(by_line(&found, 3)["author_email"], "carol@example.com");
    assert!(by_line(&found, 3)["committed_at"].is_string());

    // Committed as is, the file is blamed over the lines with findings only.
    commit(&fx, "Dave", 4, "local key");
    let found = scan(&cwd, &rules, &["api"], 1);
    assert_eq!(by_line(&found, 1)["author_name"], "Dave");
    assert_eq!(
        by_line(&found, 3)["commit"],
        git_blame(&fx, path, 3).as_str()
    );

    let found = scan(&cwd, &rules, &["api", "--no-blame"], 1);
    assert_eq!(found.len(), 3);
    for f in &found {
        for key in ["commit", "author_name", "author_email", "committed_at"] {
            assert!(f.get(key).is_none(), "{key} with --no-blame: {f:#}");
        }
        assert_eq!(f["owner_source"], "codeowners");
    }
}

#[test]
fn without_codeowners_no_blame_leaves_no_owner_and_blame_names_the_author() {
    let (fx, rules) = layout();
    std::fs::remove_file(fx.path().join("repo/.github/CODEOWNERS")).unwrap();
    let cwd = fx.path().join("repo");
    let found = scan(&cwd, &rules, &["svc/web"], 1);
    assert_eq!(
        places(&found),
        vec![(
            "svc/web/config.js".into(),
            "bob@example.com".into(),
            "git-author".into()
        )]
    );
    let found = scan(&cwd, &rules, &["svc/web", "--no-blame"], 1);
    assert_eq!(
        places(&found),
        vec![("svc/web/config.js".into(), "-".into(), "none".into())]
    );
}

#[test]
fn no_blame_is_listed_under_attribution_in_scan_help() {
    let (code, out, _) = run(&["scan", "--help"], Path::new("."));
    assert_eq!(code, 0);
    let heading = out.find("Attribution:").expect("an Attribution heading");
    let flag = out.find("--no-blame").expect("--no-blame listed");
    assert!(flag > heading, "{out}");
}

#[test]
fn outside_a_repository_keytrace_toml_is_read_in_the_target_with_target_relative_globs() {
    let (fx, rules) = layout();
    fx.write(
        "outside/keytrace.toml",
        "[allowlist]\npaths = [\"x.env\"]\n",
    );
    let (code, report) = run_json(
        &["scan", "outside", "--rules", &rules, "--show-suppressed"],
        fx.path(),
    );
    assert_eq!(code, 0, "{report:#}");
    assert!(findings(&report).is_empty(), "{report:#}");
    let suppressed = report["suppressed"].as_array().cloned().unwrap_or_default();
    assert_eq!(suppressed.len(), 1, "{report:#}");
    assert_eq!(suppressed[0]["location"]["path"], "x.env");
}

/// A second work tree `other/` in the fixture, with its own CODEOWNERS and a key in `lib/k.env`.
fn other_repo(fx: &Fixture) {
    fx.write("other/.github/CODEOWNERS", "/lib/ @other/lib\n");
    fx.write("other/lib/k.env", format!("K={}\n", acme_token(7)));
    let dir = fx.path().join("other");
    let (who, email, date) = ("Erin", "erin@example.com", "2024-02-01T00:00:00Z");
    git_in(&dir, &["init", "-q", "-b", "main"], who, email, date);
    git_in(&dir, &["add", "-A"], who, email, date);
    git_in(&dir, &["commit", "-q", "-m", "lib"], who, email, date);
}

#[test]
fn targets_in_two_repositories_each_take_their_own_root_and_codeowners() {
    let (fx, rules) = layout();
    other_repo(&fx);
    let lib = (
        "lib/k.env".to_string(),
        "@other/lib".to_string(),
        "codeowners".to_string(),
    );
    let found = scan(fx.path(), &rules, &["repo/svc/api", "other/lib"], 1);
    assert_eq!(places(&found), vec![lib.clone(), api()]);
    let found = scan(fx.path(), &rules, &["--history", "repo", "other"], 1);
    assert_eq!(places(&found), vec![lib, api(), web()]);
}
