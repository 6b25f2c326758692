//! Report formats: SARIF validated against the SARIF 2.1.0 schema shipped in tests/data, and
//! insta snapshots pinning the SARIF, JSON and human shapes of a fixed report.

use super::common::{Fixture, acme_rules, acme_token, run};
use keytrace::coverage::CoverageRecord;
use keytrace::finding::{Finding, Location, Properties, SourceKind, location_fingerprint};
use keytrace::report::{Format, RepoInfo, Report, ScanInfo, render};
use keytrace::rules::{Confidence, Severity, parse_rule_file};

fn sarif_schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/sarif-schema-2.1.0.json"
    ))
    .unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).expect("schema compiles")
}

fn assert_valid_sarif(text: &str) {
    let doc: serde_json::Value = serde_json::from_str(text).unwrap();
    let validator = sarif_schema();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF schema violations:\n{}",
        errors.join("\n")
    );
}

#[test]
fn sarif_from_the_binary_validates_against_the_schema() {
    let fx = Fixture::new();
    fx.write("a.env", format!("A={}\n", acme_token(1)));
    fx.write(
        "nested/dir with space/b.yaml",
        format!("b: {}\n", acme_token(2)),
    );
    let rules = acme_rules(&fx);
    let (code, sarif, _) = run(
        &["scan", ".", "--rules", &rules, "--format", "sarif"],
        fx.path(),
    );
    assert_eq!(code, 1);
    assert_valid_sarif(&sarif);
    let doc: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let uris: Vec<&str> = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(
        uris.contains(&"nested/dir%20with%20space/b.yaml"),
        "{uris:?}"
    );
}

#[test]
fn empty_sarif_validates_too() {
    let fx = Fixture::new();
    fx.write("a.txt", "nothing\n");
    let (code, sarif, _) = run(&["scan", ".", "--format", "sarif"], fx.path());
    assert_eq!(code, 0);
    assert_valid_sarif(&sarif);
}

/// A fixed report: one history finding with full attribution.
fn fixed_report() -> (Report, Vec<keytrace::rules::Rule>) {
    let rules = parse_rule_file(
        "acme.toml",
        r#"[[rules]]
id = "acme-api-key"
name = "Acme API key"
provider = "acme"
category = "saas"
keywords = ["acme_"]
pattern = '''(?P<secret>acme_[a-z]+)'''
long_lived = true
severity = "high"
description = "An Acme API key."
remediation = "Revoke it in the Acme console."
"#,
    )
    .unwrap();
    let sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".to_string();
    let finding = Finding {
        rule_id: "acme-api-key".into(),
        rule_name: "Acme API key".into(),
        severity: Severity::High,
        confidence: Confidence::High,
        fails: true,
        location: Location {
            path: "config/app.env".into(),
            start_line: 3,
            start_column: 5,
            end_line: 3,
            end_column: 29,
        },
        fingerprint: location_fingerprint("acme-api-key", &sha, "config/app.env", ""),
        secret: None,
        props: Properties {
            provider: "acme".into(),
            category: "saas".into(),
            long_lived: true,
            redacted: "acme_Q3…dF".into(),
            secret_sha256: sha,
            source: SourceKind::GitHistory,
            commit: Some("1111111111111111111111111111111111111111".into()),
            author_name: Some("Alice".into()),
            author_email: Some("alice@example.com".into()),
            committed_at: Some("2024-01-02T12:00:00Z".into()),
            refs: vec!["main".into()],
            in_head: Some(false),
            owner: Some("@org/platform".into()),
            owner_source: Some("codeowners".into()),
            codeowners: vec!["@org/platform".into(), "@bob".into()],
            policy: Some("default:credentials-fail".into()),
            ..Properties::default()
        },
    };
    let report = Report {
        scan: ScanInfo {
            kind: "git-history".into(),
            targets: vec![".".into()],
            repository: Some(RepoInfo {
                uri: Some("https://example.com/org/app.git".into()),
                revision: Some("2222222222222222222222222222222222222222".into()),
                branch: Some("main".into()),
            }),
            ruleset_hash: "0000".into(),
            secret_hash: None,
        },
        coverage: CoverageRecord {
            blobs_scanned: 10,
            bytes_scanned: 2048,
            ..CoverageRecord::default()
        },
        findings: vec![finding],
        ..Report::default()
    };
    (report, rules)
}

#[test]
fn sarif_shape_snapshot() {
    let (report, rules) = fixed_report();
    let text = render(Format::Sarif, &report, &rules, false, false)
        .replace(env!("CARGO_PKG_VERSION"), "[version]");
    assert_valid_sarif(&text);
    insta::assert_snapshot!("sarif_history_finding", text);
}

#[test]
fn json_shape_snapshot() {
    let (report, rules) = fixed_report();
    let text = render(Format::Json, &report, &rules, false, false)
        .replace(env!("CARGO_PKG_VERSION"), "[version]");
    insta::assert_snapshot!("json_history_finding", text);
}

#[test]
fn human_shape_snapshot() {
    let (report, rules) = fixed_report();
    insta::assert_snapshot!(
        "human_history_finding",
        render(Format::Human, &report, &rules, false, false)
    );
}

#[test]
fn secrets_are_redacted_unless_asked() {
    let fx = Fixture::new();
    let token = acme_token(3);
    fx.write("a.env", format!("A={token}\n"));
    let rules = acme_rules(&fx);
    for format in ["human", "json", "jsonl", "sarif"] {
        let (_, out, _) = run(
            &["scan", ".", "--rules", &rules, "--format", format],
            fx.path(),
        );
        assert!(!out.contains(&token), "{format} leaks the secret");
        let (_, out, _) = run(
            &[
                "scan",
                ".",
                "--rules",
                &rules,
                "--format",
                format,
                "--no-redact",
            ],
            fx.path(),
        );
        assert!(
            out.contains(&token),
            "{format} --no-redact hides the secret"
        );
    }
}

#[test]
fn colour_only_when_asked_and_a_one_line_summary_on_stderr_for_ci() {
    let fx = Fixture::new();
    fx.write("a.env", format!("A={}\n", acme_token(4)));
    let rules = acme_rules(&fx);
    // Piped output (and NO_COLOR, set by the test harness) means plain text.
    let (_, plain, _) = run(&["scan", ".", "--rules", &rules], fx.path());
    assert!(
        !plain.contains('\u{1b}'),
        "piped output must not be coloured"
    );
    let (_, forced, _) = run(
        &["scan", ".", "--rules", &rules, "--color", "always"],
        fx.path(),
    );
    assert!(forced.contains('\u{1b}'), "--color always colours");
    let (code, _, stderr) = run(
        &["scan", ".", "--rules", &rules, "--format", "json"],
        fx.path(),
    );
    assert_eq!(code, 1);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with("keytrace: ") && lines[0].contains("1 high"),
        "{stderr}"
    );
}

/// Run keytrace on a pseudo-terminal (through Python's `pty`, present wherever the tests run)
/// and return what the terminal received.
fn run_on_tty(args: &[&str], cwd: &std::path::Path, no_color: Option<&str>) -> String {
    const SCRIPT: &str = "import os, pty, sys\n\
pid, fd = pty.fork()\n\
if pid == 0:\n    os.execv(sys.argv[1], sys.argv[1:])\n\
out = b''\n\
while True:\n    try:\n        chunk = os.read(fd, 65536)\n    except OSError:\n        break\n    if not chunk:\n        break\n    out += chunk\n\
os.waitpid(pid, 0)\n\
sys.stdout.buffer.write(out)\n";
    let bin = assert_cmd::cargo::cargo_bin("keytrace");
    let mut cmd = std::process::Command::new("python3");
    cmd.arg("-c")
        .arg(SCRIPT)
        .arg(&bin)
        .args(args)
        .current_dir(cwd);
    cmd.env_remove("NO_COLOR");
    if let Some(v) = no_color {
        cmd.env("NO_COLOR", v);
    }
    let out = cmd.output().expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// True when `text` holds an SGR (colour or style) escape sequence.
fn has_sgr(text: &str) -> bool {
    regex::Regex::new(r"\x1b\[[0-9;]*m").unwrap().is_match(text)
}

#[test]
fn a_terminal_gets_colour_unless_no_color_is_set() {
    let fx = Fixture::new();
    fx.write("a.env", format!("A={}\n", acme_token(5)));
    let rules = acme_rules(&fx);
    let args = ["scan", ".", "--rules", &rules, "--no-progress"];
    let coloured = run_on_tty(&args, fx.path(), None);
    assert!(coloured.contains("acme-api-key"), "{coloured}");
    assert!(has_sgr(&coloured), "a terminal gets colour: {coloured:?}");
    let plain = run_on_tty(&args, fx.path(), Some("1"));
    assert!(plain.contains("acme-api-key"), "{plain}");
    assert!(!has_sgr(&plain), "NO_COLOR=1 turns colour off: {plain:?}");
    // The convention: an empty NO_COLOR does not count.
    let empty = run_on_tty(&args, fx.path(), Some(""));
    assert!(has_sgr(&empty), "an empty NO_COLOR is ignored: {empty:?}");
}
