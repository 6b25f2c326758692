//! SARIF 2.1.0 as DESIGN.md fixes it, built with serde-sarif's typed structs.
//!
//! GitHub code scanning limits honoured: at most 25,000 results per run (the most severe are
//! kept, and the run's properties say how many were left out), 20 locations per result (we emit
//! one), and rule ids and fingerprints that stay stable across runs. What upload-sarif checks
//! holds too: descriptor tags are unique, each rule has one descriptor that `ruleIndex` points
//! at, every region has `endColumn >= 1`, and `repositoryUri` is a network URL or absent.
//! docs/sarif.md describes the output for users.

use super::Report;
use crate::finding::{FINGERPRINT_KEY, Finding};
use crate::rules::Rule;
use serde_json::{Value, json};
use serde_sarif::sarif;
use std::collections::BTreeMap;

/// GitHub code scanning accepts at most this many results per run.
pub const GITHUB_MAX_RESULTS_PER_RUN: usize = 25_000;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The report as a SARIF 2.1.0 log with one run.
pub fn render(report: &Report, rules: &[Rule]) -> String {
    let log = build(report, rules);
    let mut out = serde_json::to_string_pretty(&log).expect("SARIF serialises");
    out.push('\n');
    out
}

fn build(report: &Report, rules: &[Rule]) -> sarif::Sarif {
    let mut findings: Vec<&Finding> = report.findings.iter().collect();
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.sort_key().cmp(&b.sort_key()))
    });
    let dropped = findings.len().saturating_sub(GITHUB_MAX_RESULTS_PER_RUN);
    findings.truncate(GITHUB_MAX_RESULTS_PER_RUN);
    findings.sort_by_key(|f| f.sort_key());

    let by_id: BTreeMap<&str, &Rule> = rules.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut fired: Vec<&str> = findings.iter().map(|f| f.rule_id.as_str()).collect();
    fired.sort_unstable();
    fired.dedup();
    let descriptors: Vec<sarif::ReportingDescriptor> = fired
        .iter()
        .map(|id| descriptor(id, by_id.get(id).copied(), &findings))
        .collect();
    let index: BTreeMap<&str, i64> = fired
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, i as i64))
        .collect();
    let results: Vec<sarif::Result> = findings
        .iter()
        .map(|f| result(f, index[f.rule_id.as_str()]))
        .collect();

    let driver = sarif::ToolComponent::builder()
        .name("keytrace")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri("https://github.com/keytrace/keytrace")
        .rules(descriptors)
        .build();
    let mut run_props = BTreeMap::new();
    run_props.insert(
        "coverage".to_string(),
        serde_json::to_value(&report.coverage).expect("coverage"),
    );
    run_props.insert("scan_kind".to_string(), json!(report.scan.kind));
    run_props.insert("ruleset_hash".to_string(), json!(report.scan.ruleset_hash));
    if let Some(scheme) = &report.scan.secret_hash {
        run_props.insert("secret_hash".to_string(), json!(scheme));
    }
    run_props.insert("suppressed".to_string(), json!(report.suppressed.len()));
    run_props.insert("references".to_string(), json!(report.references));
    if let Some(sweep) = &report.sweep {
        run_props.insert("sweep".to_string(), json!(sweep));
    }
    if dropped > 0 {
        run_props.insert(
            "results_dropped_over_github_limit".to_string(),
            json!(dropped),
        );
    }
    let automation = sarif::RunAutomationDetails::builder()
        .id(format!("keytrace/{}/", report.scan.kind))
        .build();
    let mut run = sarif::Run::builder()
        .tool(driver)
        .results(results)
        .automation_details(automation)
        .column_kind(json!("utf16CodeUnits"))
        .properties(
            sarif::PropertyBag::builder()
                .additional_properties(run_props)
                .build(),
        )
        .build();
    match &report.scan.repository {
        Some(repo) if repo.uri.is_some() => {
            run.version_control_provenance = Some(vec![provenance(repo)]);
        }
        // SARIF requires `repositoryUri`; without a remote, the revision goes into properties.
        Some(repo) => {
            if let Some(props) = run.properties.as_mut() {
                props
                    .additional_properties
                    .insert("version_control".into(), json!(repo));
            }
        }
        None => {}
    }
    sarif::Sarif::builder()
        .schema(SCHEMA)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build()
}

fn provenance(repo: &super::RepoInfo) -> sarif::VersionControlDetails {
    let mut vcs = sarif::VersionControlDetails::builder()
        .repository_uri(repo.uri.clone().unwrap_or_default())
        .build();
    vcs.revision_id = repo.revision.clone();
    vcs.branch = repo.branch.clone();
    vcs
}

fn descriptor(id: &str, rule: Option<&Rule>, findings: &[&Finding]) -> sarif::ReportingDescriptor {
    let sample = findings
        .iter()
        .find(|f| f.rule_id == id)
        .expect("a finding fired this rule");
    let name = rule
        .map(|r| r.name.clone())
        .unwrap_or_else(|| sample.rule_name.clone());
    let (mut help, severity, category, provider) = match rule {
        Some(r) => (
            format!(
                "{}\n\n**Remediation.** {}",
                r.description.trim(),
                r.remediation.trim()
            ),
            r.severity,
            r.category.clone(),
            r.provider.clone(),
        ),
        None => (
            name.clone(),
            sample.severity,
            sample.props.category.clone(),
            sample.props.provider.clone(),
        ),
    };
    // The remediation family's advice, for rules whose metadata is known (a merged report
    // without its rules can only repeat the rule's name).
    let mut help_text = help.clone();
    if rule.is_some() {
        let family = crate::remediation::lookup(&provider, &category);
        help_text = format!("{help}\n\n{}", family.text());
        help = format!("{help}\n\n{}", family.markdown());
    }
    let mut props = BTreeMap::new();
    props.insert(
        "security-severity".to_string(),
        json!(severity.security_severity()),
    );
    props.insert("precision".to_string(), json!(precision(sample)));
    let tags = unique_tags(["security", "secret", &category, &provider]);
    let mut descriptor = sarif::ReportingDescriptor::builder()
        .id(id)
        .name(pascal(id))
        .short_description(
            sarif::MultiformatMessageString::builder()
                .text(name.clone())
                .build(),
        )
        .full_description(
            sarif::MultiformatMessageString::builder()
                .text(name)
                .build(),
        )
        .help(
            sarif::MultiformatMessageString::builder()
                .text(help_text)
                .markdown(help)
                .build(),
        )
        .properties(
            sarif::PropertyBag::builder()
                .tags(tags)
                .additional_properties(props)
                .build(),
        )
        .build();
    descriptor.help_uri = crate::rules::docs::help_uri(id);
    descriptor
}

/// Tags in order, each once (the schema's `uniqueItems`: upload-sarif rejects a log with a
/// repeated tag, e.g. category and provider both `generic`), empty ones left out.
fn unique_tags<'a>(tags: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        if !t.is_empty() && !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    }
    out
}

/// SARIF `precision` property from the rule's confidence.
fn precision(f: &Finding) -> &'static str {
    match f.confidence {
        crate::rules::Confidence::High => "high",
        crate::rules::Confidence::Medium => "medium",
        crate::rules::Confidence::Low => "low",
    }
}

/// `openai-project-key` → `OpenaiProjectKey` (SARIF rule names are identifiers).
fn pascal(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The human message of a result (see [`super::message`]).
pub fn message(f: &Finding) -> String {
    super::message::alert_text(f)
}

fn result(f: &Finding, rule_index: i64) -> sarif::Result {
    let loc = &f.location;
    // Inside an archive or image the location is the artifact itself; `archive_path` in the
    // properties names the entry, and the region is the position inside that entry.
    let artifact = f.props.archive_path.first().unwrap_or(&loc.path);
    let region = sarif::Region::builder()
        .start_line(loc.start_line as i64)
        .start_column(loc.start_column as i64)
        .end_line(loc.end_line as i64)
        .end_column(loc.end_column.max(1) as i64)
        .build();
    let physical = sarif::PhysicalLocation::builder()
        .artifact_location(
            sarif::ArtifactLocation::builder()
                .uri(uri_escape(artifact))
                .build(),
        )
        .region(region)
        .build();
    let location = sarif::Location::builder()
        .physical_location(physical)
        .build();
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert(FINGERPRINT_KEY.to_string(), f.fingerprint.clone());
    let mut props: BTreeMap<String, Value> =
        match serde_json::to_value(&f.props).expect("properties") {
            Value::Object(map) => map.into_iter().collect(),
            _ => BTreeMap::new(),
        };
    props.insert("severity".into(), json!(f.severity));
    props.insert("confidence".into(), json!(f.confidence));
    props.insert("fails".into(), json!(f.fails));
    // The secret-level identity (no path), to correlate one secret across paths and
    // repositories; not a partial fingerprint, so that GitHub keeps one alert per path.
    props.insert("secret_fingerprint".into(), json!(f.secret_fingerprint()));
    if let Some(secret) = &f.secret {
        props.insert("secret".into(), json!(secret));
    }
    sarif::Result::builder()
        .rule_id(f.rule_id.clone())
        .rule_index(rule_index)
        .level(level(f.severity))
        .message(sarif::Message::builder().text(message(f)).build())
        .locations(vec![location])
        .partial_fingerprints(fingerprints)
        .properties(
            sarif::PropertyBag::builder()
                .additional_properties(props)
                .build(),
        )
        .build()
}

fn level(s: crate::rules::Severity) -> sarif::ResultLevel {
    match s.sarif_level() {
        "error" => sarif::ResultLevel::Error,
        "warning" => sarif::ResultLevel::Warning,
        _ => sarif::ResultLevel::Note,
    }
}

/// Percent-encode the characters that may not appear raw in a relative URI reference.
fn uri_escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_unique_and_never_empty() {
        assert_eq!(
            unique_tags(["security", "secret", "generic", "generic"]),
            ["security", "secret", "generic"]
        );
        assert_eq!(
            unique_tags(["security", "secret", "", "secret"]),
            ["security", "secret"]
        );
    }
}
