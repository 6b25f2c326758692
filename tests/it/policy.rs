//! keytrace.toml (allowlists, policy as code), inline ignores, baselines and exit codes.

use super::common::{Fixture, acme_rules, acme_token, findings, run, run_json};

fn scan(fx: &Fixture, extra: &[&str]) -> (i32, serde_json::Value) {
    let rules = acme_rules(fx);
    let mut args = vec!["scan", ".", "--rules", &rules];
    args.extend(extra);
    run_json(&args, fx.path())
}

fn acme(report: &serde_json::Value, key: &str) -> Vec<serde_json::Value> {
    report[key]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "acme-api-key")
        .cloned()
        .collect()
}

#[test]
fn inline_allow_comment_suppresses_that_line_only() {
    let fx = Fixture::new();
    fx.write(
        "a.py",
        format!(
            "A = '{}'  # keytrace:allow\nB = '{}'\n",
            acme_token(1),
            acme_token(2)
        ),
    );
    let (code, report) = scan(&fx, &["--show-suppressed"]);
    assert_eq!(code, 1);
    assert_eq!(acme(&report, "findings").len(), 1);
    let sup = acme(&report, "suppressed");
    assert_eq!(sup.len(), 1);
    assert_eq!(sup[0]["location"]["start_line"], 1);
    assert_eq!(sup[0]["suppressed_by"], "inline:keytrace:allow");
    assert_eq!(report["summary"]["suppressed"], 1);
}

#[test]
fn allowlist_paths_rules_secrets_and_stopwords() {
    let fx = Fixture::new();
    fx.write("tests/fixtures/a.env", format!("A={}\n", acme_token(3)));
    fx.write("src/b.env", format!("B={}\n", acme_token(4)));
    fx.write("src/c.env", format!("C={}\n", acme_token(5)));
    let c_secret = acme_token(5);
    fx.write(
        "keytrace.toml",
        format!("[allowlist]\npaths = [\"tests/fixtures/**\"]\nsecrets = [\"^{c_secret}$\"]\n"),
    );
    let (_, report) = scan(&fx, &["--show-suppressed"]);
    let kept = acme(&report, "findings");
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["location"]["path"], "src/b.env");
    let mut reasons: Vec<String> = acme(&report, "suppressed")
        .iter()
        .filter(|f| f["location"]["path"] != "keytrace.toml")
        .map(|f| f["suppressed_by"].as_str().unwrap().to_string())
        .collect();
    reasons.sort();
    assert_eq!(reasons.len(), 2);
    assert_eq!(reasons[0], "allowlist:path");
    assert!(reasons[1].starts_with("allowlist:secret:"));

    fx.write(
        "keytrace.toml",
        "[[allowlist.rule]]\nid = \"acme-*\"\nstopwords = [\"src/\"]\npaths = [\"src/**\"]\n",
    );
    let (code, report) = scan(&fx, &[]);
    assert_eq!(
        acme(&report, "findings").len(),
        1,
        "only the fixture is left"
    );
    assert_eq!(code, 1);
}

#[test]
fn unknown_config_key_is_an_error_with_file_and_line() {
    let fx = Fixture::new();
    fx.write(
        "keytrace.toml",
        "[allowlist]\npaths = []\n\n[allowlist.extra]\nx = 1\n",
    );
    let rules = acme_rules(&fx);
    let (code, _, stderr) = run(&["scan", ".", "--rules", &rules], fx.path());
    assert_eq!(code, 2);
    assert!(stderr.contains("keytrace.toml:4"), "{stderr}");
    assert!(stderr.contains("extra"), "{stderr}");
}

#[test]
fn policy_rules_decide_severity_and_failure_and_are_recorded() {
    let fx = Fixture::new();
    fx.write("ci/deploy.env", format!("A={}\n", acme_token(6)));
    fx.write("keytrace.toml", "[[policy]]\nname = \"ci-acme-warns\"\nmatch = { rule = \"acme-*\", path = \"ci/**\" }\nseverity = \"low\"\nfail = false\n");
    let (code, report) = scan(&fx, &[]);
    assert_eq!(code, 0, "the only finding warns");
    let f = &acme(&report, "findings")[0];
    assert_eq!(f["policy"], "ci-acme-warns");
    assert_eq!(f["severity"], "low");
    assert_eq!(f["fails"], false);
}

#[test]
fn default_policy_fails_long_lived_credentials_and_names_itself() {
    let fx = Fixture::new();
    fx.write("a.env", format!("A={}\n", acme_token(7)));
    let (code, report) = scan(&fx, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        acme(&report, "findings")[0]["policy"],
        "default:credentials-fail"
    );
}

#[test]
fn exit_code_and_fail_on_flags() {
    let fx = Fixture::new();
    fx.write("a.env", format!("A={}\n", acme_token(8)));
    let (code, _) = scan(&fx, &["--exit-code", "7"]);
    assert_eq!(code, 7);
    let (code, report) = scan(&fx, &["--fail-on", "critical"]);
    assert_eq!(
        code, 0,
        "a high finding does not fail at --fail-on critical"
    );
    assert_eq!(acme(&report, "findings").len(), 1, "it is still reported");
}

#[test]
fn baseline_survives_line_moves_and_only_new_keys_or_places_fail() {
    let fx = Fixture::new();
    let old = acme_token(9);
    fx.write("app/config.env", format!("KEY={old}\n"));
    let rules = acme_rules(&fx);
    let (code, _, stderr) = run(
        &[
            "baseline",
            "create",
            ".",
            "--rules",
            &rules,
            "-o",
            "base.json",
        ],
        fx.path(),
    );
    assert_eq!(code, 0, "{stderr}");
    let text = std::fs::read_to_string(fx.path().join("base.json")).unwrap();
    assert!(!text.contains(&old), "the baseline never stores the secret");

    // Move the line.
    fx.write("app/config.env", format!("# moved\n\nKEY={old}\n"));
    let (code, report) = scan(&fx, &["--baseline", "base.json"]);
    assert_eq!(code, 0);
    assert!(acme(&report, "findings").is_empty());

    // The same secret at another path is another alert (`keytrace/v2` includes the path).
    fx.write("app/settings.env", format!("KEY={old}\n"));
    let (code, report) = scan(&fx, &["--baseline", "base.json"]);
    assert_eq!(code, 1);
    assert_eq!(
        acme(&report, "findings")[0]["location"]["path"],
        "app/settings.env"
    );
    std::fs::remove_file(fx.path().join("app/settings.env")).unwrap();

    // A new key is reported.
    let new = acme_token(10);
    fx.write("app/new.env", format!("NEW={new}\n"));
    let (code, report) = scan(&fx, &["--baseline", "base.json"]);
    assert_eq!(code, 1);
    let kept = acme(&report, "findings");
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["location"]["path"], "app/new.env");
}

#[test]
fn corrupt_baseline_is_an_error_naming_the_file() {
    let fx = Fixture::new();
    fx.write(
        "b.json",
        "{\n  \"version\": 1,\n  \"findings\": [oops]\n}\n",
    );
    let (code, _, stderr) = run(&["scan", ".", "--baseline", "b.json"], fx.path());
    assert_eq!(code, 2);
    assert!(stderr.contains("b.json:3"), "{stderr}");
}

#[test]
fn sarif_results_carry_policy_and_stable_fingerprints() {
    let fx = Fixture::new();
    fx.write("a.env", format!("A={}\n", acme_token(11)));
    let rules = acme_rules(&fx);
    let (_, first, _) = run(
        &["scan", ".", "--rules", &rules, "--format", "sarif"],
        fx.path(),
    );
    fx.write("a.env", format!("\n\nA={}\n", acme_token(11)));
    let (_, second, _) = run(
        &["scan", ".", "--rules", &rules, "--format", "sarif"],
        fx.path(),
    );
    let fp = |s: &str| {
        let v: serde_json::Value = serde_json::from_str(s).unwrap();
        v["runs"][0]["results"][0]["partialFingerprints"]["keytrace/v2"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(fp(&first), fp(&second));
    let v: serde_json::Value = serde_json::from_str(&second).unwrap();
    assert_eq!(
        v["runs"][0]["results"][0]["properties"]["policy"],
        "default:credentials-fail"
    );
    assert_eq!(
        v["runs"][0]["automationDetails"]["id"],
        "keytrace/directory/"
    );
    let _ = findings;
}
