//! Generic credentials (issue 7): the case table's precision/recall thresholds, and the
//! detector's integration in `keytrace scan` (confidence filter, provider precedence, SARIF
//! descriptors, `rules list`).

use super::common::{Fixture, acme_rules, acme_token, findings, run, run_json};
use keytrace::generic::eval::{evaluate, parse_cases};
use keytrace::rules::Confidence;

const CASES: &str = include_str!("../data/generic_cases.toml");

/// Thresholds stated in README ("Measured precision and recall").
const MIN_PRECISION: f64 = 0.95;
const MIN_RECALL: f64 = 0.95;

#[test]
fn case_table_is_large_and_varied() {
    let cases = parse_cases(CASES).expect("case table parses");
    assert!(cases.len() >= 300, "only {} cases", cases.len());
    let s = evaluate(&cases, Confidence::Low);
    assert!(s.by_lang.len() >= 12, "only {} languages", s.by_lang.len());
    let positives = cases
        .iter()
        .filter(|c| c.expect == keytrace::generic::eval::Expect::Finding)
        .count();
    assert!(
        positives >= 150 && cases.len() - positives >= 150,
        "{positives} positives"
    );
}

#[test]
fn case_table_meets_precision_and_recall() {
    let cases = parse_cases(CASES).unwrap();
    for min in [Confidence::Low, Confidence::Medium] {
        let s = evaluate(&cases, min);
        let report = format!(
            "at confidence >= {min}: precision {:.3}, recall {:.3}\n{}",
            s.precision(),
            s.recall(),
            s.failures.join("\n")
        );
        assert!(s.precision() >= MIN_PRECISION, "{report}");
        assert!(s.recall() >= MIN_RECALL, "{report}");
    }
}

#[test]
fn evaluation_counts_a_wrong_rule_as_a_miss() {
    let table = r#"
[[case]]
lang = "env"
line = "DB_PASSWORD=Kx9!mQ2vLp7z"
expect = "finding"
rule = "generic-api-key"

[[case]]
lang = "env"
line = "DB_PASSWORD=${DB_PASSWORD}"
expect = "finding"
"#;
    let s = evaluate(&parse_cases(table).unwrap(), Confidence::Low);
    assert_eq!((s.true_pos, s.false_neg, s.false_pos), (0, 2, 0));
    assert_eq!(s.failures.len(), 2);
}

fn rule_ids(report: &serde_json::Value) -> Vec<String> {
    let mut ids: Vec<String> = findings(report)
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

#[test]
fn scan_reports_generic_findings_with_their_properties() {
    let fx = Fixture::new();
    fx.write("deploy/.env", "DB_PASSWORD=Kx9!mQ2vLp7z\nDB_HOST=db\n");
    let (code, report) = run_json(&["scan", "."], fx.path());
    assert_eq!(code, 1);
    let all = findings(&report);
    assert_eq!(all.len(), 1, "{report}");
    let f = &all[0];
    assert_eq!(f["rule_id"], "generic-password");
    assert_eq!(f["generic"], true);
    assert_eq!(f["category"], "generic");
    assert_eq!(f["provider"], "generic");
    assert_eq!(f["location"]["start_line"], 1);
    assert_eq!(f["location"]["start_column"], 13);
    assert!(f.get("secret").is_none(), "redacted by default");
}

#[test]
fn confidence_flag_filters_findings() {
    let fx = Fixture::new();
    fx.write(
        ".env",
        "MYSQL_ROOT_PASSWORD=changeme\nAPI_KEY=k8J2mQ9xL4pV7zR1tW6y\nSMTP_PASS=Wq8zX3cV7bN\n",
    );
    let (_, default) = run_json(&["scan", "."], fx.path());
    assert_eq!(rule_ids(&default), ["generic-api-key", "generic-password"]);
    let (_, low) = run_json(&["scan", ".", "--confidence", "low"], fx.path());
    assert_eq!(
        rule_ids(&low),
        [
            "generic-api-key",
            "generic-password",
            "generic-weak-default-password"
        ]
    );
    let weak = findings(&low)
        .into_iter()
        .find(|f| f["rule_id"] == "generic-weak-default-password")
        .unwrap();
    assert_eq!(weak["confidence"], "low");
    assert_eq!(weak["weak_default"], true);
    let (_, high) = run_json(&["scan", ".", "--confidence", "high"], fx.path());
    assert_eq!(rule_ids(&high), ["generic-api-key"]);
    let (code, _, stderr) = run(&["scan", ".", "--confidence", "sure"], fx.path());
    assert_eq!(code, 2);
    assert!(stderr.contains("sure"), "{stderr}");
}

#[test]
fn provider_rule_wins_over_generic_on_the_same_value() {
    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    fx.write(
        "src/app.env",
        format!("API_KEY={}\nDB_PASSWORD=Kx9!mQ2vLp7z\n", acme_token(7)),
    );
    let (code, report) = run_json(&["scan", "src", "--rules", &rules], fx.path());
    assert_eq!(code, 1);
    assert_eq!(rule_ids(&report), ["acme-api-key", "generic-password"]);
}

#[test]
fn sarif_carries_generic_rule_descriptors() {
    let fx = Fixture::new();
    fx.write("app.py", "password = 'Kx9!mQ2vLp7z'\n");
    let (code, stdout, _) = run(&["scan", ".", "--format", "sarif"], fx.path());
    assert_eq!(code, 1);
    let sarif: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0]["id"], "generic-password");
    assert_eq!(rules[0]["shortDescription"]["text"], "Hard-coded password");
    let help = rules[0]["help"]["markdown"].as_str().unwrap();
    assert!(help.contains("Remediation"), "{help}");
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["properties"]["generic"], true);
}

#[test]
fn inline_allow_and_references_stay_quiet() {
    let fx = Fixture::new();
    fx.write(
        "config/app.yaml",
        "password: Kx9!mQ2vLp7z # keytrace:allow\ntoken: ${{ secrets.TOKEN }}\nsecret_name: prod-db\n",
    );
    let (code, report) = run_json(&["scan", ".", "--show-suppressed"], fx.path());
    assert_eq!(code, 0, "{report}");
    assert!(findings(&report).is_empty());
    assert_eq!(
        report["suppressed"].as_array().map(Vec::len),
        Some(1),
        "{report}"
    );
}

#[test]
fn rules_list_includes_generic_descriptors() {
    let fx = Fixture::new();
    let (code, stdout, _) = run(&["rules", "list"], fx.path());
    assert_eq!(code, 0);
    for id in [
        "generic-password",
        "generic-basic-auth",
        "generic-weak-default-password",
    ] {
        assert!(stdout.contains(id), "{id} missing from:\n{stdout}");
    }
}
