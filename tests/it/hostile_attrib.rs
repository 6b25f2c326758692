//! Issue 13, attribution and policy: hostile identity bytes, CODEOWNERS, keytrace.toml, rule
//! files and baselines never panic, never flood the terminal, and every error is one line that
//! names the file (and line).

use super::common::{Fixture, acme_rules, acme_token, findings, run, run_json};

/// An AWS access key id the embedded rules report.
const AWS_KEY: &str = "AKIAY34FZKBOKMUTVV7A";

/// Assert a usage error: exit 2 and exactly one stderr line, naming `file` with a line number.
fn assert_one_line_error(code: i32, stderr: &str, file: &str) {
    assert_eq!(code, 2, "stderr: {stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line expected, got: {stderr}");
    let line = lines[0];
    assert!(line.starts_with("keytrace: error: "), "{line}");
    let at = line
        .find(&format!("{file}:"))
        .unwrap_or_else(|| panic!("`{file}:` not in {line}"));
    let after = &line[at + file.len() + 1..];
    let number: String = after.chars().take_while(char::is_ascii_digit).collect();
    assert!(
        !number.is_empty() && number != "0" && after[number.len()..].starts_with(": "),
        "no real line number after the file: {line}"
    );
    assert!(line.len() < 500, "{} bytes of error", line.len());
}

#[test]
fn identity_decoding_of_invalid_utf8_does_not_panic_or_print_the_secret() {
    let fx = Fixture::new();
    fx.write("a.txt", b"postgres://:Sup\xb3sup3rrS3c\x8a3t@N");
    let (code, stdout, stderr) = run(&["scan", "a.txt", "--format", "json"], fx.path());
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");
    // A caught panic would be an internal error: the blob counted as skipped, not scanned.
    assert!(
        !stderr.contains("panicked") && !stderr.contains("internal"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("sup3rr") && !stdout.contains("sup3rr"),
        "{stderr}{stdout}"
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["coverage"]["blobs_scanned"], 1, "{report}");
    let skipped = report["coverage"]["skipped"].as_object().unwrap();
    assert!(skipped.values().all(|n| n == 0), "{skipped:?}");
}

#[test]
fn a_600_kb_codeowners_pattern_is_skipped_with_a_short_note() {
    let fx = Fixture::new();
    let long = format!("{}*{}", "a".repeat(300_000), "b".repeat(300_000));
    fx.write(".github/CODEOWNERS", format!("{long} @x\n* @everyone\n"));
    fx.write("k.env", format!("AWS_ACCESS_KEY_ID={AWS_KEY}\n"));
    let (code, stdout, stderr) = run(&["scan", ".", "--format", "json"], fx.path());
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.len() < 1000, "{} bytes on stderr", stderr.len());
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let f = findings(&report);
    assert_eq!(f[0]["owner"], "@everyone");
    let notes = report["coverage"]["notes"].as_array().unwrap();
    let note = notes
        .iter()
        .filter_map(|n| n.as_str())
        .find(|n| n.contains("CODEOWNERS:1:"))
        .unwrap_or_else(|| panic!("no CODEOWNERS note: {notes:?}"));
    assert!(note.contains("longer than 4096 bytes"), "{note}");
    assert!(note.len() < 300, "{note}");
}

#[test]
fn a_codeowners_file_of_3_mb_is_ignored_like_github_does() {
    let fx = Fixture::new();
    let line = "/k.env @big-file-owner\n";
    fx.write("CODEOWNERS", line.repeat(3 * 1024 * 1024 / line.len() + 1));
    fx.write("k.env", format!("AWS_ACCESS_KEY_ID={AWS_KEY}\n"));
    let (code, report) = run_json(&["scan", "."], fx.path());
    assert_eq!(code, 1);
    let f = findings(&report);
    assert_eq!(f[0]["owner_source"], "none");
    let notes = report["coverage"]["notes"].to_string();
    assert!(notes.contains("3 MB"), "{notes}");
}

#[test]
fn a_huge_owners_rule_glob_is_a_one_line_error() {
    let fx = Fixture::new();
    let long = "a*".repeat(300_000);
    fx.write(
        "keytrace.toml",
        format!("\n[[owners.rule]]\nmatch = {{ path = \"{long}\" }}\nowners = [\"@a\"]\n"),
    );
    fx.write("k.env", format!("AWS_ACCESS_KEY_ID={AWS_KEY}\n"));
    let (code, _, stderr) = run(&["scan", "."], fx.path());
    assert_one_line_error(code, &stderr, "keytrace.toml");
    assert!(stderr.contains("longer than 4096 bytes"), "{stderr}");
}

#[test]
fn a_100_kb_allowlist_glob_and_a_huge_regex_are_one_line_errors() {
    let fx = Fixture::new();
    fx.write("k.env", format!("AWS_ACCESS_KEY_ID={AWS_KEY}\n"));
    let glob = "*a".repeat(50_000);
    let config = fx.write(
        "conf/glob.toml",
        format!("[allowlist]\n\npaths = [\"{glob}\"]\n"),
    );
    let started = std::time::Instant::now();
    let (code, _, stderr) = run(
        &["scan", "k.env", "--config", config.to_str().unwrap()],
        fx.path(),
    );
    assert_one_line_error(code, &stderr, "glob.toml");
    assert!(stderr.contains("glob.toml:3: "), "{stderr}");
    assert!(started.elapsed().as_secs() < 30);
    let regex = "(a{1000}){1000}".repeat(10);
    let config = fx.write(
        "conf/regex.toml",
        format!("[allowlist]\nsecrets = [\"{regex}\"]\n"),
    );
    let (code, _, stderr) = run(
        &["scan", "k.env", "--config", config.to_str().unwrap()],
        fx.path(),
    );
    assert_one_line_error(code, &stderr, "regex.toml");
    assert!(stderr.contains("size limit"), "{stderr}");
}

#[test]
fn an_allowlist_that_matches_everything_warns_at_load_and_apply() {
    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    fx.write(
        "a.env",
        format!("A={}\nB={}\n", acme_token(1), acme_token(2)),
    );
    fx.write("keytrace.toml", "[allowlist]\npaths = [\"**\"]\n");
    let (code, _, stderr) = run(&["scan", ".", "--rules", &rules], fx.path());
    assert_eq!(code, 0, "{stderr}");
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("keytrace: warning: "))
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("keytrace.toml: allowlist path `**` matches every path")),
        "{stderr}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("the allowlist suppressed all") && w.contains("findings")),
        "{stderr}"
    );
}

#[test]
fn a_policy_that_never_fails_warns() {
    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    fx.write(
        "a.env",
        format!("A={}\nB={}\n", acme_token(1), acme_token(2)),
    );
    fx.write(
        "keytrace.toml",
        "[[policy]]\nname = \"hush\"\nfail = false\n",
    );
    let (code, _, stderr) = run(&["scan", ".", "--rules", &rules], fx.path());
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("keytrace: warning: ./keytrace.toml: policy `hush` matches every finding")
            || stderr.contains("keytrace.toml: policy `hush` matches every finding"),
        "{stderr}"
    );
    assert!(stderr.contains("from failing the run"), "{stderr}");
}

#[test]
fn an_ordinary_allowlist_does_not_warn() {
    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    fx.write("src/a.env", format!("A={}\n", acme_token(1)));
    fx.write("tests/fixtures/b.env", format!("B={}\n", acme_token(2)));
    fx.write(
        "keytrace.toml",
        "[allowlist]\npaths = [\"tests/fixtures/**\"]\n",
    );
    let (code, _, stderr) = run(&["scan", ".", "--rules", &rules], fx.path());
    assert_eq!(code, 1, "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
}

/// One rule file, `acme-api-key`, with `pattern` as its pattern.
fn rule_file(id: &str, pattern: &str) -> String {
    format!(
        r#"[[rules]]
id = "{id}"
name = "Acme API key"
provider = "acme"
category = "saas"
keywords = ["acme_"]
pattern = '''{pattern}'''
long_lived = true
severity = "high"
description = "An Acme API key."
remediation = "Revoke it."
"#
    )
}

#[test]
fn bad_rule_files_are_one_line_errors_naming_file_and_line() {
    let fx = Fixture::new();
    fx.write("t.txt", "nothing\n");
    let cases: [(&str, Vec<u8>); 4] = [
        (
            "unclosed.toml",
            format!("\n{}", rule_file("acme-a", r"(?P<secret>acme_(")).into_bytes(),
        ),
        (
            "too-big.toml",
            rule_file("acme-b", r"(?P<secret>acme_)(a{1000}){1000}").into_bytes(),
        ),
        (
            "duplicate.toml",
            rule_file("aws-access-key-id", r"(?P<secret>acme_x)").into_bytes(),
        ),
        (
            "not-utf8.toml",
            [
                b"# \xff\n".as_slice(),
                rule_file("acme-c", "(?P<secret>x)").as_bytes(),
            ]
            .concat(),
        ),
    ];
    for (name, contents) in cases {
        let dir = fx.path().join(format!("rules-{name}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), contents).unwrap();
        let (code, _, stderr) = run(
            &["scan", "t.txt", "--rules", dir.to_str().unwrap()],
            fx.path(),
        );
        assert_one_line_error(code, &stderr, name);
        assert!(
            !stderr.contains("rule `") || !stderr.contains("`:0:"),
            "{stderr}"
        );
    }
}

#[test]
fn duplicate_ids_across_user_files_name_both_places() {
    let fx = Fixture::new();
    fx.write("t.txt", "nothing\n");
    fx.write("rules/a.toml", rule_file("acme-dup", "(?P<secret>acme_x)"));
    fx.write(
        "rules/b.toml",
        format!("# two\n\n{}", rule_file("acme-dup", "(?P<secret>acme_y)")),
    );
    let (code, _, stderr) = run(&["scan", "t.txt", "--rules", "rules"], fx.path());
    assert_one_line_error(code, &stderr, "b.toml");
    assert!(
        stderr.contains("b.toml:3: rule `acme-dup`: duplicate rule id"),
        "{stderr}"
    );
    assert!(stderr.contains("a.toml:1"), "{stderr}");
}

#[test]
fn bad_config_files_are_one_line_errors_naming_file_and_line() {
    let fx = Fixture::new();
    fx.write("t.txt", "nothing\n");
    let deep = format!("a = {}", "[".repeat(100_000));
    let cases: [(&str, Vec<u8>); 6] = [
        (
            "regex.toml",
            b"[allowlist]\n\nsecrets = [\"(unclosed\"]\n".to_vec(),
        ),
        (
            "glob.toml",
            b"[allowlist]\npaths = [\n  \"ok\",\n  \"a/[b\",\n]\n".to_vec(),
        ),
        (
            "policy.toml",
            b"[[policy]]\nname = \"p\"\nmatch = { path = \"[\" }\n".to_vec(),
        ),
        ("utf8.toml", b"[allowlist]\npaths = [\"\xff\"]\n".to_vec()),
        ("deep.toml", deep.into_bytes()),
        ("unknown.toml", b"[allowlist]\nbogus = 1\n".to_vec()),
    ];
    for (name, contents) in cases {
        let path = fx.write(&format!("conf/{name}"), contents);
        let (code, _, stderr) = run(
            &["scan", "t.txt", "--config", path.to_str().unwrap()],
            fx.path(),
        );
        assert_one_line_error(code, &stderr, name);
    }
}

#[test]
fn bad_baselines_are_one_line_errors_naming_file_and_line() {
    let fx = Fixture::new();
    fx.write("t.txt", "nothing\n");
    let long = format!(
        r#"{{"version": 1, "findings": [{{"fingerprint": {}}}]}}"#,
        "9".repeat(100_000)
    );
    let cases: [(&str, Vec<u8>); 5] = [
        (
            "type.json",
            b"{\n\"version\": 1,\n\"findings\": [{\"fingerprint\": 1}]\n}".to_vec(),
        ),
        (
            "version.json",
            br#"{"version": 7, "findings": []}"#.to_vec(),
        ),
        (
            "utf8.json",
            b"{\"version\": 1,\n\"findings\": [\"\xff\"]}".to_vec(),
        ),
        ("deep.json", "[".repeat(100_000).into_bytes()),
        ("long.json", long.into_bytes()),
    ];
    for (name, contents) in cases {
        let path = fx.write(&format!("base/{name}"), contents);
        let (code, _, stderr) = run(
            &["scan", "t.txt", "--baseline", path.to_str().unwrap()],
            fx.path(),
        );
        assert_one_line_error(code, &stderr, name);
    }
}
