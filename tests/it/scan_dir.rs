//! Directory scans end to end: detection, noise control, coverage and bad input.

use super::common::{Fixture, findings, github_token, run, run_json};

fn ids(report: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = findings(report).iter().map(|f| f["rule_id"].as_str().unwrap().to_string()).collect();
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
    let unreadable = report["coverage"]["skipped"]["unreadable"].as_u64().unwrap_or(0);
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
