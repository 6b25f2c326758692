//! Issue 14, "small things a user notices": help headings, the refs of history findings,
//! redaction of short secrets, the keyed secret digest, and test-URL / RFC example credentials.

use super::common::{Fixture, findings, git_in, github_token, keytrace, run, run_json};
use clap::CommandFactory;

/// Every command path of the CLI (`["scan"]`, `["rules", "list"]`, ...), read from clap, so a
/// new subcommand is covered without editing this test.
fn command_paths() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
        for sub in cmd.get_subcommands() {
            if sub.get_name() == "help" {
                continue;
            }
            let mut path = prefix.to_vec();
            path.push(sub.get_name().to_string());
            out.push(path.clone());
            walk(sub, &path, out);
        }
    }
    let mut out = vec![Vec::new()];
    walk(&keytrace::cli::Cli::command(), &[], &mut out);
    out
}

#[test]
fn help_of_every_subcommand_is_snapshotted() {
    let fx = Fixture::new();
    let paths = command_paths();
    assert!(paths.len() > 8, "{paths:?}");
    for path in paths {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let out = keytrace()
            .args(&args)
            .current_dir(fx.path())
            .env("COLUMNS", "100")
            .output()
            .expect("keytrace runs");
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let text = String::from_utf8(out.stdout).expect("help is UTF-8");
        let name = if path.is_empty() {
            "help".to_string()
        } else {
            format!("help_{}", path.join("_").replace('-', "_"))
        };
        insta::assert_snapshot!(name, text);
    }
}

/// The `scan` subcommand as clap sees it.
fn scan_command() -> clap::Command {
    let mut cli = keytrace::cli::Cli::command();
    cli.build();
    cli.find_subcommand("scan").expect("scan").clone()
}

#[test]
fn only_verification_flags_sit_under_the_verification_heading() {
    use clap::Args;
    let verify_ids: Vec<String> =
        keytrace::cli::verify::VerifyArgs::augment_args(clap::Command::new("v"))
            .get_arguments()
            .map(|a| a.get_id().to_string())
            .collect();
    assert!(verify_ids.iter().any(|id| id == "verify"), "{verify_ids:?}");
    let scan = scan_command();
    let mut under_verification = Vec::new();
    for arg in scan.get_arguments() {
        let id = arg.get_id().to_string();
        let heading = arg.get_help_heading();
        if heading == Some(keytrace::cli::verify::HEADING) {
            under_verification.push(id.clone());
            assert!(
                verify_ids.contains(&id),
                "`--{id}` is listed under the verification heading"
            );
        } else {
            assert!(!verify_ids.contains(&id), "`--{id}` left its heading");
        }
        // Every option sits under a heading of its own: the untitled "Options" group holds only
        // help and version (positional targets are listed apart).
        if heading.is_none() && !arg.is_positional() {
            assert!(
                matches!(id.as_str(), "help" | "version"),
                "`--{id}` of scan has no help heading"
            );
        }
    }
    under_verification.sort();
    let mut expected = verify_ids.clone();
    expected.sort();
    assert_eq!(under_verification, expected);
    for id in [
        "rules",
        "threads",
        "max_file_size",
        "respect_gitignore",
        "confidence",
    ] {
        let arg = scan
            .get_arguments()
            .find(|a| a.get_id() == id)
            .unwrap_or_else(|| panic!("scan has --{id}"));
        assert_eq!(arg.get_help_heading(), Some("Detection"), "--{id}");
    }
}

/// A repository whose second commit adds a token, reached by 14 branches and 25 tags whose
/// alphabetical order is not their date order. Returns the branch and tag counts and the first
/// commit (the base of a range that holds the token).
fn repo_with_many_refs(fx: &Fixture) -> (usize, usize, String) {
    let token = github_token("ghp_", "Qm3Zr8TnVb2Lx9KcWp4Hs7Jd1Fg6Ya");
    fx.git(&["init", "-q", "-b", "main"]);
    fx.write("README.md", "app\n");
    fx.git(&["add", "."]);
    fx.git(&["commit", "-qm", "start"]);
    let base = fx.git(&["rev-parse", "HEAD"]);
    fx.write("config.env", format!("GITHUB_TOKEN={token}\n"));
    fx.git(&["add", "."]);
    fx.git(&["commit", "-qm", "first"]);
    let tags = 25;
    for i in 1..=tags {
        fx.write("notes.txt", format!("release {i}\n"));
        let date = format!("2024-02-{i:02}T00:00:00Z");
        git_in(
            fx.path(),
            &["add", "."],
            "Alice",
            "alice@example.com",
            &date,
        );
        git_in(
            fx.path(),
            &["commit", "-qm", &format!("release {i}")],
            "Alice",
            "alice@example.com",
            &date,
        );
        fx.git(&["tag", &format!("v1.{i}")]);
    }
    let mut branches = 1;
    for i in 1..=12 {
        fx.git(&["branch", &format!("feature-{i:02}")]);
        branches += 1;
    }
    fx.git(&["checkout", "-q", "-b", "work"]);
    branches += 1;
    (branches, tags, base)
}

/// The refs of the GitHub finding of `report`, and its `refs_omitted`.
fn refs_of(report: &serde_json::Value) -> (Vec<String>, usize) {
    let all = findings(report);
    let f = all
        .iter()
        .find(|f| f["rule_id"].as_str().unwrap_or("").starts_with("github"))
        .unwrap_or_else(|| panic!("no GitHub finding: {report}"));
    let refs = f["refs"].as_array().expect("refs");
    let refs = refs.iter().map(|r| r.as_str().unwrap().to_string());
    let omitted = f["refs_omitted"].as_u64().unwrap_or(0) as usize;
    (refs.collect(), omitted)
}

/// What the refs list must be: HEAD's branch, the default branch, the other local branches by
/// name, then tags newest first, as many as fit in `listed`.
fn expected_refs(tags: usize, listed: usize) -> Vec<String> {
    let mut expected = vec!["work".to_string(), "main".to_string()];
    expected.extend((1..=12).map(|i| format!("feature-{i:02}")));
    let newest_tags = (1..=tags).rev().map(|i| format!("tags/v1.{i}"));
    expected.extend(newest_tags.take(listed - expected.len()));
    expected
}

#[test]
fn history_refs_keep_head_default_branches_and_newest_tags_and_count_the_rest() {
    let fx = Fixture::new();
    let (branches, tags, _) = repo_with_many_refs(&fx);
    let (code, report) = run_json(&["scan", "--history", "."], fx.path());
    assert_eq!(code, 1, "{report}");
    let (refs, omitted) = refs_of(&report);
    assert!(refs.len() < branches + tags);
    assert_eq!(omitted, branches + tags - refs.len(), "{report}");
    assert_eq!(refs, expected_refs(tags, refs.len()));

    let (_, human, _) = run(&["scan", "--history", "."], fx.path());
    assert!(human.contains(&format!("and {omitted} more")), "{human}");
}

#[test]
fn range_refs_are_ranked_and_counted_too() {
    let fx = Fixture::new();
    let (branches, tags, base) = repo_with_many_refs(&fx);
    let range = format!("{base}..HEAD");
    let (code, report) = run_json(&["scan", "--range", &range, "."], fx.path());
    assert_eq!(code, 1, "{report}");
    let (refs, omitted) = refs_of(&report);
    assert_eq!(omitted, branches + tags - refs.len(), "{report}");
    assert_eq!(refs, expected_refs(tags, refs.len()));
}

/// Short passwords (4 to 8 characters), each in its own file.
fn short_password_fixture() -> (Fixture, Vec<String>) {
    let fx = Fixture::new();
    let full = "Zq8!mLwK";
    let secrets: Vec<String> = (4..=full.len()).map(|n| full[..n].to_string()).collect();
    for (i, s) in secrets.iter().enumerate() {
        fx.write(&format!("svc{i}/app.env"), format!("DB_PASSWORD={s}\n"));
    }
    (fx, secrets)
}

/// Every run of two or more characters of `secret`.
fn runs_of(secret: &str) -> Vec<String> {
    let chars: Vec<char> = secret.chars().collect();
    let mut out = Vec::new();
    for len in 2..=chars.len() {
        for w in chars.windows(len) {
            out.push(w.iter().collect());
        }
    }
    out
}

#[test]
fn secrets_of_eight_characters_or_fewer_show_nothing_of_themselves_in_any_format() {
    let (fx, secrets) = short_password_fixture();
    let (code, report) = run_json(&["scan", ".", "--confidence", "low"], fx.path());
    assert_eq!(code, 1, "{report}");
    let all = findings(&report);
    assert_eq!(all.len(), secrets.len(), "{report}");
    for f in &all {
        // Nothing but the ellipsis: not a character of the secret, not even its length.
        assert_eq!(f["redacted"].as_str(), Some("…"), "{f}");
    }
    let (_, sarif, _) = run(
        &["scan", ".", "--confidence", "low", "-f", "sarif"],
        fx.path(),
    );
    let sarif_json: serde_json::Value = serde_json::from_str(&sarif).expect("SARIF is JSON");
    let results = sarif_json["runs"][0]["results"]
        .as_array()
        .expect("results");
    assert_eq!(results.len(), secrets.len());
    for r in results {
        assert_eq!(r["properties"]["redacted"].as_str(), Some("…"), "{r}");
    }
    let (_, human, _) = run(&["scan", ".", "--confidence", "low"], fx.path());
    let json_text = serde_json::to_string(&report).unwrap();
    for s in &secrets {
        for run in runs_of(s) {
            for (name, text) in [("json", &json_text), ("sarif", &sarif), ("human", &human)] {
                assert!(
                    !text.contains(&run),
                    "{name} shows `{run}` of a secret:\n{text}"
                );
            }
        }
    }
}

/// A directory with one generic password; returns the fixture.
fn password_fixture() -> Fixture {
    let fx = Fixture::new();
    fx.write("app.env", "DB_PASSWORD=Vq7xPz2kLm9!\n");
    fx
}

/// (secret, secret_sha256, fingerprint, scan.secret_hash) of the one finding, with `env` set.
fn digest_run(fx: &Fixture, env: &[(&str, &str)]) -> (String, String, String, String) {
    let mut cmd = keytrace();
    cmd.args(["scan", ".", "--no-redact", "-f", "json"])
        .current_dir(fx.path());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("keytrace runs");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let all = findings(&report);
    assert_eq!(all.len(), 1, "{report}");
    let f = &all[0];
    let s = |v: &serde_json::Value| v.as_str().expect("string").to_string();
    (
        s(&f["secret"]),
        s(&f["secret_sha256"]),
        s(&f["fingerprint"]),
        s(&report["scan"]["secret_hash"]),
    )
}

fn plain_sha256(secret: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(secret.as_bytes()))
}

#[test]
fn secret_digest_is_keyed_by_default_by_the_org_key_when_set_and_plain_only_on_request() {
    let fx = password_fixture();
    let (secret, default, default_fp, scheme) = digest_run(&fx, &[]);
    assert_eq!(scheme, "hmac-sha256");
    assert_eq!(default.len(), 64);
    assert_ne!(
        default,
        plain_sha256(&secret),
        "the default is not a plain SHA-256"
    );

    let key = [("KEYTRACE_HASH_KEY", "org-key-Rk2v9Lq7Zt")];
    let (_, keyed, keyed_fp, scheme) = digest_run(&fx, &key);
    assert_eq!(scheme, "hmac-sha256:org");
    assert_ne!(keyed, default);
    assert_ne!(keyed, plain_sha256(&secret));
    assert_ne!(keyed_fp, default_fp, "fingerprints follow the digest");
    assert_eq!(digest_run(&fx, &key).1, keyed, "stable across runs");
    let other = [("KEYTRACE_HASH_KEY", "another-org-key-8fQ")];
    assert_ne!(digest_run(&fx, &other).1, keyed);

    let (_, plain, _, scheme) = digest_run(&fx, &[("KEYTRACE_HASH", "sha256")]);
    assert_eq!(scheme, "sha256");
    assert_eq!(plain, plain_sha256(&secret));
}

#[test]
fn the_digest_key_never_appears_in_any_output() {
    let fx = password_fixture();
    let key = "OrgDigestKey-Zx81Qm";
    let mut runs: Vec<Vec<&str>> = ["human", "json", "jsonl", "sarif"]
        .iter()
        .map(|f| vec!["scan", ".", "--no-redact", "--show-suppressed", "-f", f])
        .collect();
    runs.push(vec!["baseline", "create", ".", "-o", "-"]);
    for args in runs {
        for env in [
            vec![("KEYTRACE_HASH_KEY", key)],
            // A conflicting setting fails: its message must not quote the key either.
            vec![("KEYTRACE_HASH_KEY", key), ("KEYTRACE_HASH", "sha256")],
            // Nor a key put into the scheme's variable by mistake.
            vec![("KEYTRACE_HASH", key)],
        ] {
            let mut cmd = keytrace();
            cmd.args(&args).current_dir(fx.path());
            for (k, v) in &env {
                cmd.env(k, v);
            }
            let out = cmd.output().expect("keytrace runs");
            for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
                let text = String::from_utf8_lossy(bytes);
                assert!(
                    !text.contains(key),
                    "{args:?} {env:?}: {name} shows the key:\n{text}"
                );
            }
            if env.len() == 2 {
                assert_eq!(out.status.code(), Some(2), "{args:?}");
            }
        }
    }
}

/// Test-URL credentials and example tokens of standards, as test suites and docs write them.
const PLACEHOLDER_LINES: &[&str] = &[
    r#"PROXY = "http://user:pass@host""#,
    r#"URL = "https://username:password@example.com""#,
    "DATABASE_URL=postgres://user:password@localhost/db",
    "DATABASE_URL=postgresql://postgres:mysecretpassword@localhost:5432/postgres",
    "REDIS_URL=redis://:password123@localhost:6379/0",
    r#"r = get("http://user:pass%23pass@complex.url.com/path?query=yes")"#,
    r#"proxies = {"https": "http://john.doe:hunter2@proxy.corp.acme.io:3128"}"#,
    // RFC 6750 §2.1.
    "Authorization: Bearer mF_9.B5f-4.1JqM",
    // RFC 6749 §4.1.4 and §5.1.
    r#"access_token = "2YotnFZFEjr1zCsicMWpAA""#,
    r#"refresh_token = "tGzv3JOkF0XG5Qx2TlKWIA""#,
    r#"{"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"example","refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA"}"#,
    // RFC 7519 §3.1.
    "Authorization: Bearer eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
];

#[test]
fn test_url_credentials_and_rfc_example_tokens_are_placeholders() {
    let fx = Fixture::new();
    // In an ordinary source file and a config file, not a test directory: the values alone
    // must give them away.
    let body = PLACEHOLDER_LINES.join("\n") + "\n";
    fx.write("src/client.py", &body);
    fx.write("config/app.env", &body);
    let (code, report) = run_json(&["scan", ".", "--confidence", "low"], fx.path());
    assert_eq!(code, 0, "{report}");
    assert!(findings(&report).is_empty(), "{report}");
}

#[test]
fn real_looking_url_credentials_are_still_found() {
    let fx = Fixture::new();
    let lines = [
        // Random passwords, real hosts.
        "DATABASE_URL=postgres://app_user:fE_38qBQnXm4Hr5n+ZGM@db.internal.acme.io:5432/orders",
        "REPO=https://deploy:Vq7xPz2kLm9x@nexus.acme.io/repository/releases",
        // A random password is not a placeholder on localhost either.
        "DATABASE_URL=postgres://app:Tz4wq8Lm1xQ@localhost:5432/app",
        // A placeholder user does not excuse a random password.
        "REDIS_URL=redis://user:DpIQaC=cCIrf4YW;T,iG@cache-7f3a.upstash.io:6380",
    ];
    fx.write("deploy/prod.env", lines.join("\n") + "\n");
    let (code, report) = run_json(&["scan", ".", "--no-redact"], fx.path());
    assert_eq!(code, 1, "{report}");
    let all = findings(&report);
    for (i, line) in lines.iter().enumerate() {
        let f = all
            .iter()
            .find(|f| f["location"]["start_line"].as_u64() == Some(i as u64 + 1))
            .unwrap_or_else(|| panic!("no finding for `{line}`: {report}"));
        let secret = f["secret"].as_str().expect("secret");
        assert!(line.contains(&format!(":{secret}@")), "{line}: {f}");
        let severity = f["severity"].as_str().unwrap();
        assert!(matches!(severity, "high" | "critical"), "{line}: {f}");
    }
}

#[test]
fn merged_reports_say_whether_their_shards_share_one_digest_scheme() {
    let fx = password_fixture();
    let shard = |name: &str, env: &[(&str, &str)]| {
        let mut cmd = keytrace();
        cmd.args(["scan", ".", "-f", "json", "-o", name])
            .current_dir(fx.path());
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("keytrace runs");
    };
    shard("a.json", &[]);
    shard("b.json", &[]);
    shard("c.json", &[("KEYTRACE_HASH_KEY", "org-key-Rk2v9Lq7Zt")]);
    let merged = |files: &[&str]| {
        let mut args = vec!["merge"];
        args.extend(files);
        let (_, report) = run_json(&args, fx.path());
        report["scan"]["secret_hash"].clone()
    };
    assert_eq!(merged(&["a.json", "b.json"]), "hmac-sha256");
    assert_eq!(merged(&["a.json", "c.json"]), "mixed");
}

/// The first example of the embedded `private-key-rsa` rule: a PEM block.
fn rsa_example() -> String {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/rules/private-key.toml"
    ))
    .expect("rule file");
    let doc: toml::Table = toml::from_str(&text).expect("rule file parses");
    let rule = doc["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"].as_str() == Some("private-key-rsa"))
        .expect("rule");
    rule["examples"][0].as_str().unwrap().trim().to_string()
}

#[test]
fn one_pem_key_has_one_digest_however_it_is_laid_out() {
    let fx = Fixture::new();
    let pem = rsa_example();
    assert!(pem.starts_with("-----BEGIN RSA PRIVATE KEY-----"), "{pem}");
    fx.write("tls/server.key", format!("{pem}\n"));
    let escaped = pem.replace('\n', "\\n");
    fx.write(
        "deploy/values.json",
        format!("{{\"tls_key\": \"{escaped}\"}}\n"),
    );
    let indented: String = pem.lines().map(|l| format!("    {l}\n")).collect();
    fx.write("deploy/secret.yaml", format!("tls:\n  key: |\n{indented}"));
    let (code, report) = run_json(&["scan", "."], fx.path());
    assert_eq!(code, 1, "{report}");
    let digests: Vec<String> = findings(&report)
        .iter()
        .filter(|f| f["rule_id"] == "private-key-rsa")
        .map(|f| f["secret_sha256"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(digests.len(), 3, "{report}");
    assert!(digests.iter().all(|d| *d == digests[0]), "{digests:?}");
}

/// The SARIF run says which digest scheme `secret_sha256` uses (never the key), so a consumer
/// of the uploaded file knows whether two runs' digests can be compared.
#[test]
fn sarif_records_the_digest_scheme() {
    let fx = password_fixture();
    for (env, want) in [
        (None, "hmac-sha256"),
        (
            Some(("KEYTRACE_HASH_KEY", "org-key-Qw3Lx9")),
            "hmac-sha256:org",
        ),
        (Some(("KEYTRACE_HASH", "sha256")), "sha256"),
    ] {
        let mut cmd = keytrace();
        cmd.args(["scan", ".", "-f", "sarif"])
            .current_dir(fx.path());
        if let Some((k, v)) = env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("keytrace runs");
        let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF");
        assert_eq!(sarif["runs"][0]["properties"]["secret_hash"], want);
        assert!(!String::from_utf8_lossy(&out.stdout).contains("org-key-Qw3Lx9"));
    }
}
