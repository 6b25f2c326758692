//! Risk scores (docs/risk.md): every format carries `risk`, reports put the riskiest finding
//! first, and `--fail-on risk:N` fails only on findings scoring N or more.

use super::common::{Fixture, acme_rules, acme_token, findings, run, run_json};
use serde_json::Value;

/// `a.env` holds a key nobody consumes; `z.env` one that `app.py` reads. Both are Acme keys
/// (long-lived, high): 25 + 5 + 10 (on disk) = 40, plus 2 per consumer for `z.env`.
fn fixture() -> (Fixture, String) {
    let fx = Fixture::new();
    fx.write("a.env", format!("ACME_SPARE_KEY={}\n", acme_token(21)));
    fx.write("z.env", format!("ACME_API_KEY={}\n", acme_token(22)));
    fx.write("app.py", "import os\nos.environ['ACME_API_KEY']\n");
    let rules = acme_rules(&fx);
    (fx, rules)
}

fn path(f: &Value) -> &str {
    f["location"]["path"].as_str().unwrap()
}

#[test]
fn reports_carry_the_score_and_put_the_riskiest_first() {
    let (fx, rules) = fixture();
    let (code, report) = run_json(&["scan", ".", "--rules", &rules, "--no-blame"], fx.path());
    assert_eq!(code, 1);
    let fs = findings(&report);
    let got: Vec<(&str, u64)> = fs
        .iter()
        .map(|f| (path(f), f["risk"].as_u64().unwrap()))
        .collect();
    assert_eq!(got, vec![("z.env", 42), ("a.env", 40)]);
    let factors: Vec<&str> = fs[0]["risk_factors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        factors,
        [
            "long-lived +25",
            "severity high +5",
            "present now +10",
            "consumers +2"
        ]
    );

    let (_, sarif, _) = run(
        &["scan", ".", "--rules", &rules, "--no-blame", "-f", "sarif"],
        fx.path(),
    );
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let mut risks: Vec<u64> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["properties"]["risk"].as_u64().unwrap())
        .collect();
    risks.sort_unstable();
    assert_eq!(risks, [40, 42]);

    let (_, human, _) = run(&["scan", ".", "--rules", &rules, "--no-blame"], fx.path());
    assert!(
        human.contains("risk       42/100 (long-lived +25"),
        "{human}"
    );
    let z = human.find("z.env").unwrap();
    let a = human.find("a.env").unwrap();
    assert!(z < a, "the riskier file comes first:\n{human}");
}

#[test]
fn fail_on_accepts_a_risk_threshold() {
    let (fx, rules) = fixture();
    let base = ["scan", ".", "--rules", rules.as_str(), "--no-blame"];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        args.extend(["--format", "json"]);
        let (code, out, err) = run(&args, fx.path());
        (code, out, err)
    };
    let (code, out, _) = with(&["--fail-on", "risk:41"]);
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(&out).unwrap();
    let fails: Vec<(&str, bool)> = findings(&report)
        .iter()
        .map(|f| (path(f), f["fails"].as_bool().unwrap()))
        .collect::<Vec<_>>()
        .into_iter()
        .map(|(p, b)| (if p == "z.env" { "z.env" } else { "a.env" }, b))
        .collect();
    assert_eq!(fails, [("z.env", true), ("a.env", false)]);
    assert_eq!(with(&["--fail-on", "risk>=43"]).0, 0);
    assert_eq!(with(&["--fail-on", "risk:40"]).0, 1);
    assert_eq!(with(&["--fail-on", "high"]).0, 1, "severities still work");
    assert_eq!(with(&["--fail-on", "critical"]).0, 0);
    let (code, _, err) = with(&["--fail-on", "risk:101"]);
    assert_eq!(code, 2);
    assert!(err.contains("risk:N") && err.lines().count() == 1, "{err}");
}

#[test]
fn sarif_help_and_the_human_report_carry_the_remediation_family() {
    let fx = Fixture::new();
    let token = super::common::github_token("ghp_", "Zr8TnVb2Lx9KcWp4Hs7Jd1Fg6YaQm3");
    fx.write(".env", format!("GITHUB_TOKEN={token}\n"));
    let (_, sarif, _) = run(&["scan", ".", "--no-blame", "-f", "sarif"], fx.path());
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let help = rules[0]["help"]["markdown"].as_str().unwrap();
    let app_tokens = "https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-an-installation-access-token-for-a-github-app";
    assert!(
        help.contains("**Replace with a short-lived, workload-bound credential.**"),
        "{help}"
    );
    assert!(help.contains(app_tokens), "{help}");
    let (_, human, _) = run(&["scan", ".", "--no-blame"], fx.path());
    assert!(
        human.contains("replace    A GitHub App installation token"),
        "{human}"
    );
    assert!(human.contains(app_tokens), "{human}");
}
