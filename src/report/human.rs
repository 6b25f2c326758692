//! The terminal report: findings grouped by file, each with its authority chain (provider and
//! key class → owner → author and commit → identity → tool → policy), then the coverage record
//! and a summary by owner. Coloured only when asked (a TTY without NO_COLOR).
//!
//! Every string that comes from the scanned data or from user files goes through
//! [`for_terminal`] before it is printed: a file name or config key may hold escape sequences.

use super::Report;
use super::escape::for_terminal;
use crate::finding::Finding;
use crate::rules::Severity;
use console::Style;
use std::collections::BTreeMap;
use std::fmt::Write;

struct Palette {
    color: bool,
}

impl Palette {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            style.force_styling(true).apply_to(text).to_string()
        } else {
            text.to_string()
        }
    }

    fn severity(&self, s: Severity) -> String {
        let style = match s {
            Severity::Critical => Style::new().red().bold(),
            Severity::High => Style::new().red(),
            Severity::Medium => Style::new().yellow(),
            Severity::Low | Severity::Info => Style::new().cyan(),
        };
        self.paint(style, s.as_str())
    }
}

/// Render the human report.
pub fn render(report: &Report, color: bool, show_suppressed: bool) -> String {
    let p = Palette { color };
    let mut out = String::new();
    write_findings(&mut out, &p, &report.findings);
    if show_suppressed && !report.suppressed.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            p.paint(Style::new().dim(), "Suppressed findings:")
        );
        write_findings(&mut out, &p, &report.suppressed);
    }
    write_coverage(&mut out, report);
    if !report.findings.is_empty() {
        out.push_str(&owners_table(&report.findings));
    }
    out
}

fn write_findings(out: &mut String, p: &Palette, findings: &[Finding]) {
    // Files in the order of their first finding: reports arrive riskiest first.
    let mut by_path: Vec<(&str, Vec<&Finding>)> = Vec::new();
    let mut slot: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for f in findings {
        let path = f.location.path.as_str();
        let i = *slot.entry(path).or_insert_with(|| {
            by_path.push((path, Vec::new()));
            by_path.len() - 1
        });
        by_path[i].1.push(f);
    }
    for (path, group) in by_path {
        let path = for_terminal(path);
        let _ = writeln!(out, "{}", p.paint(Style::new().bold().underlined(), &path));
        for f in group {
            write_finding(out, p, f);
        }
        out.push('\n');
    }
}

fn write_finding(out: &mut String, p: &Palette, f: &Finding) {
    let generic = if f.props.generic { " [generic]" } else { "" };
    let _ = writeln!(
        out,
        "  {}:{}  {}  {}{}  {}",
        f.location.start_line,
        f.location.start_column,
        p.severity(f.severity),
        p.paint(Style::new().bold(), &for_terminal(&f.rule_id)),
        generic,
        for_terminal(f.secret.as_deref().unwrap_or(&f.props.redacted)),
    );
    let mut chain = vec![format!("provider {}", f.props.provider)];
    if let Some(class) = f
        .props
        .identity
        .get("key_class")
        .or_else(|| f.props.identity.get("token_type"))
    {
        chain.push(format!("class {}", class.as_str().unwrap_or_default()));
    }
    chain.push(format!(
        "{} lived",
        if f.props.long_lived { "long" } else { "short" }
    ));
    chain.push(format!("confidence {}", f.confidence));
    line(out, "key", &chain.join(", "));
    if let Some(risk) = f.props.risk {
        let why = f.props.risk_factors.join(", ");
        line(out, "risk", &format!("{risk}/100 ({why})"));
    }
    if !f.props.decoded.is_empty() {
        // Outermost first: "base64, then percent".
        line(out, "decoded", &f.props.decoded.join(", then "));
    }
    if let Some(owner) = &f.props.owner {
        let source = f.props.owner_source.as_deref().unwrap_or("none");
        line(out, "owner", &format!("{owner} (from {source})"));
    }
    if let Some(commit) = &f.props.commit {
        let who = match (&f.props.author_name, &f.props.author_email) {
            (Some(n), Some(e)) => format!("{n} <{e}>"),
            (Some(n), None) => n.clone(),
            (None, Some(e)) => e.clone(),
            _ => "unknown".into(),
        };
        let when = f.props.committed_at.as_deref().unwrap_or("");
        let short: String = commit.chars().take(12).collect();
        line(out, "introduced", &format!("{short} by {who} {when}"));
    }
    if !f.props.refs.is_empty() {
        let mut refs = f.props.refs.join(", ");
        if f.props.refs_omitted > 0 {
            let _ = write!(refs, ", and {} more", f.props.refs_omitted);
        }
        line(out, "refs", &refs);
    }
    if let Some(false) = f.props.in_head {
        let removed = f
            .props
            .removed_in
            .as_deref()
            .map(|c| format!(" (removed in {})", c.chars().take(12).collect::<String>()));
        line(
            out,
            "status",
            &format!("not in HEAD{}", removed.unwrap_or_default()),
        );
    }
    let identity: Vec<String> = f
        .props
        .identity
        .iter()
        .filter(|(k, _)| k.as_str() != "key_class" && k.as_str() != "token_type")
        .map(|(k, v)| {
            format!(
                "{k}={}",
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string())
            )
        })
        .collect();
    if !identity.is_empty() {
        line(out, "identity", &identity.join(", "));
    }
    if let Some(key) = &f.props.config_key {
        let store = f.props.store.as_deref().unwrap_or("config");
        line(out, "config", &format!("{key} in {store}"));
    }
    if let Some(tool) = &f.props.tool {
        line(out, "tool", tool);
    }
    write_consumers(out, f);
    if let Some(v) = &f.props.verification {
        let principal = f
            .props
            .principal
            .as_deref()
            .map(|p| format!(" as {p}"))
            .unwrap_or_default();
        line(out, "verified", &format!("{v}{principal}"));
    }
    if let Some(b) = &f.props.blast_radius {
        write_blast_radius(out, b);
    }
    if let Some(policy) = &f.props.policy {
        line(
            out,
            "policy",
            &format!("{policy} ({})", if f.fails { "fails" } else { "warns" }),
        );
    }
    if let Some(by) = &f.props.suppressed_by {
        line(out, "suppressed", by);
    }
    let fix = crate::remediation::lookup(&f.props.provider, &f.props.category);
    line(out, "rotate", fix.revoke_url);
    line(
        out,
        "replace",
        &format!("{} ({})", fix.replace, fix.replace_url),
    );
}

/// "reach" lines: what the active key can reach (`--blast-radius`).
fn write_blast_radius(out: &mut String, b: &crate::verify::blast::BlastRadius) {
    let mut head = vec![format!("admin {}", if b.admin { "yes" } else { "no" })];
    if let Some(w) = b.write {
        head.push(format!("write {}", if w { "yes" } else { "no" }));
    }
    if let Some(p) = &b.principal {
        head.push(format!("as {p}"));
    }
    if let Some(t) = &b.token_type {
        head.push(format!("type {t}"));
    }
    if let Some(e) = &b.expires_at {
        head.push(format!("expires {e}"));
    }
    line(out, "reach", &head.join(", "));
    if !b.permissions.is_empty() {
        line(
            out,
            "",
            &format!("permissions {}", b.permissions.join(", ")),
        );
    }
    if !b.organizations.is_empty() {
        line(
            out,
            "",
            &format!("organizations {}", b.organizations.join(", ")),
        );
    }
    if !b.resources.is_empty() {
        let counts: Vec<String> = b
            .resources
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        line(out, "", &counts.join(", "));
    }
    for l in &b.limitations {
        line(out, "", &format!("not known: {l}"));
    }
}

/// How many consumers the human report lists under a finding.
const CONSUMERS_SHOWN: usize = 5;

/// "used by" lines: where the key's name is consumed (compose service, workflow job, code…).
fn write_consumers(out: &mut String, f: &Finding) {
    let total = f.props.consumers_total.max(f.props.consumers.len());
    for (i, c) in f.props.consumers.iter().take(CONSUMERS_SHOWN).enumerate() {
        let workload = c
            .workload
            .as_deref()
            .map(|w| format!(" by {w}"))
            .unwrap_or_default();
        let text = format!("{}:{} {} {}{workload}", c.path, c.line, c.kind, c.name);
        line(out, if i == 0 { "used by" } else { "" }, &text);
    }
    if total > CONSUMERS_SHOWN {
        line(out, "", &format!("and {} more", total - CONSUMERS_SHOWN));
    }
}

/// One labelled line of a finding; `value` is escaped here, so callers pass raw strings.
fn line(out: &mut String, label: &str, value: &str) {
    let _ = writeln!(out, "      {label:<11}{}", for_terminal(value));
}

fn write_coverage(out: &mut String, report: &Report) {
    let c = &report.coverage;
    let _ = write!(
        out,
        "Scanned {} blobs ({}) with {} findings",
        c.blobs_scanned,
        human_bytes(c.bytes_scanned),
        report.findings.len()
    );
    if !report.suppressed.is_empty() {
        let _ = write!(out, ", {} suppressed", report.suppressed.len());
    }
    out.push('\n');
    if !c.skipped.is_empty() {
        let parts: Vec<String> = c
            .skipped
            .iter()
            .map(|(k, v)| format!("{v} {}", for_terminal(k)))
            .collect();
        let _ = writeln!(out, "Skipped: {}", parts.join(", "));
    }
    if c.non_utf8_scanned_as_bytes > 0 {
        let _ = writeln!(
            out,
            "Not valid UTF-8 (scanned as bytes): {}",
            c.non_utf8_scanned_as_bytes
        );
    }
    for note in &c.notes {
        let _ = writeln!(out, "Note: {}", for_terminal(note));
    }
    if !report.references.is_empty() {
        let managed: u64 = report.references.values().sum();
        let parts: Vec<String> = report
            .references
            .iter()
            .map(|(k, v)| format!("{v} {}", for_terminal(k)))
            .collect();
        let _ = writeln!(
            out,
            "Secret-manager references: {managed} ({}) vs {} literal credentials",
            parts.join(", "),
            report.findings.len()
        );
    }
}

/// Bytes as a short human figure (KiB, MiB, GiB).
pub fn human_bytes(n: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut i = 0;
    while v >= 1024.0 && i + 1 < units.len() {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", units[i])
    }
}

/// The summary table of owners with counts by severity.
pub fn owners_table(findings: &[Finding]) -> String {
    let mut rows: BTreeMap<String, [usize; 5]> = BTreeMap::new();
    let mut active: BTreeMap<String, usize> = BTreeMap::new();
    for f in findings {
        let owner = f
            .props
            .owner
            .as_deref()
            .map_or_else(|| "(no owner)".into(), |o| for_terminal(o).into_owned());
        let col = Severity::ALL
            .iter()
            .position(|s| *s == f.severity)
            .expect("severity");
        rows.entry(owner.clone()).or_default()[col] += 1;
        if f.props.verification.as_deref() == Some("active") {
            *active.entry(owner).or_default() += 1;
        }
    }
    let width = rows
        .keys()
        .map(|k| k.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    let mut out = format!(
        "\nOwners\n  {:<width$}  critical  high  medium  low  info  active\n",
        "owner"
    );
    for (owner, c) in &rows {
        let _ = writeln!(
            out,
            "  {owner:<width$}  {:>8}  {:>4}  {:>6}  {:>3}  {:>4}  {:>6}",
            c[0],
            c[1],
            c[2],
            c[3],
            c[4],
            active.get(owner).copied().unwrap_or(0)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coverage::CoverageRecord;
    use crate::finding::Properties;

    /// A report whose every string is `h` (and whose commit is not ASCII hex).
    fn report_of(h: &str) -> Report {
        let mut identity = BTreeMap::new();
        identity.insert(h.to_string(), serde_json::json!(h));
        identity.insert("token_type".to_string(), serde_json::json!(h));
        let f = Finding {
            rule_id: h.into(),
            rule_name: h.into(),
            severity: Severity::High,
            confidence: Default::default(),
            fails: true,
            location: crate::finding::Location {
                path: h.into(),
                ..Default::default()
            },
            fingerprint: h.into(),
            secret: Some(h.into()),
            props: Properties {
                provider: h.into(),
                redacted: h.into(),
                commit: Some(format!("é{h}ééééééééééééé")),
                removed_in: Some(format!("ü{h}üüüüüüüüüüüüüü")),
                in_head: Some(false),
                author_name: Some(h.into()),
                author_email: Some(h.into()),
                committed_at: Some(h.into()),
                refs: vec![h.into(), h.into()],
                owner: Some(h.into()),
                owner_source: Some(h.into()),
                identity,
                config_key: Some(h.into()),
                store: Some(h.into()),
                tool: Some(h.into()),
                verification: Some(h.into()),
                principal: Some(h.into()),
                policy: Some(h.into()),
                suppressed_by: Some(h.into()),
                ..Properties::default()
            },
        };
        let mut coverage = CoverageRecord::default();
        coverage.notes.push(h.into());
        coverage.skipped.insert(h.into(), 1);
        let mut references = BTreeMap::new();
        references.insert(h.to_string(), 1);
        Report {
            coverage,
            findings: vec![f.clone()],
            suppressed: vec![f],
            references,
            ..Report::default()
        }
    }

    #[test]
    fn every_printed_string_is_escaped_and_keeps_to_its_line() {
        let hostile = "a\x1b[31mred\nb\r\u{9b}2J\u{202e}\x07";
        for color in [false, true] {
            let out = render(&report_of(hostile), color, true);
            let plain = render(&report_of("abcdefgh"), color, true);
            assert_eq!(out.lines().count(), plain.lines().count(), "{out}");
            assert!(out.contains("a\\x1b[31mred\\nb\\r\\u{9b}2J\\u{202e}\\x07"));
            assert!(!out.contains('\r') && !out.contains('\u{9b}') && !out.contains('\u{202e}'));
            if !color {
                assert!(!out.contains('\x1b'), "{out}");
            }
        }
    }
}
