//! Where keytrace runs: the installed pre-commit hook with the real git CLI, the pre-commit
//! framework's hook file, and the GitHub Action's scan script under GitHub-like variables.

use super::common::{Fixture, acme_token, git_in};
use std::path::Path;
use std::process::Command;

fn git_commit(dir: &Path, msg: &str) -> std::process::Output {
    Command::new("git")
        .args(["commit", "-q", "-m", msg])
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Alice")
        .env("GIT_AUTHOR_EMAIL", "alice@example.com")
        .env("GIT_COMMITTER_NAME", "Alice")
        .env("GIT_COMMITTER_EMAIL", "alice@example.com")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn keytrace_bin() -> String {
    assert_cmd::cargo::cargo_bin("keytrace")
        .display()
        .to_string()
}

/// A keytrace.toml-free repo whose rules (an acme rule) live in `.keytrace-rules`.
fn hooked_repo() -> Fixture {
    let fx = Fixture::new();
    fx.git(&["init", "-q", "-b", "main"]);
    fx.write("README.md", "hello\n");
    fx.git(&["add", "-A"]);
    fx.git(&["commit", "-q", "-m", "init"]);
    let out = super::common::keytrace()
        .args(["install-hook"])
        .current_dir(fx.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    fx
}

/// Hooks call the binary with the embedded rules; use a GitHub token shape they know.
fn leaked_line() -> String {
    format!(
        "token = \"{}\"\n",
        super::common::github_token("ghp_", "Qm3Zr8TnVb2Lx9KcWp4Hs7Jd1Fg6Ya")
    )
}

#[test]
fn installed_hook_blocks_a_key_accepts_clean_and_baselined_commits() {
    let fx = hooked_repo();
    let hook = std::fs::read_to_string(fx.path().join(".git/hooks/pre-commit")).unwrap();
    assert!(hook.contains("scan --staged"));

    fx.write("clean.txt", "nothing secret\n");
    fx.git(&["add", "clean.txt"]);
    let out = git_commit(fx.path(), "clean");
    assert!(
        out.status.success(),
        "clean commit refused: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    fx.write("leak.py", leaked_line());
    fx.git(&["add", "leak.py"]);
    let out = git_commit(fx.path(), "leak");
    assert!(
        !out.status.success(),
        "a commit adding a key must be refused"
    );
    // git runs hooks with their standard output sent to standard error.
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("github-classic-pat"), "{said}");

    let out = super::common::keytrace()
        .args([
            "baseline",
            "create",
            "--staged",
            "-o",
            ".keytrace-baseline.json",
        ])
        .current_dir(fx.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = git_commit(fx.path(), "leak, accepted in the baseline");
    assert!(
        out.status.success(),
        "baselined key refused: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn install_hook_refuses_a_foreign_hook_without_force() {
    let fx = Fixture::new();
    fx.git(&["init", "-q"]);
    fx.write(".git/hooks/pre-commit", "#!/bin/sh\necho mine\n");
    let (code, _, stderr) = super::common::run(&["install-hook"], fx.path());
    assert_eq!(code, 2);
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(fx.path().join(".git/hooks/pre-commit")).unwrap(),
        "#!/bin/sh\necho mine\n"
    );
    let (code, _, _) = super::common::run(&["install-hook", "--force"], fx.path());
    assert_eq!(code, 0);
    let (code, _, _) = super::common::run(&["install-hook"], fx.path());
    assert_eq!(code, 0, "re-installing over our own hook needs no --force");
}

#[test]
fn pre_commit_hooks_file_defines_staged_and_files_hooks() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    let hooks: Vec<serde_json::Value> = serde_norway::from_str(&text).unwrap();
    let staged = hooks
        .iter()
        .find(|h| h["id"] == "keytrace")
        .expect("hook `keytrace`");
    // `language: python` since issue 15 (packaging.rs checks the cargo-built variants).
    assert_eq!(staged["language"], "python");
    assert_eq!(staged["pass_filenames"], false);
    assert!(
        staged["entry"]
            .as_str()
            .unwrap()
            .starts_with("keytrace scan --staged")
    );
    let files = hooks
        .iter()
        .find(|h| h["id"] == "keytrace-files")
        .expect("files variant");
    assert_eq!(files["pass_filenames"], true);
}

#[test]
fn action_yml_parses_and_uses_every_input() {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml")).unwrap();
    let action: serde_json::Value = serde_norway::from_str(&text).unwrap();
    assert_eq!(action["runs"]["using"], "composite");
    let inputs = action["inputs"].as_object().unwrap();
    for name in [
        "path",
        "history",
        "range",
        "args",
        "fail-on-findings",
        "upload-sarif",
        "sarif-file",
    ] {
        assert!(inputs.contains_key(name), "input {name} missing");
    }
    for name in inputs.keys() {
        assert!(
            text.contains(&format!("inputs.{name}")),
            "input {name} is declared but never used"
        );
    }
    let steps = action["runs"]["steps"].as_array().unwrap();
    assert!(steps.iter().any(|s| {
        s["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif"))
    }));
    assert!(steps.iter().any(|s| {
        s["run"]
            .as_str()
            .is_some_and(|r| r.contains("cargo install"))
    }));
}

#[test]
fn action_scan_script_on_a_pull_request_reports_only_the_range() {
    let fx = Fixture::new();
    let at = |d: u32| format!("2024-02-{d:02}T00:00:00Z");
    fx.git(&["init", "-q", "-b", "main"]);
    fx.write("old.py", leaked_line());
    fx.git(&["add", "-A"]);
    git_in(
        fx.path(),
        &["commit", "-q", "-m", "old"],
        "Alice",
        "a@example.com",
        &at(1),
    );
    let base = fx.git(&["rev-parse", "HEAD"]);
    fx.write(
        "new.env",
        format!(
            "SECRET_TOKEN={}\n",
            super::common::github_token("ghp_", "Zx8Lm2Qv7Rt4Wn9Kp3Hs6Jd1Fg5Yb0")
        ),
    );
    fx.git(&["add", "-A"]);
    git_in(
        fx.path(),
        &["commit", "-q", "-m", "new"],
        "Bob",
        "b@example.com",
        &at(2),
    );
    let head = fx.git(&["rev-parse", "HEAD"]);
    let event = fx.write(
        "event.json",
        format!(r#"{{"pull_request":{{"base":{{"sha":"{base}"}},"head":{{"sha":"{head}"}}}}}}"#),
    );
    let outputs = fx.path().join("gh_output");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/action-scan.sh");
    let out = Command::new("bash")
        .arg(&script)
        .current_dir(fx.path())
        .env("KEYTRACE_BIN", keytrace_bin())
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_BASE_REF", "main")
        .env("GITHUB_SHA", &head)
        .env("GITHUB_OUTPUT", &outputs)
        .env("INPUT_PATH", ".")
        .env("INPUT_HISTORY", "false")
        .env("INPUT_RANGE", "")
        .env("INPUT_ARGS", "")
        .env("INPUT_SARIF_FILE", "out.sarif")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fx.path().join("out.sarif")).unwrap())
            .unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let paths: Vec<&str> = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(paths, vec!["new.env"]);
    assert_eq!(results[0]["properties"]["commit"], head);
    let gh = std::fs::read_to_string(&outputs).unwrap();
    assert!(gh.contains("findings=1"), "{gh}");
    assert!(gh.contains("sarif-file=out.sarif"), "{gh}");
    assert!(gh.contains("exit-code=1"), "{gh}");
    let _ = acme_token(0);
}
