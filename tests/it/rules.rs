//! Every embedded rule's examples, through the real matcher, and `rules check` on the binary.

use super::common::{Fixture, run};

#[test]
fn every_embedded_rule_example_behaves() {
    let rules = keytrace::rules::embedded_rules().expect("embedded rules parse");
    let failures = keytrace::rules::check::check_examples(&rules);
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(),
        failures.iter().map(|f| f.to_string()).collect::<Vec<_>>().join("\n"));
}

#[test]
fn embedded_rules_cover_at_least_150_rules_with_examples() {
    let rules = keytrace::rules::embedded_rules().unwrap();
    assert!(rules.len() >= 150, "only {} rules", rules.len());
    for r in &rules {
        assert!(!r.examples.is_empty() && !r.negative_examples.is_empty(), "{} lacks examples", r.id);
    }
}

#[test]
fn rules_check_command_passes_on_embedded_rules() {
    let fx = Fixture::new();
    let (code, _, stderr) = run(&["rules", "check"], fx.path());
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("0 failures"));
}

#[test]
fn malformed_rule_file_names_file_and_line() {
    let fx = Fixture::new();
    fx.write("bad/acme.toml", "[[rules]]\nid = \"acme-key\"\nname = \"x\"\nprovider = 5\n");
    let (code, _, stderr) = run(&["scan", ".", "--rules", "bad"], fx.path());
    assert_eq!(code, 2);
    assert!(stderr.contains("bad/acme.toml:4"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one clear line: {stderr}");
}

#[test]
fn failing_example_is_reported_by_rules_check() {
    let fx = Fixture::new();
    fx.write(
        "r/acme.toml",
        r#"[[rules]]
id = "acme-key"
name = "Acme key"
provider = "acme"
category = "saas"
keywords = ["acme_"]
pattern = '''\b(?P<secret>acme_[A-Za-z0-9]{20})\b'''
long_lived = true
severity = "high"
description = "d"
remediation = "r"
examples = ["acme_short"]
negative_examples = ["nothing here"]
"#,
    );
    let (code, _, stderr) = run(&["rules", "check", "r"], fx.path());
    assert_eq!(code, 1);
    assert!(stderr.contains("acme-key: example does not match"), "{stderr}");
}
