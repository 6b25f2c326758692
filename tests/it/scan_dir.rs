//! Directory scans end to end: detection, noise control, coverage and bad input.

use super::common::{Fixture, findings, github_token, run, run_json};

fn ids(report: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = findings(report)
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn missing_path_is_an_error_not_an_empty_report() {
    let fx = Fixture::new();
    let (code, stdout, stderr) = run(&["scan", "does/not/exist"], fx.path());
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("does/not/exist"), "{stderr}");
}

#[test]
fn empty_directory_is_clean_and_says_what_it_covered() {
    let fx = Fixture::new();
    fx.write("README.md", "nothing to see\n");
    let (code, report) = run_json(&["scan", "."], fx.path());
    assert_eq!(code, 0);
    assert_eq!(report["coverage"]["blobs_scanned"], 1);
    assert!(findings(&report).is_empty());
}

#[test]
fn binary_large_and_non_utf8_files_are_skipped_or_counted() {
    let fx = Fixture::new();
    fx.write("bin.dat", b"\x00\x01\x02ghp_abc");
    fx.write("big.txt", vec![b'a'; 4096]);
    fx.write("latin1.txt", b"caf\xe9 = 1\n");
    let (code, report) = run_json(&["scan", ".", "--max-file-size", "1K"], fx.path());
    assert_eq!(code, 0);
    let cov = &report["coverage"];
    assert_eq!(cov["skipped"]["binary"], 1);
    assert_eq!(cov["skipped"]["too-large"], 1);
    assert_eq!(cov["non_utf8_scanned_as_bytes"], 1);
    assert_eq!(cov["blobs_scanned"], 1);
}

#[cfg(unix)]
#[test]
fn unreadable_file_and_broken_symlink_do_not_stop_the_scan() {
    use std::os::unix::fs::PermissionsExt;
    let fx = Fixture::new();
    let p = fx.write("secret.env", "x=1\n");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::os::unix::fs::symlink(fx.path().join("nowhere"), fx.path().join("dangling")).unwrap();
    fx.write("ok.txt", "fine\n");
    let (code, report) = run_json(&["scan", "."], fx.path());
    assert_eq!(code, 0);
    assert_eq!(report["coverage"]["skipped"]["symlink"], 1);
    // root can read mode-000 files; only assert the count when it could not.
    let scanned = report["coverage"]["blobs_scanned"].as_u64().unwrap();
    let unreadable = report["coverage"]["skipped"]["unreadable"]
        .as_u64()
        .unwrap_or(0);
    assert_eq!(scanned + unreadable, 2);
}

#[test]
fn stdin_is_scanned_with_dash() {
    let fx = Fixture::new();
    let token = github_token("ghp_", "Qm3Zr8TnVb2Lx9KcWp4Hs7Jd1Fg6Ya");
    let out = super::common::keytrace()
        .args(["scan", "-", "--format", "json"])
        .write_stdin(format!("token: {token}\n"))
        .current_dir(fx.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ids(&report), vec!["github-classic-pat"]);
    assert_eq!(findings(&report)[0]["location"]["path"], "-");
}

/// Issue 2's acceptance case: each kind of key reported once with the right rule id and 1-based
/// positions; references, documented examples and checksum-invalid tokens reported not at all.
#[test]
fn each_key_reported_once_with_rule_and_position_and_noise_stays_silent() {
    let fx = Fixture::new();
    let openai = format!(
        "sk-proj-{}T3BlbkFJ{}",
        "Ab3kQ9vLx2RmT7pWz4Nc8sYhJ1fG5dKe0u", "VbXq6tLr2Mw9fZp4Hs7Jd1Fg6YaQm3Zr8Tn"
    );
    let anthropic = format!(
        "sk-ant-api03-{}AA",
        "Xq7Lm2Rv9Tn4Wp8Kc3Hs6Jd1Fg5Yb0Zx"
            .repeat(3)
            .chars()
            .take(93)
            .collect::<String>()
    );
    let ghp = github_token("ghp_", "Qm3Zr8TnVb2Lx9KcWp4Hs7Jd1Fg6Ya");
    let mut broken = ghp.clone();
    broken.replace_range(
        broken.len() - 1..,
        if ghp.ends_with('A') { "B" } else { "A" },
    );
    fx.write(
        "app/.env",
        format!("OPENAI_API_KEY={openai}\nANTHROPIC_API_KEY=\"{anthropic}\"\n"),
    );
    fx.write("deploy.sh", "export AWS_ACCESS_KEY_ID=AKIAZ2QKXMRV7TXB5GNE\nexport AWS_SECRET_ACCESS_KEY=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\n");
    fx.write("ci.yml", format!("token: {ghp}\n"));
    let body: String = (0..12)
        .map(|i| {
            format!("MIIEowIBAAKCAQEAq{i}Zr8TnVb2Lx9KcWp4Hs7Jd1Fg6YaQm3Zr8TnVb2Lx9KcWp4Hs7Jd1\n")
        })
        .collect();
    fx.write(
        "keys/id_rsa",
        format!("-----BEGIN RSA PRIVATE KEY-----\n{body}-----END RSA PRIVATE KEY-----\n"),
    );
    fx.write(
        "noise.yml",
        format!("env:\n  OPENAI_API_KEY: ${{{{ secrets.OPENAI_API_KEY }}}}\n  AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE\n  GH: {broken}\n"),
    );
    let (code, stdout, _) = run(
        &["scan", ".", "--format", "sarif", "-o", "out.sarif"],
        fx.path(),
    );
    assert_eq!(code, 1, "{stdout}");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fx.path().join("out.sarif")).unwrap())
            .unwrap();
    let mut got: Vec<(String, String, i64, i64)> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let loc = &r["locations"][0]["physicalLocation"];
            (
                r["ruleId"].as_str().unwrap().to_string(),
                loc["artifactLocation"]["uri"].as_str().unwrap().to_string(),
                loc["region"]["startLine"].as_i64().unwrap(),
                loc["region"]["startColumn"].as_i64().unwrap(),
            )
        })
        .collect();
    got.sort();
    let want = vec![
        (
            "anthropic-api-key".to_string(),
            "app/.env".to_string(),
            2,
            20,
        ),
        ("aws-access-key-id".into(), "deploy.sh".into(), 1, 26),
        ("aws-secret-access-key".into(), "deploy.sh".into(), 2, 30),
        ("github-classic-pat".into(), "ci.yml".into(), 1, 8),
        ("openai-project-api-key".into(), "app/.env".into(), 1, 16),
        ("private-key-rsa".into(), "keys/id_rsa".into(), 1, 1),
    ];
    assert_eq!(got, want);
}
