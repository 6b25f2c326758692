//! SARIF that GitHub code scanning accepts, from every mode, with every embedded rule firing
//! (issue 14): the SARIF 2.1.0 schema (draft 7, formats checked, `uniqueItems` enforced) plus
//! what upload-sarif and the alert UI rely on; fingerprints that give one alert per (rule,
//! secret, path) and keep old baselines working; messages a reviewer can act on; rule help
//! pages; and a repository URI that is a remote URL, never a path on the scanning machine.

use super::common::{Fixture, acme_rules, acme_token, findings, git_alice, git_in, run, run_json};
use keytrace::rules::Rule;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const DOCS_RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules");

fn validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/sarif-schema-2.1.0.json"
        ))
        .unwrap();
        let schema: Value = serde_json::from_str(&text).unwrap();
        jsonschema::draft7::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("schema compiles")
    })
}

/// The validator catches what upload-sarif rejected (a repeated tag).
#[test]
fn the_validator_enforces_unique_items() {
    let doc = serde_json::json!({
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "k", "rules": [
            {"id": "r", "properties": {"tags": ["security", "generic", "generic"]}}
        ]}}}]
    });
    assert!(!validator().is_valid(&doc));
}

/// Validate `text` against the schema and GitHub's constraints; `what` names the mode in
/// failures. Returns the parsed log.
fn github_sarif(text: &str, what: &str) -> Value {
    let doc: Value =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {text}"));
    let errors: Vec<String> = validator()
        .iter_errors(&doc)
        .take(20)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: schema violations:\n{}",
        errors.join("\n")
    );
    for run in doc["runs"].as_array().unwrap() {
        github_constraints(run, what);
    }
    doc
}

/// What GitHub relies on beyond the schema.
fn github_constraints(run: &Value, what: &str) {
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "{what}: a rule described twice");
    for r in rules {
        let tags: Vec<&Value> = r["properties"]["tags"].as_array().unwrap().iter().collect();
        let set: BTreeSet<String> = tags.iter().map(|t| t.to_string()).collect();
        assert_eq!(set.len(), tags.len(), "{what}: repeated tag in {r}");
        if let Some(uri) = r.get("helpUri") {
            let uri = uri.as_str().unwrap();
            let page = uri
                .strip_prefix(keytrace::rules::docs::DOCS_BASE)
                .unwrap_or_else(|| panic!("{what}: helpUri {uri} outside the docs"));
            let file = Path::new(DOCS_RULES).join(page.trim_start_matches('/'));
            let text = std::fs::read_to_string(&file)
                .unwrap_or_else(|_| panic!("{what}: helpUri {uri}: no {}", file.display()));
            assert!(text.contains(&format!("## `{}`", r["id"].as_str().unwrap())));
        }
    }
    for result in run["results"].as_array().unwrap() {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(
            rules[index]["id"], result["ruleId"],
            "{what}: ruleIndex points at another rule"
        );
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert!(
            region["startLine"].as_u64().unwrap() >= 1,
            "{what}: {region}"
        );
        assert!(
            region["endColumn"].as_u64().unwrap() >= 1,
            "{what}: {region}"
        );
        let fp = result["partialFingerprints"]["keytrace/v2"].as_str();
        assert!(fp.is_some_and(|f| f.len() == 32), "{what}: {result}");
        assert!(
            result["properties"].get("secret").is_none(),
            "{what}: clear text"
        );
        assert!(!result["message"]["text"].as_str().unwrap().is_empty());
    }
    for vcs in run["versionControlProvenance"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let uri = vcs["repositoryUri"].as_str().unwrap();
        assert!(uri.starts_with("https://"), "{what}: repositoryUri {uri}");
    }
}

fn results(doc: &Value) -> Vec<Value> {
    doc["runs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["results"].as_array().cloned().unwrap_or_default())
        .collect()
}

fn rule_ids(doc: &Value) -> BTreeSet<String> {
    results(doc)
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap().to_string())
        .collect()
}

fn embedded() -> Vec<Rule> {
    keytrace::rules::embedded_rules().expect("embedded rules parse")
}

/// Every embedded rule, plus the generic detector's ids (their examples are checked against
/// the detector), each with its own examples.
fn all_rules() -> Vec<Rule> {
    let mut all = embedded();
    all.extend(keytrace::generic::descriptors());
    all
}

fn ids(rules: &[Rule]) -> BTreeSet<String> {
    rules.iter().map(|r| r.id.clone()).collect()
}

/// Write each rule's examples, one per line, to `leaks/<rule id>.txt` under `dir`.
fn write_examples(dir: &Path, rules: &[Rule]) {
    for r in rules {
        let p = dir.join("leaks").join(format!("{}.txt", r.id));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, r.examples.join("\n") + "\n").unwrap();
    }
}

fn git(dir: &Path, args: &[&str]) -> String {
    git_alice(dir, args)
}

fn git_as(dir: &Path, args: &[&str], who: &str, date: &str) -> String {
    git_in(
        dir,
        args,
        who,
        &format!("{}@example.com", who.to_lowercase()),
        date,
    )
}

/// `fx/repos/app`: a first commit (README), then every rule's examples staged (the staged
/// scan's SARIF is taken then) and committed. Returns (repo, first commit, staged SARIF).
fn leaky_repo(fx: &Fixture) -> (PathBuf, String, String) {
    let repo = fx.path().join("repos/app");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("README"), "app\n").unwrap();
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "start"]);
    let first = git(&repo, &["rev-parse", "HEAD"]);
    write_examples(&repo, &all_rules());
    git(&repo, &["add", "-A"]);
    let (code, staged, err) = run(
        &[
            "scan",
            "--staged",
            "--confidence",
            "low",
            "--format",
            "sarif",
        ],
        &repo,
    );
    assert_eq!(code, 1, "{err}");
    git(&repo, &["commit", "-q", "-m", "leaks"]);
    (repo, first, staged)
}

fn scan_sarif(args: &[&str], cwd: &Path) -> String {
    let mut all = vec!["scan"];
    all.extend(args);
    all.extend(["--confidence", "low", "--format", "sarif"]);
    let (code, out, err) = run(&all, cwd);
    assert_eq!(code, 1, "{args:?}: {err}");
    out
}

/// Rules whose examples another rule reports instead, with that rule: the generic detector
/// stays out where a provider rule matched the same span. (A provider rule that matches more
/// context — a service-account JSON around its PEM key, a connection string around its account
/// key — wins its overlap, so every provider rule reports its own examples.) The directory test
/// checks that the other rule does report them.
const REPORTED_BY_ANOTHER_RULE: [(&str, &str); 2] = [
    (
        "generic-connection-string-password",
        "database-adonet-connection-string",
    ),
    ("generic-url-credentials", "database-postgres-url"),
];

/// Every embedded rule fired, except those another rule reports instead.
fn assert_fires_every_embedded_rule(doc: &Value, what: &str) {
    let fired = rule_ids(doc);
    let missing: Vec<String> = ids(&embedded())
        .difference(&fired)
        .filter(|id| !REPORTED_BY_ANOTHER_RULE.iter().any(|(r, _)| r == id))
        .cloned()
        .collect();
    assert!(
        missing.is_empty(),
        "{what}: rules that did not fire: {missing:?}"
    );
}

/// Every rule (embedded and generic) fired on its own examples, or the rule named in
/// [`REPORTED_BY_ANOTHER_RULE`] reported them in its file.
fn assert_every_example_file_is_reported(doc: &Value, what: &str) {
    let fired = rule_ids(doc);
    for id in ids(&all_rules()).difference(&fired) {
        let by = REPORTED_BY_ANOTHER_RULE
            .iter()
            .find(|(r, _)| r == id)
            .map(|(_, by)| *by)
            .unwrap_or_else(|| panic!("{what}: {id} did not fire on its examples"));
        let file = format!("leaks/{id}.txt");
        assert!(
            results(doc).iter().any(|r| r["ruleId"] == by
                && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == file),
            "{what}: neither {id} nor {by} reported {file}"
        );
    }
}

#[test]
fn every_rule_fires_in_directory_history_range_and_staged_sarif_that_validates() {
    let fx = Fixture::new();
    let (repo, first, staged) = leaky_repo(&fx);
    let dir = github_sarif(&scan_sarif(&["."], &repo), "directory");
    assert_every_example_file_is_reported(&dir, "directory");
    assert_fires_every_embedded_rule(&dir, "directory");
    let history = github_sarif(&scan_sarif(&["--history", "."], &repo), "history");
    assert_fires_every_embedded_rule(&history, "history");
    let range = format!("{first}..HEAD");
    let range = github_sarif(&scan_sarif(&["--range", &range, "."], &repo), "range");
    assert_fires_every_embedded_rule(&range, "range");
    let staged = github_sarif(&staged, "staged");
    assert_fires_every_embedded_rule(&staged, "staged");
}

#[test]
fn config_store_sarif_with_every_example_validates() {
    let home = Fixture::new();
    let mut npmrc = String::new();
    let mut env = String::new();
    for (i, r) in all_rules().iter().enumerate() {
        for (j, example) in r.examples.iter().enumerate() {
            if !example.contains('\n') {
                npmrc.push_str(example);
                npmrc.push('\n');
            }
            env.push_str(&format!("K{i}_{j}={}\n", example.replace('\n', "\\n")));
        }
    }
    home.write(".npmrc", npmrc);
    home.write(".aws/credentials", format!("[default]\n{env}"));
    let cwd = Fixture::new();
    let home_arg = home.path().display().to_string();
    let text = scan_sarif(&["--config-stores", "--home", &home_arg], cwd.path());
    let doc = github_sarif(&text, "config-stores");
    let fired = rule_ids(&doc);
    assert!(
        fired.len() * 2 > embedded().len(),
        "config-stores: only {} rules fired: {fired:?}",
        fired.len()
    );
}

#[test]
fn sweep_and_merge_sarif_with_every_rule_validate() {
    let fx = Fixture::new();
    let (repo, _, _) = leaky_repo(&fx);
    let repos = fx.path().join("repos").display().to_string();
    let state = fx.path().join("state.db").display().to_string();
    let sarifs = fx.path().join("sarifs");
    let sarifs_arg = sarifs.display().to_string();
    let (code, out, err) = run(
        &[
            "sweep",
            "--repos-dir",
            &repos,
            "--state",
            &state,
            "--format",
            "sarif",
            "--sarif-dir",
            &sarifs_arg,
            "--no-progress",
        ],
        fx.path(),
    );
    assert_eq!(code, 1, "{err}");
    let sweep = github_sarif(&out, "sweep");
    assert_fires_every_embedded_rule(&sweep, "sweep");
    let per_repo: Vec<PathBuf> = std::fs::read_dir(&sarifs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(per_repo.len(), 1, "{per_repo:?}");
    let text = std::fs::read_to_string(&per_repo[0]).unwrap();
    let one = github_sarif(&text, "sweep --sarif-dir");
    assert_fires_every_embedded_rule(&one, "sweep --sarif-dir");
    // A local repository has no remote: no filesystem path as its URI.
    assert!(
        one["runs"][0].get("versionControlProvenance").is_none(),
        "{}",
        one["runs"][0]["versionControlProvenance"]
    );

    let dir_json = fx.path().join("dir.json");
    std::fs::write(
        &dir_json,
        run(
            &["scan", ".", "--confidence", "low", "--format", "json"],
            &repo,
        )
        .1,
    )
    .unwrap();
    let (code, merged, err) = run(
        &[
            "merge",
            &per_repo[0].display().to_string(),
            &dir_json.display().to_string(),
            "--format",
            "sarif",
        ],
        fx.path(),
    );
    assert_eq!(code, 1, "{err}");
    let merged = github_sarif(&merged, "merge");
    assert_fires_every_embedded_rule(&merged, "merge");
}

/// A repository with `files` committed by Alice, and the acme rule directory.
fn acme_repo(files: &[(&str, String)]) -> (Fixture, String) {
    let fx = Fixture::new();
    fx.git(&["init", "-q", "-b", "main"]);
    for (name, text) in files {
        fx.write(name, text);
    }
    fx.git(&["add", "-A"]);
    fx.git(&["commit", "-q", "-m", "add"]);
    let rules = acme_rules(&fx);
    (fx, rules)
}

fn acme_sarif(fx: &Fixture, rules: &str, extra: &[&str]) -> Value {
    let mut args = vec!["scan", ".", "--rules", rules, "--format", "sarif"];
    args.extend(extra);
    let (_, out, err) = run(&args, fx.path());
    let doc = github_sarif(&out, &format!("{extra:?}"));
    assert!(!results(&doc).is_empty(), "{err}");
    doc
}

/// (uri, keytrace/v2, secret_fingerprint property) of each result.
fn fingerprints(doc: &Value) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = results(doc)
        .iter()
        .map(|r| {
            (
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                r["partialFingerprints"]["keytrace/v2"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                r["properties"]["secret_fingerprint"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn the_same_secret_at_two_paths_is_two_alerts_that_still_correlate() {
    let token = acme_token(40);
    let (fx, rules) = acme_repo(&[
        ("a/app.env", format!("K={token}\n")),
        ("b/app.env", format!("K={token}\n")),
    ]);
    for mode in [&[][..], &["--history"][..]] {
        let fps = fingerprints(&acme_sarif(&fx, &rules, mode));
        assert_eq!(fps.len(), 2, "{mode:?}: {fps:?}");
        assert_ne!(fps[0].1, fps[1].1, "{mode:?}: one alert for two paths");
        assert_eq!(
            fps[0].2, fps[1].2,
            "{mode:?}: the secret-level identity differs"
        );
    }
}

#[test]
fn fingerprints_survive_a_line_move_and_match_between_directory_and_history() {
    let token = acme_token(41);
    let (fx, rules) = acme_repo(&[("cfg/app.env", format!("K={token}\n"))]);
    let before = fingerprints(&acme_sarif(&fx, &rules, &[]));
    let history_before = fingerprints(&acme_sarif(&fx, &rules, &["--history"]));
    fx.write(
        "cfg/app.env",
        format!("{}K={token}\n", "# pad\n".repeat(10)),
    );
    fx.git(&["commit", "-q", "-am", "move down"]);
    let after = fingerprints(&acme_sarif(&fx, &rules, &[]));
    let history_after = fingerprints(&acme_sarif(&fx, &rules, &["--history"]));
    assert_eq!(before, after);
    assert_eq!(history_before, history_after);
    assert_eq!(before, history_after, "directory and history disagree");
    let doc = acme_sarif(&fx, &rules, &[]);
    assert_eq!(
        results(&doc)[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        11,
        "the line did move"
    );
}

/// The JSON findings of a scan of the fixture with the acme rules, plus `extra` flags.
fn acme_json(fx: &Fixture, rules: &str, extra: &[&str]) -> (i32, Vec<Value>) {
    let mut args = vec!["scan", ".", "--rules", rules, "--show-suppressed"];
    args.extend(extra);
    let (code, report) = run_json(&args, fx.path());
    let mut all = findings(&report);
    all.extend(report["suppressed"].as_array().cloned().unwrap_or_default());
    (code, all)
}

#[test]
fn a_version_1_baseline_still_suppresses_and_new_baselines_are_version_2() {
    let token = acme_token(42);
    let (fx, rules) = acme_repo(&[("app.env", format!("K={token}\n"))]);
    let (_, found) = acme_json(&fx, &rules, &[]);
    let f = &found[0];
    // What a release before keytrace/v2 wrote: the secret-level form as `fingerprint`.
    let old = serde_json::json!({
        "version": 1,
        "findings": [{
            "fingerprint": f["secret_fingerprint"],
            "rule_id": f["rule_id"],
            "path": f["location"]["path"],
        }]
    });
    assert_ne!(f["secret_fingerprint"], f["fingerprint"]);
    fx.write("old-baseline.json", old.to_string());
    let (code, found) = acme_json(&fx, &rules, &["--baseline", "old-baseline.json"]);
    assert_eq!(code, 0, "{found:?}");
    assert_eq!(found[0]["suppressed_by"], "baseline");

    let (code, _, err) = run(
        &[
            "baseline",
            "create",
            ".",
            "--rules",
            &rules,
            "-o",
            "new-baseline.json",
        ],
        fx.path(),
    );
    assert!(code == 0 || code == 1, "{err}");
    let new: Value = serde_json::from_str(
        &std::fs::read_to_string(fx.path().join("new-baseline.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(new["version"], 2);
    assert_eq!(new["findings"][0]["fingerprint"], f["fingerprint"]);
    let (code, _) = acme_json(&fx, &rules, &["--baseline", "new-baseline.json"]);
    assert_eq!(code, 0);

    // The same secret pasted at a new path: a new alert for a v2 baseline; a v1 baseline
    // accepted the secret wherever it is, and keeps doing so.
    fx.write("copy/app.env", format!("K={token}\n"));
    let (code, found) = acme_json(&fx, &rules, &["--baseline", "new-baseline.json"]);
    assert_eq!(code, 1);
    let kept: Vec<&Value> = found
        .iter()
        .filter(|f| f["suppressed_by"].is_null())
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["location"]["path"], "copy/app.env");
    let (code, _) = acme_json(&fx, &rules, &["--baseline", "old-baseline.json"]);
    assert_eq!(code, 0);
}

#[test]
fn allowlist_fingerprints_of_either_form_suppress() {
    let token = acme_token(43);
    let (fx, rules) = acme_repo(&[("app.env", format!("K={token}\n"))]);
    let (_, found) = acme_json(&fx, &rules, &[]);
    for key in ["fingerprint", "secret_fingerprint"] {
        let fp = found[0][key].as_str().unwrap();
        fx.write(
            "keytrace.toml",
            format!("[allowlist]\nfingerprints = [\"{fp}\"]\n"),
        );
        let (code, found) = acme_json(&fx, &rules, &[]);
        assert_eq!(code, 0, "{key}: {found:?}");
        assert_eq!(found[0]["suppressed_by"], "allowlist:fingerprint");
    }
}

#[test]
fn merge_reads_logs_written_before_v2_and_publishes_v2() {
    let (fx, rules) = acme_repo(&[
        ("a.env", format!("K={}\n", acme_token(44))),
        ("b.env", format!("K={}\n", acme_token(45))),
    ]);
    let (_, fresh, _) = run(
        &["scan", ".", "--rules", &rules, "--format", "sarif"],
        fx.path(),
    );
    let fresh_doc = github_sarif(&fresh, "scan");
    // An older log: only `keytrace/v1` (the secret-level form) in partialFingerprints.
    let mut old = fresh_doc.clone();
    for r in old["runs"][0]["results"].as_array_mut().unwrap() {
        let v1 = r["properties"]["secret_fingerprint"].clone();
        r["partialFingerprints"] = serde_json::json!({ "keytrace/v1": v1 });
        r["properties"]
            .as_object_mut()
            .unwrap()
            .remove("secret_fingerprint");
    }
    fx.write("old.sarif", old.to_string());
    let (code, merged, err) = run(
        &["merge", "old.sarif", "--rules", &rules, "--format", "sarif"],
        fx.path(),
    );
    assert_eq!(code, 1, "{err}");
    let merged = github_sarif(&merged, "merge of an old log");
    assert_eq!(fingerprints(&merged), fingerprints(&fresh_doc));
}

#[test]
fn messages_name_rule_owner_commit_and_where_the_secret_went() {
    let fx = Fixture::new();
    let dir = fx.path();
    git(dir, &["init", "-q", "-b", "main"]);
    fx.write(".github/CODEOWNERS", "*.env @acme/platform\n");
    fx.write("gone.env", format!("K={}\n", acme_token(46)));
    fx.write("kept.env", format!("K={}\n", acme_token(47)));
    git_as(dir, &["add", "-A"], "Carol", "2024-03-04T05:06:07Z");
    git_as(
        dir,
        &["commit", "-q", "-m", "leak"],
        "Carol",
        "2024-03-04T05:06:07Z",
    );
    let intro = git(dir, &["rev-parse", "HEAD"]);
    std::fs::remove_file(dir.join("gone.env")).unwrap();
    git_as(
        dir,
        &["commit", "-q", "-am", "remove"],
        "Dave",
        "2024-03-05T00:00:00Z",
    );
    let removal = git(dir, &["rev-parse", "HEAD"]);
    let rules = acme_rules(&fx);
    let doc = acme_sarif(&fx, &rules, &["--history"]);
    let text_of = |uri: &str| -> String {
        results(&doc)
            .iter()
            .find(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri)
            .unwrap_or_else(|| panic!("no result for {uri}"))["message"]["text"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let gone = text_of("gone.env");
    for part in [
        "Acme API key (acme) found: ",
        "[rule acme-api-key]",
        "owner: @acme/platform (codeowners)",
        &format!("introduced in {} by Carol on 2024-03-04", &intro[..7]),
        &format!("removed in {}, still in the history of main", &removal[..7]),
    ] {
        assert!(gone.contains(part), "{part:?} not in {gone:?}");
    }
    assert!(!gone.contains(&acme_token(46)), "clear text in {gone}");
    let kept = text_of("kept.env");
    assert!(kept.ends_with("; still in HEAD"), "{kept}");
}

#[test]
fn repository_uri_is_the_remote_in_https_form_or_absent() {
    let (fx, rules) = acme_repo(&[("a.env", format!("K={}\n", acme_token(48)))]);
    let doc = acme_sarif(&fx, &rules, &[]);
    assert!(doc["runs"][0].get("versionControlProvenance").is_none());
    let text = doc.to_string();
    let path = fx.path().display().to_string();
    assert!(!text.contains("file://") && !text.contains(&path), "{text}");
    for (url, want) in [
        ("git@github.com:octo/app.git", "https://github.com/octo/app"),
        (
            "https://x-access-token:ghs_s3cr3tvalue@github.com/octo/app.git",
            "https://github.com/octo/app",
        ),
        (
            "ssh://git@ghe.example.com:2222/octo/app",
            "https://ghe.example.com/octo/app",
        ),
    ] {
        let _ = std::process::Command::new("git")
            .args(["remote", "remove", "origin"])
            .current_dir(fx.path())
            .output();
        fx.git(&["remote", "add", "origin", url]);
        for mode in [&[][..], &["--history"][..]] {
            let doc = acme_sarif(&fx, &rules, mode);
            let vcs = &doc["runs"][0]["versionControlProvenance"][0];
            assert_eq!(vcs["repositoryUri"], want, "{url} {mode:?}");
            assert_eq!(vcs["branch"], "main");
            assert!(!doc.to_string().contains("s3cr3t"));
        }
    }
}

#[test]
fn rule_docs_pages_match_the_rules() {
    let pages = keytrace::rules::docs::pages(&keytrace::rules::docs::builtin_rules());
    if std::env::var_os("KEYTRACE_WRITE_RULE_DOCS").is_some() {
        std::fs::create_dir_all(DOCS_RULES).unwrap();
        for (name, text) in &pages {
            std::fs::write(Path::new(DOCS_RULES).join(name), text).unwrap();
        }
    }
    let mut stale = Vec::new();
    for (name, text) in &pages {
        let on_disk = std::fs::read_to_string(Path::new(DOCS_RULES).join(name)).unwrap_or_default();
        if &on_disk != text {
            stale.push(name.clone());
        }
    }
    let extra: Vec<String> = std::fs::read_dir(DOCS_RULES)
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|n| n.ends_with(".md") && !pages.contains_key(n))
                .collect()
        })
        .unwrap_or_default();
    assert!(
        stale.is_empty() && extra.is_empty(),
        "docs/rules is out of date (differs: {stale:?}; no longer generated: {extra:?}). \
         Regenerate with `KEYTRACE_WRITE_RULE_DOCS=1 cargo test --test main rule_docs` \
         (and delete pages no longer generated), then commit docs/rules."
    );
}

#[test]
fn every_embedded_rule_is_listed_on_its_family_page() {
    for r in keytrace::rules::docs::builtin_rules() {
        let file = Path::new(DOCS_RULES).join(format!("{}.md", r.category));
        let page = std::fs::read_to_string(&file)
            .unwrap_or_else(|_| panic!("{}: no page {}", r.id, file.display()));
        assert!(
            page.contains(&format!("## `{}`", r.id)) && page.contains(&r.name),
            "{} is not listed in {}",
            r.id,
            file.display()
        );
    }
}

/// The reproduction of issue 14: the demo directory's SARIF failed the schema (repeated tags).
#[test]
fn the_demo_sarif_validates() {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo");
    let fx = Fixture::new();
    let (code, out, err) = run(&["scan", demo, "--format", "sarif"], fx.path());
    assert_eq!(code, 1, "{err}");
    let doc = github_sarif(&out, "examples/demo");
    assert!(!results(&doc).is_empty());
}

/// `keytrace/v1` as releases before keyed digests wrote it: the first 32 hex digits of
/// SHA-256("keytrace/v1" NUL rule NUL sha256-hex(secret) NUL scope NUL), with an empty scope.
fn pre_hmac_v1(rule_id: &str, secret: &str) -> String {
    use sha2::{Digest, Sha256};
    let plain = hex::encode(Sha256::digest(secret.as_bytes()));
    let mut h = Sha256::new();
    for part in ["keytrace/v1", rule_id, &plain, ""] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    hex::encode(h.finalize())[..32].to_string()
}

/// A baseline written before `secret_sha256` became a keyed hash names findings by the plain
/// SHA-256 of the secret: it keeps suppressing them (the secret is still known during policy).
#[test]
fn a_baseline_written_before_keyed_digests_still_suppresses() {
    let token = acme_token(43);
    let (fx, rules) = acme_repo(&[("app.env", format!("K={token}\n"))]);
    let (code, found) = acme_json(&fx, &rules, &[]);
    assert_eq!(code, 1);
    let rule = found[0]["rule_id"].as_str().unwrap().to_string();
    let legacy = pre_hmac_v1(&rule, &token);
    assert_ne!(found[0]["secret_fingerprint"], legacy.as_str());
    let old = serde_json::json!({
        "version": 1,
        "findings": [{"fingerprint": legacy, "rule_id": rule, "path": "app.env"}]
    });
    fx.write("pre-hmac-baseline.json", old.to_string());
    let (code, found) = acme_json(&fx, &rules, &["--baseline", "pre-hmac-baseline.json"]);
    assert_eq!(code, 0, "{found:?}");
    assert_eq!(found[0]["suppressed_by"], "baseline");
    // The same file as an allowlist entry of keytrace.toml.
    fx.write(
        "keytrace.toml",
        format!("[allowlist]\nfingerprints = [\"{legacy}\"]\n"),
    );
    let (code, found) = acme_json(&fx, &rules, &[]);
    assert_eq!(code, 0, "{found:?}");
    assert_eq!(found[0]["suppressed_by"], "allowlist:fingerprint");
}
