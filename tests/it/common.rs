//! Test fixtures: temp dirs, files, git repositories with fixed identities, and a runner for the
//! real binary that captures exit code, stdout and stderr.

#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// A scratch directory that disappears with the test.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Write `contents` to `rel` (creating parent directories) and return the full path.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, contents).unwrap();
        p
    }

    /// Run `git` in the fixture with fixed identities and dates; panics on failure.
    pub fn git(&self, args: &[&str]) -> String {
        git_in(
            self.path(),
            args,
            "Alice",
            "alice@example.com",
            "2024-01-01T00:00:00Z",
        )
    }
}

/// Run git in `dir` as the given author at the given date; panics on failure.
pub fn git_in(dir: &Path, args: &[&str], name: &str, email: &str, date: &str) -> String {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", name)
        .env("GIT_AUTHOR_EMAIL", email)
        .env("GIT_COMMITTER_NAME", name)
        .env("GIT_COMMITTER_EMAIL", email)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The keytrace binary, with colour off and no inherited config.
pub fn keytrace() -> Command {
    let mut cmd = Command::cargo_bin("keytrace").expect("binary built");
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Run keytrace and return (exit code, stdout, stderr).
pub fn run(args: &[&str], cwd: &Path) -> (i32, String, String) {
    run_env(args, cwd, &[])
}

/// Run keytrace with extra environment variables and return (exit code, stdout, stderr).
pub fn run_env(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> (i32, String, String) {
    let out = keytrace()
        .args(args)
        .envs(env.iter().copied())
        .current_dir(cwd)
        .output()
        .expect("keytrace runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Run keytrace with `--format json` and parse the report.
pub fn run_json(args: &[&str], cwd: &Path) -> (i32, serde_json::Value) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let (code, stdout, stderr) = run(&all, cwd);
    let v = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {stdout}\nstderr: {stderr}"));
    (code, v)
}

/// The findings array of a JSON report.
pub fn findings(report: &serde_json::Value) -> Vec<serde_json::Value> {
    report["findings"].as_array().cloned().unwrap_or_default()
}

/// GitHub-style checksummed token: prefix + 30 chars + base62(crc32) in 6.
pub fn github_token(prefix: &str, random30: &str) -> String {
    assert_eq!(random30.len(), 30);
    format!(
        "{prefix}{random30}{}",
        keytrace::matcher::validators::base62(crc32fast::hash(random30.as_bytes()), 6)
    )
}

/// A rule directory with one test rule, `acme-api-key`, matching `acme_` + 24 alphanumerics.
/// It lives outside the fixture so that scanning the fixture does not see the rule's examples.
pub fn acme_rules(_fx: &Fixture) -> String {
    let dir = tempfile::tempdir().expect("tempdir").keep();
    std::fs::write(
        dir.join("acme.toml"),
        r#"[[rules]]
id = "acme-api-key"
name = "Acme API key"
provider = "acme"
category = "saas"
keywords = ["acme_"]
pattern = '''\b(?P<secret>acme_[A-Za-z0-9]{24})\b'''
min_entropy = 3.0
long_lived = true
severity = "high"
description = "An Acme API key."
remediation = "Revoke it in the Acme console."
examples = ["ACME_KEY=acme_Q3v9TzLk2mWp8RbX4nYcJ7dF"]
negative_examples = ["ACME_KEY=acme_xxxxxxxxxxxxxxxxxxxxxxxx"]
"#,
    )
    .expect("write rule");
    dir.display().to_string()
}

/// A distinct, random-looking Acme token for each `n`.
pub fn acme_token(n: u32) -> String {
    let alphabet = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut state = 0x9E37_79B9u32.wrapping_mul(n + 1) ^ 0x85EB_CA6B;
    let body: String = (0..24)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            alphabet[(state % alphabet.len() as u32) as usize] as char
        })
        .collect();
    format!("acme_{body}")
}

/// `git ARGS` in `dir` as Alice on 2024-01-01 (the fixed identity of most fixtures); stdout.
pub fn git_alice(dir: &Path, args: &[&str]) -> String {
    git_in(
        dir,
        args,
        "Alice",
        "alice@example.com",
        "2024-01-01T00:00:00Z",
    )
}
