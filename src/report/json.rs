//! JSON and JSON Lines reports. Each finding carries the same fields as a SARIF result's
//! properties, flattened next to its rule, location and fingerprint.

use super::Report;
use serde_json::json;

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
        "findings": report.findings,
        "suppressed": if show_suppressed { json!(report.suppressed) } else { json!([]) },
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
        out.push_str(&serde_json::to_string(f).expect("finding serialises"));
        out.push('\n');
    }
    out
}

/// Read a JSON report written by `render` back (for `report owners`, `merge`, `baseline`).
pub fn parse(text: &str) -> Result<Report, serde_json::Error> {
    serde_json::from_str(text)
}
