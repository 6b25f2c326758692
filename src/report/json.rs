//! JSON and JSON Lines reports. Each finding carries the same fields as a SARIF result's
//! properties, flattened next to its rule, location and fingerprint (`keytrace/v2`), plus the
//! secret-level `secret_fingerprint` (`keytrace/v1`).

use super::Report;
use crate::finding::Finding;
use serde_json::{Value, json};

/// A finding as written: its fields plus `secret_fingerprint` (derived, so not stored).
fn finding_value(f: &Finding) -> Value {
    let mut v = json!(f);
    if let Value::Object(map) = &mut v {
        map.insert("secret_fingerprint".into(), json!(f.secret_fingerprint()));
    }
    v
}

fn findings_value(list: &[Finding]) -> Value {
    Value::Array(list.iter().map(finding_value).collect())
}

/// The whole report as one JSON document.
pub fn render(report: &Report, show_suppressed: bool) -> String {
    let by_severity: serde_json::Map<String, serde_json::Value> = report
        .by_severity()
        .into_iter()
        .map(|(s, n)| (s.to_string(), json!(n)))
        .collect();
    let mut doc = json!({
        "tool": { "name": "keytrace", "version": env!("CARGO_PKG_VERSION") },
        "scan": report.scan,
        "summary": {
            "findings": report.findings.len(),
            "failing": report.findings.iter().filter(|f| f.fails).count(),
            "suppressed": report.suppressed.len(),
            "by_severity": by_severity,
        },
        "coverage": report.coverage,
        "references": report.references,
        "findings": findings_value(&report.findings),
        "suppressed": if show_suppressed { findings_value(&report.suppressed) } else { json!([]) },
    });
    if let Some(sweep) = &report.sweep {
        doc["sweep"] = json!(sweep);
    }
    let mut out = serde_json::to_string_pretty(&doc).expect("report serialises");
    out.push('\n');
    out
}

/// One finding per line.
pub fn render_lines(report: &Report, show_suppressed: bool) -> String {
    let mut out = String::new();
    let suppressed: &[_] = if show_suppressed {
        &report.suppressed
    } else {
        &[]
    };
    for f in report.findings.iter().chain(suppressed) {
        out.push_str(&serde_json::to_string(&finding_value(f)).expect("finding serialises"));
        out.push('\n');
    }
    out
}

/// Read a JSON report written by `render` back (for `report owners`, `merge`, `baseline`).
pub fn parse(text: &str) -> Result<Report, serde_json::Error> {
    serde_json::from_str(text)
}
