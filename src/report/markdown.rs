//! Markdown summary (GitHub job summaries, pull request comments): findings by severity and by
//! owner, the most severe findings with links to the file at the commit, and what to do next.
//!
//! Everything shown comes from scanned data (paths, rule names from user rule files, owners,
//! authors) and is rendered inert: control characters are escaped as for a terminal, HTML's
//! special characters become entities, and every other ASCII punctuation mark is
//! backslash-escaped, so no value can open a link, an image, a table cell, a heading, a
//! mention or an HTML tag. Secrets only appear in their redacted form. Links are only built
//! from a web address given by the caller (or an `https://` remote) and a hexadecimal commit
//! id; their path is percent-encoded.

use super::Report;
use crate::finding::{Finding, SourceKind};
use crate::rules::Severity;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Findings listed in full by default.
pub const DEFAULT_TOP: usize = 10;
/// Owners listed in the owner table before the rest are counted as "more".
const MAX_OWNERS: usize = 20;

/// Where file links point: `{web}/blob/{sha}/{path}#L{line}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links {
    /// The repository's web address, e.g. `https://github.com/owner/repo`.
    pub web: Option<String>,
    /// The commit files on disk are linked at (the scanned revision).
    pub sha: Option<String>,
}

impl Links {
    /// Links for a report from the repository it names: its `https://` remote (without
    /// `.git`) and the scanned revision. None for other remotes (ssh, file paths).
    pub fn from_report(report: &Report) -> Links {
        let repo = report.scan.repository.as_ref();
        Links {
            web: repo
                .and_then(|r| r.uri.as_deref())
                .filter(|u| u.starts_with("https://"))
                .map(|u| u.trim_end_matches('/').trim_end_matches(".git").to_string()),
            sha: repo.and_then(|r| r.revision.clone()),
        }
    }

    /// The link to `f`'s first line: at its introducing commit for history findings, at the
    /// scanned revision for files on disk; none for other sources or without an address.
    fn to(&self, f: &Finding) -> Option<String> {
        let web = self.web.as_deref().filter(|w| is_web_address(w))?;
        let sha = match f.props.source {
            SourceKind::GitHistory => f.props.commit.as_deref(),
            SourceKind::File => self.sha.as_deref(),
            _ => None,
        }
        .filter(|s| is_commit_id(s))?;
        if f.location.path.is_empty() {
            return None;
        }
        Some(format!(
            "{}/blob/{sha}/{}#L{}",
            encode(web.trim_end_matches('/'), true),
            encode(&f.location.path, false),
            f.location.start_line
        ))
    }
}

fn is_web_address(s: &str) -> bool {
    (s.starts_with("https://") || s.starts_with("http://")) && !s.chars().any(char::is_whitespace)
}

fn is_commit_id(s: &str) -> bool {
    (7..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Percent-encode everything but unreserved characters and `/` (and, in the web address part,
/// the `:` of the scheme and port).
fn encode(s: &str, address: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/')
            || (address && b == b':');
        if keep {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// `s` as inert Markdown text on one line (see the module doc).
pub fn text(s: &str) -> String {
    let line = super::escape::for_terminal(s);
    let mut out = String::with_capacity(line.len() + 8);
    for c in line.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// The whole summary. `top` caps the findings listed one by one.
pub fn render(report: &Report, links: &Links, top: usize) -> String {
    let mut out = String::new();
    heading(&mut out, report);
    if report.findings.is_empty() {
        out.push_str("No secrets found.\n");
        return out;
    }
    by_severity(&mut out, report);
    by_owner(&mut out, &report.findings);
    top_findings(&mut out, &report.findings, links, top);
    next_steps(&mut out);
    out
}

fn heading(out: &mut String, report: &Report) {
    let failing = report.findings.iter().filter(|f| f.fails).count();
    let _ = writeln!(
        out,
        "## keytrace: {} finding(s), {failing} failing\n",
        report.findings.len()
    );
    let mut scanned = format!("Scanned: {}", text(&report.scan.kind));
    if !report.scan.targets.is_empty() {
        let targets: Vec<String> = report.scan.targets.iter().map(|t| text(t)).collect();
        let _ = write!(scanned, " of {}", targets.join(", "));
    }
    let _ = write!(
        scanned,
        " ({} blob(s), {} byte(s))",
        report.coverage.blobs_scanned, report.coverage.bytes_scanned
    );
    if !report.suppressed.is_empty() {
        let _ = write!(
            scanned,
            "; {} suppressed by baseline, allowlist or inline ignore",
            report.suppressed.len()
        );
    }
    let _ = writeln!(out, "{scanned}.\n");
}

fn by_severity(out: &mut String, report: &Report) {
    out.push_str("### By severity\n\n| Severity | Findings | Failing |\n| --- | ---: | ---: |\n");
    for (severity, n) in report.by_severity() {
        let failing = report
            .findings
            .iter()
            .filter(|f| f.severity == severity && f.fails)
            .count();
        let _ = writeln!(out, "| {severity} | {n} | {failing} |");
    }
    out.push('\n');
}

fn owner_of(f: &Finding) -> String {
    match f.props.owner.as_deref() {
        Some(o) if !o.is_empty() => text(o),
        _ => "_no owner_".to_string(),
    }
}

fn by_owner(out: &mut String, findings: &[Finding]) {
    let mut counts: BTreeMap<String, [usize; 5]> = BTreeMap::new();
    for f in findings {
        counts.entry(owner_of(f)).or_default()[f.severity as usize] += 1;
    }
    let mut rows: Vec<(String, [usize; 5])> = counts.into_iter().collect();
    // Most severe findings first, then most findings, then by name.
    rows.sort_by(|a, b| {
        let key = |c: &[usize; 5]| {
            let mut k = *c;
            k.reverse();
            (k, c.iter().sum::<usize>())
        };
        key(&b.1).cmp(&key(&a.1)).then(a.0.cmp(&b.0))
    });
    out.push_str("### By owner\n\n| Owner |");
    for s in Severity::ALL {
        let _ = write!(out, " {s} |");
    }
    out.push_str(" Total |\n| --- |");
    out.push_str(&" ---: |".repeat(Severity::ALL.len() + 1));
    out.push('\n');
    for (owner, c) in rows.iter().take(MAX_OWNERS) {
        let _ = write!(out, "| {owner} |");
        for s in Severity::ALL {
            let _ = write!(out, " {} |", c[s as usize]);
        }
        let _ = writeln!(out, " {} |", c.iter().sum::<usize>());
    }
    if rows.len() > MAX_OWNERS {
        let _ = writeln!(out, "\n…and {} more owner(s).", rows.len() - MAX_OWNERS);
    }
    out.push('\n');
}

fn top_findings(out: &mut String, findings: &[Finding], links: &Links, top: usize) {
    let mut order: Vec<&Finding> = findings.iter().collect();
    order.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.fails.cmp(&a.fails))
            .then_with(|| a.sort_key().cmp(&b.sort_key()))
    });
    let shown = order.len().min(top);
    let _ = writeln!(out, "### Top findings ({shown} of {})\n", order.len());
    out.push_str("| Severity | Finding | Where | Secret | Owner | Introduced |\n");
    out.push_str("| --- | --- | --- | --- | --- | --- |\n");
    for f in order.into_iter().take(top) {
        let place = format!("{}:{}", f.location.path, f.location.start_line);
        let place = match links.to(f) {
            Some(url) => format!("[{}]({url})", text(&place)),
            None => text(&place),
        };
        let fails = if f.fails { "" } else { " (warn)" };
        let _ = writeln!(
            out,
            "| {}{fails} | {} | {place} | {} | {} | {} |",
            f.severity,
            text(&f.rule_name),
            text(&f.props.redacted),
            owner_of(f),
            introduced(f)
        );
    }
    out.push('\n');
}

/// `abc1234 by Name, 2024-01-01` from what is known of the introducing commit.
fn introduced(f: &Finding) -> String {
    let p = &f.props;
    let mut parts = Vec::new();
    if let Some(c) = &p.commit {
        parts.push(text(c.get(..7).unwrap_or(c)));
    }
    if let Some(name) = p.author_name.as_deref().or(p.author_email.as_deref()) {
        parts.push(format!("by {}", text(name)));
    }
    if let Some(date) = &p.committed_at {
        parts.push(text(date.get(..10).unwrap_or(date)));
    }
    if parts.is_empty() {
        "–".to_string()
    } else {
        parts.join(" ")
    }
}

fn next_steps(out: &mut String) {
    out.push_str(
        "### What to do next\n\n\
1. **Rotate** each real credential at its provider first: once committed, it stays in the \
history and in every clone, whatever the next commit does.\n\
2. **Remove** it from the code and read it from the CI secret store or a secret manager.\n\
3. **Not a secret?** Add an `[allowlist]` entry to `keytrace.toml` (path, rule or \
fingerprint), or put `keytrace:allow` in a comment on the line.\n\
4. **Accepting existing findings** in an old repository: record them with \
`keytrace baseline create -o .keytrace-baseline.json` and scan with \
`--baseline .keytrace-baseline.json`, so only new ones fail.\n",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Location, Properties};
    use crate::report::{RepoInfo, ScanInfo};

    fn finding(path: &str, line: usize, severity: Severity, owner: Option<&str>) -> Finding {
        Finding {
            rule_id: "acme-api-key".into(),
            rule_name: "Acme API key".into(),
            severity,
            confidence: Default::default(),
            fails: severity >= Severity::High,
            location: Location {
                path: path.into(),
                start_line: line,
                start_column: 1,
                end_line: line,
                end_column: 30,
            },
            fingerprint: format!("fp-{path}-{line}"),
            secret: None,
            props: Properties {
                redacted: "acme_Q3…dF".into(),
                owner: owner.map(str::to_string),
                source: SourceKind::GitHistory,
                commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
                author_name: Some("Alice".into()),
                committed_at: Some("2024-01-01T00:00:00Z".into()),
                ..Properties::default()
            },
        }
    }

    fn report(findings: Vec<Finding>) -> Report {
        Report {
            scan: ScanInfo {
                kind: "range".into(),
                targets: vec![".".into()],
                repository: Some(RepoInfo {
                    uri: Some("https://github.com/acme/app.git".into()),
                    revision: Some("fedcba9876543210fedcba9876543210fedcba98".into()),
                    branch: None,
                }),
                ruleset_hash: String::new(),
                secret_hash: None,
            },
            findings,
            ..Report::default()
        }
    }

    #[test]
    fn summary_of_a_range_scan() {
        let r = report(vec![
            finding("config/app.env", 3, Severity::High, Some("@acme/platform")),
            finding("src/main.py", 10, Severity::Critical, None),
            finding("docs/setup.md", 7, Severity::Medium, Some("@acme/docs")),
        ]);
        let out = render(&r, &Links::from_report(&r), DEFAULT_TOP);
        insta::assert_snapshot!("markdown_range_summary", out);
    }

    #[test]
    fn nothing_found_says_so() {
        let r = report(vec![]);
        let out = render(&r, &Links::default(), DEFAULT_TOP);
        assert!(out.contains("No secrets found."), "{out}");
        assert!(!out.contains("What to do next"), "{out}");
    }

    #[test]
    fn most_severe_come_first_and_the_list_is_capped() {
        let mut findings: Vec<Finding> = (1..=12)
            .map(|i| finding("a.env", i, Severity::Low, None))
            .collect();
        findings.push(finding("z.env", 1, Severity::Critical, None));
        let out = render(&report(findings), &Links::default(), 3);
        assert!(out.contains("### Top findings (3 of 13)"), "{out}");
        let rows: Vec<&str> = out
            .lines()
            .skip_while(|l| !l.starts_with("### Top"))
            .filter(|l| {
                l.starts_with("| ") && !l.starts_with("| Severity") && !l.starts_with("| ---")
            })
            .collect();
        assert_eq!(rows.len(), 3, "{out}");
        assert!(rows[0].starts_with("| critical"), "{out}");
        assert!(rows[0].contains("z\\.env\\:1"), "{out}");
    }

    #[test]
    fn hostile_names_stay_inert() {
        let mut f = finding(
            "a|b/<img src=x onerror=alert(1)>/[x](javascript:y)\n# h.env",
            1,
            Severity::High,
            Some("@everyone`|"),
        );
        f.rule_name = "**bold** <script>".into();
        let r = report(vec![f]);
        let out = render(&r, &Links::from_report(&r), DEFAULT_TOP);
        for bad in [
            "<img",
            "<script",
            "](javascript",
            "\n# h",
            "**bold**",
            " @everyone",
        ] {
            assert!(!out.contains(bad), "{bad} in {out}");
        }
        let row = out
            .lines()
            .find(|l| l.starts_with("| high") && l.contains("blob"))
            .expect("row");
        // Six cells: every `|` from the data is escaped.
        assert_eq!(row.matches(" | ").count() + 1, 6, "{row}");
        assert!(
            row.contains("%3Cimg%20src%3Dx"),
            "link path is percent-encoded: {row}"
        );
    }

    #[test]
    fn links_point_at_the_introducing_commit_or_the_scanned_revision() {
        let links = Links {
            web: Some("https://github.com/acme/app".into()),
            sha: Some("fedcba9876543210fedcba9876543210fedcba98".into()),
        };
        let mut f = finding("dir x/k.env", 4, Severity::High, None);
        assert_eq!(
            links.to(&f).as_deref(),
            Some(
                "https://github.com/acme/app/blob/0123456789abcdef0123456789abcdef01234567/dir%20x/k.env#L4"
            )
        );
        f.props.source = SourceKind::File;
        assert!(links.to(&f).unwrap().contains("/blob/fedcba98"));
        f.props.source = SourceKind::ConfigStore;
        assert_eq!(links.to(&f), None);
        let bad = Links {
            web: Some("javascript:alert(1)".into()),
            sha: Some("not-a-sha".into()),
        };
        f.props.source = SourceKind::File;
        assert_eq!(bad.to(&f), None);
    }

    #[test]
    fn ssh_remotes_give_no_links() {
        let mut r = report(vec![]);
        r.scan.repository.as_mut().unwrap().uri = Some("git@github.com:acme/app.git".into());
        assert_eq!(Links::from_report(&r).web, None);
    }
}
