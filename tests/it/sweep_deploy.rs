//! The shipped deployments (`deploy/`) run as written: the commands of the GitHub Actions
//! matrix sweep and of the Kubernetes Indexed Job are taken from the files, run once per shard
//! on repositories made by the test (the organisation listing swapped for `--repos-dir`, the
//! one thing a test cannot reach), and the merge step of each, again taken from the file, must
//! give the findings of one unsharded sweep.

use super::common::{Fixture, acme_rules, acme_token, git_in};
use serde_json::Value;
use serde_norway::Value as Yaml;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn deploy_file(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("deploy")
        .join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Repositories below `fx/repos`, each with its own key, and the list of their directories.
fn make_repos(fx: &Fixture, n: u32) -> PathBuf {
    let root = fx.path().join("repos");
    for i in 0..n {
        let dir = root.join(format!("svc{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        let date = "2024-04-01T00:00:00Z";
        let who = ("Dana", "dana@example.com");
        git_in(&dir, &["init", "-q", "-b", "main"], who.0, who.1, date);
        std::fs::write(
            dir.join("app.env"),
            format!("KEY={}\n", acme_token(400 + i)),
        )
        .unwrap();
        git_in(&dir, &["add", "-A"], who.0, who.1, date);
        git_in(&dir, &["commit", "-q", "-m", "init"], who.0, who.1, date);
    }
    root
}

/// PATH with the keytrace under test first.
fn path_with_keytrace() -> String {
    let bin = assert_cmd::cargo::cargo_bin("keytrace");
    let dir = bin.parent().unwrap().display().to_string();
    format!("{dir}:{}", std::env::var("PATH").unwrap_or_default())
}

/// `sh -c SCRIPT` (bash -e for Actions `run:` steps) in `cwd`; the exit code.
fn shell(shell: &[&str], script: &str, cwd: &Path, env: &[(&str, String)]) -> i32 {
    let out = Command::new(shell[0])
        .args(&shell[1..])
        .arg(script)
        .current_dir(cwd)
        .env("PATH", path_with_keytrace())
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    eprintln!(
        "$ {script}\n-> {code}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    code
}

/// (repository directory name, path, fingerprint) of every finding of a JSON report.
fn keys(report: &Path) -> BTreeSet<(String, String, String)> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let repo = f["repository"].as_str().unwrap();
            (
                Path::new(repo)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into(),
                f["location"]["path"].as_str().unwrap().into(),
                f["fingerprint"].as_str().unwrap().into(),
            )
        })
        .collect()
}

/// What one unsharded sweep of `repos` finds.
fn unsharded(fx: &Fixture, repos: &Path, rules: &str) -> BTreeSet<(String, String, String)> {
    let repos = repos.display().to_string();
    let script = format!(
        "keytrace sweep --repos-dir {repos} --rules {rules} --state whole.db --format json -o whole.json --no-progress"
    );
    assert_eq!(shell(&["sh", "-c"], &script, fx.path(), &[]), 1);
    let found = keys(&fx.path().join("whole.json"));
    assert_eq!(found.len(), 5);
    found
}

fn step<'a>(job: &'a Yaml, name: &str) -> &'a str {
    job["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str() == Some(name))
        .and_then(|s| s["run"].as_str())
        .unwrap_or_else(|| panic!("no step `{name}`"))
}

#[test]
fn github_actions_matrix_shards_and_merge_step_give_the_unsharded_findings() {
    let fx = Fixture::new();
    let repos = make_repos(&fx, 5);
    let rules = acme_rules(&fx);
    let whole = unsharded(&fx, &repos, &rules);

    let workflow: Yaml =
        serde_norway::from_str(&deploy_file("github-actions/org-sweep.yml")).unwrap();
    let shards = workflow["env"]["SHARDS"].as_str().unwrap().to_string();
    let matrix = workflow["jobs"]["sweep"]["strategy"]["matrix"]["shard"]
        .as_sequence()
        .unwrap();
    assert_eq!(
        matrix.len().to_string(),
        shards,
        "one matrix entry per shard"
    );
    let sweep = step(&workflow["jobs"]["sweep"], "Sweep");
    assert!(sweep.contains("--github-org \"$ORG\""), "{sweep}");
    let sweep = sweep.replace(
        "--github-org \"$ORG\"",
        &format!("--repos-dir {} --rules {rules}", repos.display()),
    );
    // Each matrix job on its own runner; download-artifact (merge-multiple) then puts every
    // shard's files in `shards/`.
    let merged_dir = fx.path().join("merge-runner");
    std::fs::create_dir_all(merged_dir.join("shards")).unwrap();
    for shard in matrix {
        let k = shard.as_u64().unwrap().to_string();
        let runner = fx.path().join(format!("runner-{k}"));
        std::fs::create_dir_all(&runner).unwrap();
        let env = [("SHARD", k.clone()), ("SHARDS", shards.clone())];
        assert_eq!(shell(&["bash", "-e", "-c"], &sweep, &runner, &env), 0);
        let report = format!("shard-{k}.json");
        std::fs::copy(
            runner.join(&report),
            merged_dir.join("shards").join(&report),
        )
        .unwrap();
        assert!(
            runner.join("sweep-state/state.db").is_file(),
            "state cached"
        );
    }
    let merge = step(&workflow["jobs"]["merge"], "Merge the shards");
    // Exit 1: findings, which the workflow lets fail the run.
    assert_eq!(shell(&["bash", "-e", "-c"], merge, &merged_dir, &[]), 1);
    assert_eq!(keys(&merged_dir.join("merged.json")), whole);
    let html = std::fs::read_to_string(merged_dir.join("keytrace-report.html")).unwrap();
    assert!(html.contains("svc3"));
}

#[test]
fn kubernetes_indexed_job_shards_and_merge_job_give_the_unsharded_findings() {
    let fx = Fixture::new();
    let repos = make_repos(&fx, 5);
    let rules = acme_rules(&fx);
    let whole = unsharded(&fx, &repos, &rules);
    let data = fx.path().join("data").display().to_string();

    let sweep: Yaml = serde_norway::from_str(&deploy_file("kubernetes/sweep-job.yaml")).unwrap();
    assert_eq!(sweep["spec"]["completionMode"].as_str(), Some("Indexed"));
    let completions = sweep["spec"]["completions"].as_u64().unwrap();
    let container = &sweep["spec"]["template"]["spec"]["containers"][0];
    let command: Vec<&str> = container["command"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(command, ["sh", "-c"]);
    let args = container["args"][0].as_str().unwrap();
    assert!(args.contains(&format!("/{completions}")), "{args}");
    let mount = container["volumeMounts"][0]["mountPath"].as_str().unwrap();
    assert_eq!(mount, "/data");
    for index in 0..completions {
        // What the Job controller and Kubernetes' `$(VAR)` expansion do.
        let script = args
            .replace("$(JOB_COMPLETION_INDEX)", &index.to_string())
            .replace("/data", &data)
            .replace(
                "--github-org acme",
                &format!("--repos-dir {} --rules {rules}", repos.display()),
            );
        assert_eq!(shell(&command, &script, fx.path(), &[]), 0, "pod {index}");
    }
    assert_eq!(
        std::fs::read_dir(fx.path().join("data/state"))
            .unwrap()
            .count() as u64,
        completions,
        "one state file per shard"
    );

    let merge: Yaml = serde_norway::from_str(&deploy_file("kubernetes/merge-job.yaml")).unwrap();
    let container = &merge["spec"]["template"]["spec"]["containers"][0];
    let script = container["args"][0]
        .as_str()
        .unwrap()
        .replace("/data", &data);
    // `test $? -le 1`: findings still complete the Job.
    assert_eq!(shell(&["sh", "-c"], &script, fx.path(), &[]), 0);
    assert_eq!(keys(&fx.path().join("data/reports/merged.json")), whole);
    assert!(
        fx.path()
            .join("data/reports/keytrace-report.html")
            .is_file()
    );
}
