//! Table-driven evaluation of the generic detector: precision and recall over a file of cases.
//!
//! Shared by the test suite (which asserts thresholds) and `cargo run --example generic_eval`
//! (which prints the figures recorded in README, "Measured precision and recall"). A case is one snippet in one
//! language; the language picks a file name, so that file-kind rules (code vs config, tests vs
//! production) apply as they would in a scan.

use super::generic_findings;
use crate::blob::Origin;
use crate::rules::Confidence;
use serde::Deserialize;
use std::collections::BTreeMap;

/// What a case expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    Finding,
    None,
}

/// One row of the table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub lang: String,
    pub line: String,
    pub expect: Expect,
    /// The rule id the finding must carry.
    #[serde(default)]
    pub rule: Option<String>,
    /// The confidence the finding must have.
    #[serde(default)]
    pub confidence: Option<Confidence>,
    /// A path overriding the language's default file name (e.g. `tests/test_db.py`).
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// `holdout` marks cases written after the detector was tuned and never tuned against.
    #[serde(default)]
    pub group: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    case: Vec<Case>,
}

/// Parse a case file.
pub fn parse_cases(text: &str) -> Result<Vec<Case>, toml::de::Error> {
    toml::from_str::<CaseFile>(text).map(|f| f.case)
}

/// The file name a snippet of `lang` is scanned under.
pub fn path_for(lang: &str) -> &'static str {
    match lang {
        "python" => "app/settings.py",
        "js" => "src/config.js",
        "ts" => "src/config.ts",
        "java" => "src/main/java/App.java",
        "kotlin" => "src/main/kotlin/App.kt",
        "go" => "internal/db/db.go",
        "ruby" => "config/app.rb",
        "php" => "wp-config.php",
        "csharp" => "src/Program.cs",
        "shell" => "scripts/deploy.sh",
        "env" => ".env",
        "yaml" => "config/app.yaml",
        "json" => "config/app.json",
        "toml" => "config/app.toml",
        "xml" => "config/app.xml",
        "ini" => "config/app.ini",
        "properties" => "src/main/resources/application.properties",
        "sql" => "db/init.sql",
        "dockerfile" => "Dockerfile",
        "http" => "api/requests.http",
        "hcl" => "infra/main.tf",
        "markdown" => "docs/setup.md",
        "text" => "notes.txt",
        "c" => "src/sqlite3.c",
        "rust" => "src/lib.rs",
        _ => "unknown.txt",
    }
}

/// Precision/recall over a table.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub cases: usize,
    pub true_pos: usize,
    pub false_pos: usize,
    pub true_neg: usize,
    pub false_neg: usize,
    /// One line per failing case: what was expected and what came out.
    pub failures: Vec<String>,
    /// Cases per language.
    pub by_lang: BTreeMap<String, usize>,
}

impl Summary {
    pub fn precision(&self) -> f64 {
        ratio(self.true_pos, self.true_pos + self.false_pos)
    }

    pub fn recall(&self) -> f64 {
        ratio(self.true_pos, self.true_pos + self.false_neg)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// Run every case; findings below `min` count as absent. A case expecting a finding of a lower
/// confidence than `min` is expected to report nothing at that threshold. Rule and confidence
/// expectations are checked exactly when `min` is `Low` (the detector's full output).
pub fn evaluate(cases: &[Case], min: Confidence) -> Summary {
    let mut s = Summary::default();
    for (i, case) in cases.iter().enumerate() {
        s.cases += 1;
        *s.by_lang.entry(case.lang.clone()).or_default() += 1;
        let path = case
            .path
            .clone()
            .unwrap_or_else(|| path_for(&case.lang).to_string());
        let origin = Origin {
            path,
            ..Origin::default()
        };
        let found: Vec<_> = generic_findings(case.line.as_bytes(), &origin)
            .into_iter()
            .filter(|f| f.confidence >= min)
            .collect();
        let wants = case.expect == Expect::Finding && case.confidence.is_none_or(|c| c >= min);
        let got: Vec<String> = found
            .iter()
            .map(|f| format!("{}/{}", f.rule_id, f.confidence))
            .collect();
        let exact = min == Confidence::Low;
        let matches = found.iter().any(|f| {
            case.rule.as_ref().is_none_or(|r| !exact || *r == f.rule_id)
                && case.confidence.is_none_or(|c| !exact || c == f.confidence)
        });
        let ok = match (wants, found.is_empty()) {
            (true, false) if matches => {
                s.true_pos += 1;
                true
            }
            (true, _) => {
                s.false_neg += 1;
                false
            }
            (false, true) => {
                s.true_neg += 1;
                true
            }
            (false, false) => {
                s.false_pos += 1;
                false
            }
        };
        if !ok {
            s.failures.push(describe(i, case, wants, &got));
        }
    }
    s
}

/// One line saying what a failing case expected and what came out.
fn describe(i: usize, case: &Case, wants: bool, got: &[String]) -> String {
    format!(
        "case {} [{}] {:?}: expected {}{}{}, got [{}]",
        i + 1,
        case.lang,
        case.line,
        if wants { "finding" } else { "none" },
        case.rule
            .as_deref()
            .map(|r| format!(" {r}"))
            .unwrap_or_default(),
        case.confidence.map(|c| format!("/{c}")).unwrap_or_default(),
        got.join(", ")
    )
}
