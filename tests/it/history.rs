//! Git history, staged changes, ranges and blame, on real repositories built with the git CLI
//! with fixed identities and dates.

use super::common::{Fixture, acme_rules, acme_token, findings, git_in, run_json};

const ALICE: (&str, &str) = ("Alice", "alice@example.com");
const BOB: (&str, &str) = ("Bob", "bob@example.com");

fn commit(fx: &Fixture, who: (&str, &str), day: u32, msg: &str) -> String {
    let date = format!("2024-01-{day:02}T12:00:00Z");
    git_in(fx.path(), &["add", "-A"], who.0, who.1, &date);
    git_in(fx.path(), &["commit", "-q", "-m", msg], who.0, who.1, &date);
    git_in(fx.path(), &["rev-parse", "HEAD"], who.0, who.1, &date)
}

fn repo() -> Fixture {
    let fx = Fixture::new();
    fx.git(&["init", "-q", "-b", "main"]);
    fx
}

/// Scan `args` + `--rules` and return findings of the test rule only.
fn acme_findings(fx: &Fixture, args: &[&str]) -> Vec<serde_json::Value> {
    let rules = acme_rules(fx);
    let mut all = args.to_vec();
    all.extend(["--rules", &rules]);
    let (_, report) = run_json(&all, fx.path());
    findings(&report)
        .into_iter()
        .filter(|f| f["rule_id"] == "acme-api-key")
        .collect()
}

#[test]
fn deleted_secret_is_attributed_to_its_introducing_commit_and_author() {
    let fx = repo();
    let key = acme_token(1);
    fx.write("README.md", "hello\n");
    commit(&fx, ALICE, 1, "c1");
    fx.write("config.py", format!("API = 1\nKEY = \"{key}\"\n"));
    let c2 = commit(&fx, ALICE, 2, "c2 adds the key");
    fx.write("other.txt", "x\n");
    commit(&fx, BOB, 3, "c3");
    fx.write("config.py", format!("API = 2\nKEY = \"{key}\"\n"));
    commit(&fx, BOB, 4, "c4 edits around the key");
    fx.write("config.py", "API = 2\nKEY = os.environ['KEY']\n");
    let c5 = commit(&fx, BOB, 5, "c5 removes the key");

    let found = acme_findings(&fx, &["scan", "--history", "."]);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = &found[0];
    assert_eq!(f["commit"], c2);
    assert_eq!(f["author_name"], "Alice");
    assert_eq!(f["author_email"], "alice@example.com");
    assert_eq!(f["committed_at"], "2024-01-02T12:00:00Z");
    assert_eq!(f["source"], "git-history");
    assert_eq!(f["location"]["path"], "config.py");
    assert_eq!(f["location"]["start_line"], 2);
    assert_eq!(f["in_head"], false);
    assert_eq!(f["removed_in"], c5);
    assert_eq!(f["refs"], serde_json::json!(["main"]));
}

#[test]
fn secret_on_a_side_branch_names_that_branch() {
    let fx = repo();
    fx.write("a.txt", "a\n");
    commit(&fx, ALICE, 1, "base");
    fx.git(&["checkout", "-q", "-b", "feature/leak"]);
    fx.write("b.env", format!("TOKEN={}\n", acme_token(2)));
    let leak = commit(&fx, BOB, 2, "leak on a branch");
    fx.git(&["checkout", "-q", "main"]);

    let found = acme_findings(&fx, &["scan", "--history", "."]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["commit"], leak);
    assert_eq!(found[0]["refs"], serde_json::json!(["feature/leak"]));
    assert_eq!(found[0]["in_head"], false);

    let only_main = acme_findings(&fx, &["scan", "--history", ".", "--branch", "main"]);
    assert!(only_main.is_empty());
}

#[test]
fn same_secret_in_two_files_is_reported_per_path_with_each_introducing_commit() {
    let fx = repo();
    let key = acme_token(3);
    fx.write("one.cfg", format!("key={key}\n"));
    let c1 = commit(&fx, ALICE, 1, "first copy");
    fx.write("two.cfg", format!("# copied\nkey={key}\n"));
    let c2 = commit(&fx, BOB, 2, "second copy");

    let found = acme_findings(&fx, &["scan", "--history", "."]);
    let mut places: Vec<(String, String, String)> = found
        .iter()
        .map(|f| {
            (
                f["location"]["path"].as_str().unwrap().to_string(),
                f["commit"].as_str().unwrap().to_string(),
                f["author_name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    places.sort();
    assert_eq!(
        places,
        vec![
            ("one.cfg".into(), c1, "Alice".into()),
            ("two.cfg".into(), c2, "Bob".into())
        ]
    );
    assert!(found.iter().all(|f| f["in_head"] == true));
}

#[test]
fn staged_reports_staged_keys_and_ignores_unstaged_ones() {
    let fx = repo();
    fx.write("base.txt", "x\n");
    commit(&fx, ALICE, 1, "base");
    fx.write("staged.env", format!("A={}\n", acme_token(4)));
    fx.git(&["add", "staged.env"]);
    fx.write("unstaged.env", format!("B={}\n", acme_token(5)));

    let found = acme_findings(&fx, &["scan", "--staged"]);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["location"]["path"], "staged.env");
    assert_eq!(found[0]["source"], "staged");
    assert!(found[0].get("commit").is_none());
}

#[test]
fn staged_only_reports_added_lines_of_a_modified_file() {
    let fx = repo();
    fx.write("app.env", format!("OLD={}\n", acme_token(6)));
    commit(&fx, ALICE, 1, "old key already committed");
    fx.write(
        "app.env",
        format!("OLD={}\nNEW={}\n", acme_token(6), acme_token(7)),
    );
    fx.git(&["add", "app.env"]);
    let found = acme_findings(&fx, &["scan", "--staged"]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["location"]["start_line"], 2);
}

#[test]
fn staged_in_a_repository_with_no_commits_yet() {
    let fx = repo();
    fx.write("first.env", format!("A={}\n", acme_token(8)));
    fx.git(&["add", "first.env"]);
    let found = acme_findings(&fx, &["scan", "--staged"]);
    assert_eq!(found.len(), 1);
}

#[test]
fn range_reports_only_what_the_range_introduced() {
    let fx = repo();
    fx.write("old.env", format!("OLD={}\n", acme_token(9)));
    let base = commit(&fx, ALICE, 1, "before the range");
    fx.write("new.env", format!("NEW={}\n", acme_token(10)));
    let c2 = commit(&fx, BOB, 2, "in the range");
    fx.write("old.env", format!("OLD={}\nX=1\n", acme_token(9)));
    commit(&fx, BOB, 3, "touches the old file but not its key");

    let range = format!("{base}..HEAD");
    let found = acme_findings(&fx, &["scan", "--range", &range]);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["location"]["path"], "new.env");
    assert_eq!(found[0]["commit"], c2);
    assert_eq!(found[0]["author_name"], "Bob");

    let since = acme_findings(&fx, &["scan", "--since-commit", &base]);
    assert_eq!(since.len(), 1);
}

#[test]
fn plain_scan_in_a_work_tree_carries_blame_for_committed_lines_only() {
    let fx = repo();
    fx.write("app.env", format!("A={}\n", acme_token(11)));
    let c1 = commit(&fx, ALICE, 1, "committed key");
    fx.write(
        "app.env",
        format!("A={}\nB={}\n", acme_token(11), acme_token(12)),
    );

    let mut found = acme_findings(&fx, &["scan", "."]);
    found.sort_by_key(|f| f["location"]["start_line"].as_u64());
    assert_eq!(found.len(), 2);
    assert_eq!(found[0]["commit"], c1);
    assert_eq!(found[0]["author_email"], "alice@example.com");
    assert!(
        found[1].get("commit").is_none(),
        "uncommitted line has no blame"
    );
}

#[test]
fn history_of_a_bare_clone_and_errors_for_non_repositories() {
    let fx = repo();
    fx.write("k.env", format!("K={}\n", acme_token(13)));
    commit(&fx, ALICE, 1, "key");
    let bare = fx.path().join("bare.git");
    fx.git(&["clone", "-q", "--bare", ".", bare.to_str().unwrap()]);
    let found = acme_findings(&fx, &["scan", "--history", "bare.git"]);
    assert_eq!(found.len(), 1);

    let not_repo = Fixture::new();
    let (code, _, stderr) = super::common::run(&["scan", "--history", "."], not_repo.path());
    assert_eq!(code, 2);
    assert!(stderr.contains("not a git repository"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1);
}

#[test]
fn unborn_head_scans_nothing_and_says_so() {
    let fx = repo();
    let (code, report) = run_json(&["scan", "--history", "."], fx.path());
    assert_eq!(code, 0);
    assert_eq!(report["coverage"]["blobs_scanned"], 0);
    assert!(
        report["coverage"]["notes"][0]
            .as_str()
            .unwrap()
            .contains("no refs")
    );
}

#[test]
fn each_unique_blob_is_scanned_once() {
    let fx = repo();
    fx.write("same.txt", "identical content\n");
    commit(&fx, ALICE, 1, "one");
    fx.write("copy.txt", "identical content\n");
    commit(&fx, ALICE, 2, "two");
    fx.write("third.txt", "other\n");
    commit(&fx, ALICE, 3, "three");
    let (_, report) = run_json(&["scan", "--history", "."], fx.path());
    assert_eq!(
        report["coverage"]["blobs_scanned"], 2,
        "two unique blobs in three commits"
    );
}

#[test]
fn missing_objects_in_a_partial_clone_are_counted_and_scan_goes_on() {
    let fx = repo();
    fx.write("a.env", format!("A={}\n", acme_token(14)));
    commit(&fx, ALICE, 1, "a");
    fx.write("b.env", format!("B={}\n", acme_token(15)));
    commit(&fx, ALICE, 2, "b");
    // Delete one loose blob object to simulate a partial clone.
    let blob = fx.git(&["rev-parse", "HEAD:a.env"]);
    std::fs::remove_file(
        fx.path()
            .join(".git/objects")
            .join(&blob[..2])
            .join(&blob[2..]),
    )
    .unwrap();
    let rules = acme_rules(&fx);
    let (code, stdout, stderr) = super::common::run(
        &[
            "scan",
            "--history",
            ".",
            "--rules",
            &rules,
            "--format",
            "json",
        ],
        fx.path(),
    );
    assert_eq!(code, 1, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["coverage"]["skipped"]["missing-object"], 1);
    assert!(stderr.contains("1 git object(s) unavailable"), "{stderr}");
    let found: Vec<_> = findings(&report)
        .into_iter()
        .filter(|f| f["rule_id"] == "acme-api-key")
        .collect();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["location"]["path"], "b.env");
}

#[test]
fn history_findings_are_owned_by_the_introducing_commits_codeowners() {
    let fx = repo();
    fx.write(".github/CODEOWNERS", "* @org/old-team\n");
    fx.write("svc/a.env", format!("A={}\n", acme_token(20)));
    let c1 = commit(&fx, ALICE, 1, "key under the old owners");
    fx.write(".github/CODEOWNERS", "* @org/new-team\n");
    fx.write("svc/a.env", "A=${A}\n");
    commit(&fx, BOB, 2, "owners change, key removed");
    std::fs::remove_file(fx.path().join(".github/CODEOWNERS")).unwrap();
    fx.write("svc/b.env", format!("B={}\n", acme_token(21)));
    let c3 = commit(&fx, BOB, 3, "CODEOWNERS deleted, new key");

    let found = acme_findings(&fx, &["scan", "--history", "."]);
    let a = found
        .iter()
        .find(|f| f["location"]["path"] == "svc/a.env")
        .unwrap();
    assert_eq!(a["owner"], "@org/old-team");
    assert_eq!(a["owner_source"], "codeowners");
    assert_eq!(a["codeowners_file"], format!(".github/CODEOWNERS@{c1}"));
    // c3's tree has no CODEOWNERS and neither has HEAD: the author owns it.
    let b = found
        .iter()
        .find(|f| f["location"]["path"] == "svc/b.env")
        .unwrap();
    assert_eq!(b["commit"], c3);
    assert_eq!(b["owner"], "bob@example.com");
    assert_eq!(b["owner_source"], "git-author");
}

#[test]
fn config_stores_are_parsed_in_history_too() {
    let fx = repo();
    fx.write(
        ".mcp.json",
        format!(r#"{{"mcpServers": {{"acme": {{"command": "npx", "args": ["acme-mcp"], "env": {{"ACME_TOKEN": "{}"}}}}}}}}"#, acme_token(30)),
    );
    commit(&fx, ALICE, 1, "mcp config");
    std::fs::remove_file(fx.path().join(".mcp.json")).unwrap();
    commit(&fx, ALICE, 2, "removed");
    let found = acme_findings(&fx, &["scan", "--history", "."]);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["config_key"], "mcpServers.acme.env.ACME_TOKEN");
    assert!(found[0]["tool"].as_str().unwrap().starts_with("mcp:acme"));
}

#[test]
fn generic_passwords_flow_through_history_and_staged_scans_with_their_commit() {
    let fx = repo();
    fx.write("README.md", "hello\n");
    commit(&fx, ALICE, 1, "c1");
    fx.write(
        "deploy/db.yaml",
        "db:\n  host: db\n  password: \"Vq7xPz2kLm9R\"\n",
    );
    let c2 = commit(&fx, BOB, 2, "c2 adds the database config");
    fx.write(
        "deploy/db.yaml",
        "db:\n  host: db\n  password: ${DB_PASSWORD}\n",
    );
    commit(&fx, ALICE, 3, "c3 moves the password to the environment");

    let (_, report) = run_json(&["scan", "--history", "."], fx.path());
    let generic: Vec<_> = findings(&report)
        .into_iter()
        .filter(|f| f["generic"] == true)
        .collect();
    assert_eq!(generic.len(), 1, "{report:#}");
    let f = &generic[0];
    assert_eq!(f["rule_id"], "generic-password");
    assert_eq!(f["commit"], c2);
    assert_eq!(f["author_name"], "Bob");
    assert_eq!(f["location"]["path"], "deploy/db.yaml");
    assert_eq!(f["location"]["start_line"], 3);
    assert_eq!(f["in_head"], false);

    fx.write(".env", "SMTP_PASSWORD=Wq8zX3cV7bNp\nSMTP_HOST=mail\n");
    fx.git(&["add", ".env"]);
    let (code, staged) = run_json(&["scan", "--staged", "."], fx.path());
    assert_eq!(code, 1, "{staged:#}");
    let ids: Vec<_> = findings(&staged)
        .iter()
        .map(|f| (f["rule_id"].clone(), f["location"]["path"].clone()))
        .collect();
    assert_eq!(
        ids,
        [(
            serde_json::json!("generic-password"),
            serde_json::json!(".env")
        )]
    );
}
