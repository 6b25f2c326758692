//! Ownership end to end: CODEOWNERS and the `[owners]` table of keytrace.toml on a directory
//! scan, the owner properties in JSON and SARIF, key identity in the report, and
//! `report owners` on a saved JSON report.

use super::common::{Fixture, findings, run, run_json};
use serde_json::Value;

/// Two test rules in one provider file: an opaque token and an AWS-style access key id.
const RULES: &str = r#"
[[rules]]
id = "itowners-token"
name = "Owners test token"
provider = "itowners"
category = "saas"
keywords = ["itok_"]
pattern = '''\b(?P<secret>itok_[A-Za-z0-9]{24})\b'''
long_lived = true
severity = "high"
description = "A test token."
remediation = "Rotate it."
examples = ["t = itok_Qm3Zr8TnVb2Lx9KcWp4Hs7Jd"]
negative_examples = ["itok_short"]

[[rules]]
id = "itowners-aws-key-id"
name = "Owners test AWS key id"
provider = "itowners"
category = "cloud"
keywords = ["akia", "asia"]
pattern = '''\b(?P<secret>(?:AKIA|ASIA)[A-Z2-7]{16})\b'''
long_lived = true
severity = "medium"
description = "An AWS access key id."
remediation = "Deactivate it."
examples = ["id = ASIAY34FZKBOKMUTVV7A"]
negative_examples = ["ASIA0000"]
"#;

const TOKEN_INFRA: &str = "itok_Qm3Zr8TnVb2Lx9KcWp4Hs7Jd";
const TOKEN_APP: &str = "itok_Wp4Hs7Jd1Fg6YaQm3Zr8TnVb";
/// Published (key id, account) pair: awsteele.com/blog/2020/09/26/aws-access-key-format.html
const ASIA_KEY: &str = "ASIAY34FZKBOKMUTVV7A";

const CODEOWNERS: &str = "\
# default owners
* @acme/everyone
/infra/ @acme/infra @alice
/vendor/
";

const PROJECT: &str = r#"
[[owners.rule]]
match = { rule = "*aws*" }
owners = ["@acme/cloud-iam"]
"#;

/// A repository-like tree with CODEOWNERS, an owners table and three secrets.
fn tree() -> Fixture {
    let fx = Fixture::new();
    fx.write("rules/itowners.toml", RULES);
    fx.write("repo/.github/CODEOWNERS", CODEOWNERS);
    fx.write("repo/keytrace.toml", PROJECT);
    fx.write("repo/infra/prod.env", format!("TOKEN={TOKEN_INFRA}\n"));
    fx.write("repo/app/settings.py", format!("TOKEN = \"{TOKEN_APP}\"\n"));
    fx.write(
        "repo/vendor/lib/cfg.txt",
        format!("aws_access_key_id = {ASIA_KEY}\n"),
    );
    fx
}

fn scan_json(fx: &Fixture) -> Vec<Value> {
    let (code, report) = run_json(&["scan", "repo", "--rules", "rules"], fx.path());
    assert_eq!(code, 1);
    findings(&report)
}

fn by_path<'a>(fs: &'a [Value], path: &str) -> &'a Value {
    fs.iter()
        .find(|f| f["location"]["path"] == path)
        .unwrap_or_else(|| panic!("no finding at {path}: {fs:#?}"))
}

#[test]
fn codeowners_names_the_owner_and_every_matching_owner() {
    let fx = tree();
    let fs = scan_json(&fx);
    assert_eq!(fs.len(), 3, "{fs:#?}");
    let infra = by_path(&fs, "infra/prod.env");
    assert_eq!(infra["owner"], "@acme/infra");
    assert_eq!(infra["owner_source"], "codeowners");
    assert_eq!(
        infra["codeowners"],
        serde_json::json!(["@acme/infra", "@alice"])
    );
    assert_eq!(infra["codeowners_file"], ".github/CODEOWNERS");
    let app = by_path(&fs, "app/settings.py");
    assert_eq!(app["owner"], "@acme/everyone");
    assert_eq!(app["codeowners"], serde_json::json!(["@acme/everyone"]));
}

#[test]
fn unowned_path_falls_back_to_the_owners_table_and_the_key_tells_its_account() {
    let fx = tree();
    let fs = scan_json(&fx);
    let aws = by_path(&fs, "vendor/lib/cfg.txt");
    assert_eq!(aws["owner"], "@acme/cloud-iam");
    assert_eq!(aws["owner_source"], "owners-file");
    assert!(aws.get("codeowners").is_none(), "{aws:#}");
    assert_eq!(aws["identity"]["aws_account_id"], "609629065308");
    assert_eq!(aws["identity"]["key_class"], "aws-temporary");
    assert_eq!(aws["long_lived"], false);
}

#[test]
fn no_codeowners_and_no_owners_table_means_owner_source_none() {
    let fx = Fixture::new();
    fx.write("rules/itowners.toml", RULES);
    fx.write("plain/a.env", format!("T={TOKEN_INFRA}\n"));
    let (code, report) = run_json(&["scan", "plain", "--rules", "rules"], fx.path());
    assert_eq!(code, 1);
    let f = &findings(&report)[0];
    assert!(f.get("owner").is_none(), "{f:#}");
    assert_eq!(f["owner_source"], "none");
}

#[test]
fn sarif_results_carry_the_owner_properties() {
    let fx = tree();
    let (code, out, stderr) = run(
        &["scan", "repo", "--rules", "rules", "--format", "sarif"],
        fx.path(),
    );
    assert_eq!(code, 1, "{stderr}");
    let sarif: Value = serde_json::from_str(&out).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let infra = results
        .iter()
        .find(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "infra/prod.env"
        })
        .expect("infra result");
    let text = infra["message"]["text"].as_str().unwrap();
    assert!(text.contains("owner: @acme/infra"), "{text}");
    let props = &infra["properties"];
    assert_eq!(props["owner"], "@acme/infra");
    assert_eq!(props["owner_source"], "codeowners");
    assert_eq!(
        props["codeowners"],
        serde_json::json!(["@acme/infra", "@alice"])
    );
    let aws = results
        .iter()
        .find(|r| r["ruleId"].as_str().unwrap().contains("aws"))
        .expect("aws result");
    assert_eq!(aws["properties"]["owner_source"], "owners-file");
    assert_eq!(
        aws["properties"]["identity"]["aws_account_id"],
        "609629065308"
    );
}

#[test]
fn human_report_ends_with_the_owners_table() {
    let fx = tree();
    let (code, out, _) = run(&["scan", "repo", "--rules", "rules"], fx.path());
    assert_eq!(code, 1);
    assert!(
        out.contains("owner      @acme/infra (from codeowners)"),
        "{out}"
    );
    let table = &out[out.find("\nOwners\n").expect("owners table")..];
    assert!(table.contains("@acme/cloud-iam"), "{table}");
    assert!(table.contains("@acme/everyone"), "{table}");
}

/// The numeric columns of `owner`'s row: critical, high, medium, low, info, active.
fn row(table: &str, owner: &str) -> Vec<u32> {
    let line = table
        .lines()
        .find(|l| l.split_whitespace().next() == Some(owner))
        .unwrap_or_else(|| panic!("no row for {owner}:\n{table}"));
    line.split_whitespace()
        .skip(1)
        .map(|n| n.parse().unwrap())
        .collect()
}

#[test]
fn report_owners_rebuilds_the_summary_from_a_saved_json_report() {
    let fx = tree();
    let (code, _, stderr) = run(
        &[
            "scan",
            "repo",
            "--rules",
            "rules",
            "--format",
            "json",
            "--output",
            "report.json",
        ],
        fx.path(),
    );
    assert_eq!(code, 1, "{stderr}");
    let (code, out, stderr) = run(&["report", "owners", "report.json"], fx.path());
    assert_eq!(code, 0, "{stderr}");
    assert!(out.starts_with("Owners\n"), "{out}");
    assert_eq!(row(&out, "@acme/infra"), vec![0, 1, 0, 0, 0, 0]);
    assert_eq!(row(&out, "@acme/everyone"), vec![0, 1, 0, 0, 0, 0]);
    // The AWS key's severity depends on which rule claims it; read it from the saved report.
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(fx.path().join("report.json")).unwrap())
            .unwrap();
    let aws = findings(&saved)
        .into_iter()
        .find(|f| f["owner"] == "@acme/cloud-iam")
        .unwrap();
    let col = ["critical", "high", "medium", "low", "info"]
        .iter()
        .position(|s| aws["severity"] == *s)
        .unwrap();
    let mut expected = vec![0; 6];
    expected[col] = 1;
    assert_eq!(row(&out, "@acme/cloud-iam"), expected);
}

#[test]
fn report_owners_rejects_a_file_that_is_not_a_json_report() {
    let fx = Fixture::new();
    fx.write("notes.txt", "not json at all\n");
    let (code, out, stderr) = run(&["report", "owners", "notes.txt"], fx.path());
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(stderr.contains("notes.txt"), "{stderr}");
    let (code, _, stderr) = run(&["report", "owners", "missing.json"], fx.path());
    assert_eq!(code, 2);
    assert!(stderr.contains("missing.json"), "{stderr}");
}

#[test]
fn malformed_owners_table_is_an_error_naming_file_and_line() {
    let fx = tree();
    fx.write(
        "repo/keytrace.toml",
        "[[owners.rule]]\nmatch = { rule = \"x\" }\nowner = [\"@typo\"]\n",
    );
    let (code, out, stderr) = run(&["scan", "repo", "--rules", "rules"], fx.path());
    assert_eq!(code, 2, "{out}");
    assert!(
        stderr.contains("repo/keytrace.toml:3: [owners]"),
        "{stderr}"
    );
    assert!(stderr.contains("unknown field `owner`"), "{stderr}");
    assert_eq!(
        stderr.lines().filter(|l| l.contains("error")).count(),
        1,
        "{stderr}"
    );
}

#[test]
fn codeowners_problems_are_noted_in_coverage_not_fatal() {
    let fx = tree();
    fx.write("repo/.github/CODEOWNERS", "* @acme/everyone\n!negated @x\n");
    let (code, report) = run_json(&["scan", "repo", "--rules", "rules"], fx.path());
    assert_eq!(code, 1);
    let notes = report["coverage"]["notes"].to_string();
    assert!(notes.contains("CODEOWNERS:2"), "{notes}");
}
