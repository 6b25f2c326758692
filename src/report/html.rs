//! The HTML report: one self-contained file (inline CSS, SVG and one inline script, no network
//! assets, a Content-Security-Policy that forbids fetching anything) that a security team can
//! open from a CI artifact or mail around.
//!
//! Sections: the run at a glance; filters (a search box over rule, path, repository, owner and
//! provider, a severity and a repository filter; the inline script hides non-matching rows of
//! every findings table and of the repository table, and the page reads fine without it);
//! repositories, the riskiest first (most severe finding, new,
//! fixed since the last run, owners); NEW findings since the last run grouped by owner (owners
//! compared case-insensitively, most severe first, collapsible); in sweeps, findings fixed since
//! the last run (moved to `removed-from-head`); counts by provider and severity
//! with a bar chart; exposures (one secret, by `secret_sha256`, found in several repositories,
//! listed once with all its places); a table per owner; findings in test fixtures, vendored
//! trees and rule data, listed apart. Secrets appear only in redacted form (the report never holds clear text).

use super::Report;
use crate::finding::Finding;
use crate::rules::Severity;
use crate::sweep::{RepoOutcome, SweepSection};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// The owner a finding is listed under: the resolved owner, else the introducing author's
/// email, else `(no owner)`.
pub fn owner_of(f: &Finding) -> &str {
    f.props
        .owner
        .as_deref()
        .or(f.props.author_email.as_deref())
        .filter(|s| !s.is_empty())
        .unwrap_or("(no owner)")
}

/// Escape text for HTML content and attribute values (always double- or single-quoted here).
/// Control characters and bidi overrides are first made visible as with the terminal report:
/// they are invalid in HTML or would reorder what the reader sees.
pub fn esc(s: &str) -> String {
    let s = super::escape::for_terminal(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1c2330;background:#f6f7f9}
header{background:#1c2330;color:#fff;padding:18px 28px}header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;color:#c5cbd6}main{padding:8px 28px 40px}
section{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:14px 18px;margin:18px 0}
h2{font-size:18px;margin:0 0 10px}h3{font-size:15px;margin:16px 0 6px;display:inline-block}summary{cursor:pointer}
.tiles{display:flex;flex-wrap:wrap;gap:12px}.tile{border:1px solid #dde1e7;border-radius:6px;padding:8px 14px;min-width:110px}
.tile b{display:block;font-size:22px}.tile span{color:#5b6473;font-size:12px}
table{border-collapse:collapse;width:100%;margin:4px 0 8px}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eceff3;vertical-align:top}
th{background:#f0f2f5;font-weight:600}td.n,th.n{text-align:right}code{font:12px ui-monospace,Menlo,Consolas,monospace}
.sev{display:inline-block;padding:0 6px;border-radius:4px;font-size:12px;color:#fff}
.sev-critical{background:#8e1b1b}.sev-high{background:#c0392b}.sev-medium{background:#d68910}.sev-low{background:#2e86c1}.sev-info{background:#7f8c8d}
.st{font-size:12px;padding:0 6px;border-radius:4px;border:1px solid #ccd}.st-new{background:#fdecea;border-color:#e6a0a0}
.st-removed-from-head{background:#eef6ee;border-color:#a6cfa6}.muted{color:#5b6473}.err{color:#a12b2b}
.exposure{border-left:4px solid #c0392b;padding:4px 12px;margin:10px 0}
[hidden]{display:none!important}
#filters{display:flex;flex-wrap:wrap;gap:10px 18px;align-items:center;position:sticky;top:0;z-index:1}
#filters input{font:inherit;padding:4px 8px;min-width:280px;flex:1;max-width:520px}#filters select{font:inherit;padding:3px 6px}
";

/// The filters: every `tr.finding` carries `data-text` (lower-cased rule, name, path,
/// repository, owner, provider), `data-sev` and `data-repo`; `tr.repo` carries `data-repo`.
/// Search terms (split on spaces) must all occur; a `<details>` group whose findings are all
/// hidden is hidden too. Holds no `<` (the report's markup test counts every tag) and never
/// writes markup: only the `hidden` property and text.
const SCRIPT: &str = r#"
(function () {
  var q = document.getElementById('f-search'), sev = document.getElementById('f-sev'),
      repo = document.getElementById('f-repo'), shown = document.getElementById('shown');
  function apply() {
    var terms = q.value.trim().toLowerCase().split(/\s+/).filter(Boolean),
        s = sev.value, r = repo.value, n = 0;
    document.querySelectorAll('tr.finding').forEach(function (tr) {
      var ok = terms.every(function (t) { return tr.dataset.text.indexOf(t) !== -1; })
        && (!s || tr.dataset.sev === s) && (!r || tr.dataset.repo === r);
      tr.hidden = !ok;
      if (ok) { n++; }
    });
    document.querySelectorAll('tr.repo').forEach(function (tr) {
      tr.hidden = !!r && tr.dataset.repo !== r;
    });
    document.querySelectorAll('details').forEach(function (d) {
      var rows = Array.prototype.slice.call(d.querySelectorAll('tr.finding'));
      d.hidden = rows.length !== 0 && rows.every(function (tr) { return tr.hidden; });
    });
    shown.textContent = terms.length || s || r ? n + ' matching rows' : '';
  }
  q.addEventListener('input', apply);
  sev.addEventListener('change', apply);
  repo.addEventListener('change', apply);
  apply();
})();
"#;

/// Render the report as one HTML document.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">",
    );
    out.push_str("<title>keytrace report</title><style>");
    out.push_str(STYLE);
    out.push_str("</style></head><body>\n");
    header(&mut out, report);
    out.push_str("<main>\n");
    overview(&mut out, report);
    filters(&mut out, report);
    if let Some(s) = &report.sweep {
        repositories(&mut out, s, &report.findings);
    }
    // Findings in test fixtures, vendored trees and rule data are listed apart, after the
    // findings that need triage (counts and exposures still include them).
    let (apart, triage): (Vec<&Finding>, Vec<&Finding>) = report
        .findings
        .iter()
        .partition(|f| apart_kind(&f.location.path).is_some());
    new_by_owner(&mut out, &triage);
    if report.sweep.is_some() {
        fixed_section(&mut out, &report.findings);
    }
    by_provider(&mut out, &report.findings);
    exposures(&mut out, &report.findings);
    owner_tables(&mut out, &triage);
    remediation(&mut out, &report.findings);
    apart_section(&mut out, &apart);
    out.push_str("</main><script>");
    out.push_str(SCRIPT);
    out.push_str("</script></body></html>\n");
    out
}

fn header(out: &mut String, report: &Report) {
    let when = report
        .sweep
        .as_ref()
        .map(|s| format!("run started {} · finished {}", s.started_at, s.finished_at))
        .unwrap_or_default();
    let shards = report
        .sweep
        .as_ref()
        .filter(|s| !s.shards.is_empty())
        .map(|s| format!(" · shards {}", s.shards.join(", ")))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "<header><h1>keytrace {} report</h1><p>{}{} · ruleset <code>{}</code></p></header>",
        esc(&report.scan.kind),
        esc(&when),
        esc(&shards),
        esc(report
            .scan
            .ruleset_hash
            .get(..12)
            .unwrap_or(&report.scan.ruleset_hash)),
    );
}

fn is_new(f: &Finding) -> bool {
    f.props.status.as_deref() == Some("new")
}

fn overview(out: &mut String, report: &Report) {
    let f = &report.findings;
    let mut tiles: Vec<(String, &str)> = vec![
        (f.len().to_string(), "findings"),
        (
            f.iter().filter(|f| is_new(f)).count().to_string(),
            "new since last run",
        ),
        (
            f.iter()
                .map(|f| f.props.secret_sha256.as_str())
                .collect::<BTreeSet<_>>()
                .len()
                .to_string(),
            "distinct secrets",
        ),
    ];
    if let Some(s) = &report.sweep {
        tiles.push((s.totals.repositories.to_string(), "repositories"));
        tiles.push((s.totals.unchanged.to_string(), "unchanged"));
        tiles.push((s.totals.failed.to_string(), "failed"));
    }
    tiles.push((report.coverage.blobs_scanned.to_string(), "blobs read"));
    out.push_str("<section id=\"overview\"><h2>Overview</h2><div class=\"tiles\">");
    for (n, label) in tiles {
        let _ = write!(
            out,
            "<div class=\"tile\"><b>{n}</b><span>{label}</span></div>"
        );
    }
    out.push_str("</div></section>\n");
}

/// Findings grouped by owner for triage: owners compared case-insensitively (one person who
/// committed as `Alice@Example.com` and `alice@example.com` is one group, shown with the first
/// spelling met), the groups with the most severe findings first (then the largest), and each
/// group's findings most severe first.
fn group_by_owner<'a>(
    findings: impl Iterator<Item = &'a Finding>,
) -> Vec<(&'a str, Vec<&'a Finding>)> {
    let mut by: BTreeMap<String, (&str, Vec<&Finding>)> = BTreeMap::new();
    for f in findings {
        let owner = owner_of(f);
        by.entry(owner.to_lowercase())
            .or_insert_with(|| (owner, Vec::new()))
            .1
            .push(f);
    }
    let mut groups: Vec<(&str, Vec<&Finding>)> = by.into_values().collect();
    for (_, list) in &mut groups {
        list.sort_by_key(|f| std::cmp::Reverse(f.severity));
    }
    groups.sort_by(|(_, a), (_, b)| {
        let worst = |l: &[&Finding]| l.iter().map(|f| f.severity).max();
        worst(b).cmp(&worst(a)).then(b.len().cmp(&a.len()))
    });
    groups
}

/// The search box and the severity and repository filters (driven by `SCRIPT`).
fn filters(out: &mut String, report: &Report) {
    let mut repos: BTreeSet<&str> = report
        .findings
        .iter()
        .filter_map(|f| f.props.repository.as_deref())
        .collect();
    if let Some(s) = &report.sweep {
        repos.extend(s.repositories.iter().map(|r| r.identity.as_str()));
    }
    out.push_str(
        "<section id=\"filters\"><input type=\"search\" id=\"f-search\" \
         placeholder=\"Search rule, path, repository, owner\" aria-label=\"Search findings\">\
         <label>Severity <select id=\"f-sev\"><option value=\"\">all</option>",
    );
    for s in Severity::ALL {
        let _ = write!(out, "<option value=\"{s}\">{s}</option>");
    }
    out.push_str(
        "</select></label><label>Repository <select id=\"f-repo\"><option value=\"\">all</option>",
    );
    for r in repos {
        let _ = write!(out, "<option value=\"{r}\">{r}</option>", r = esc(r));
    }
    out.push_str("</select></label><span id=\"shown\" class=\"muted\"></span></section>\n");
}

/// Findings a sweep saw move to `removed-from-head` since the last run that wrote its report.
fn fixed_section(out: &mut String, findings: &[Finding]) {
    let list: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.props.fixed_since_last_run)
        .collect();
    out.push_str(
        "<section id=\"fixed\"><h2>Fixed since the last run</h2><p class=\"muted\">Removed from \
         HEAD since the last run. Each secret is still in the history: rotate it if that is not \
         done yet.</p>",
    );
    if list.is_empty() {
        out.push_str("<p class=\"muted\">Nothing fixed since the last run.</p>");
    } else {
        findings_table(out, &list);
    }
    out.push_str("</section>\n");
}

fn new_by_owner(out: &mut String, findings: &[&Finding]) {
    out.push_str("<section id=\"new\"><h2>New since the last run</h2>\n");
    let by = group_by_owner(findings.iter().copied().filter(|f| is_new(f)));
    if by.is_empty() {
        out.push_str("<p class=\"muted\">No new findings.</p>");
    }
    for (owner, list) in by {
        let _ = write!(
            out,
            "<details open class=\"owner-group\" data-owner=\"{o}\"><summary><h3>{o} <span class=\"muted\">({n} new)</span></h3></summary>",
            o = esc(owner),
            n = list.len()
        );
        findings_table(out, &list);
        out.push_str("</details>\n");
    }
    out.push_str("</section>\n");
}

fn findings_table(out: &mut String, list: &[&Finding]) {
    out.push_str(
        "<table><thead><tr><th>Severity</th><th>Repository</th><th>Location</th><th>Provider</th>\
         <th>Rule</th><th>Secret</th><th>Introduced</th><th>Status</th></tr></thead><tbody>",
    );
    for f in list {
        let introduced = match (&f.props.commit, &f.props.author_email) {
            (Some(c), Some(a)) => format!(
                "<code>{}</code> {} {}",
                esc(c.get(..10).unwrap_or(c)),
                esc(a),
                esc(f.props.committed_at.as_deref().unwrap_or(""))
            ),
            _ => String::new(),
        };
        let status = f.props.status.as_deref().unwrap_or("");
        let key = f
            .props
            .config_key
            .as_deref()
            .map(|k| format!(" <span class=\"muted\">{}</span>", esc(k)))
            .unwrap_or_default();
        let repo = f.props.repository.as_deref().unwrap_or("");
        let text = [
            f.rule_id.as_str(),
            f.rule_name.as_str(),
            f.location.path.as_str(),
            repo,
            owner_of(f),
            f.props.provider.as_str(),
        ]
        .join(" ")
        .to_lowercase();
        let _ = write!(
            out,
            "<tr class=\"finding\" data-sev=\"{sev}\" data-repo=\"{r}\" data-text=\"{}\"><td>{}</td><td>{r}</td><td><code>{}:{}</code>{key}</td><td>{}</td><td><code>{}</code></td>\
             <td><code>{}</code></td><td>{}</td><td><span class=\"st st-{s}\">{s}</span></td></tr>",
            esc(&text),
            severity_badge(f.severity),
            esc(&f.location.path),
            f.location.start_line,
            esc(&f.props.provider),
            esc(&f.rule_id),
            esc(&f.props.redacted),
            introduced,
            s = esc(status),
            sev = f.severity,
            r = esc(repo),
        );
    }
    out.push_str("</tbody></table>");
}

fn severity_badge(s: Severity) -> String {
    format!("<span class=\"sev sev-{s}\">{s}</span>")
}

fn by_provider(out: &mut String, findings: &[Finding]) {
    let mut counts: BTreeMap<&str, BTreeMap<Severity, usize>> = BTreeMap::new();
    for f in findings {
        *counts
            .entry(f.props.provider.as_str())
            .or_default()
            .entry(f.severity)
            .or_default() += 1;
    }
    out.push_str("<section id=\"providers\"><h2>By provider and severity</h2>");
    out.push_str("<table><thead><tr><th>Provider</th>");
    for s in Severity::ALL {
        let _ = write!(out, "<th class=\"n\">{s}</th>");
    }
    out.push_str("<th class=\"n\">total</th></tr></thead><tbody>");
    for (provider, by_sev) in &counts {
        let _ = write!(
            out,
            "<tr data-provider=\"{p}\"><td>{p}</td>",
            p = esc(provider)
        );
        for s in Severity::ALL {
            let _ = write!(
                out,
                "<td class=\"n\">{}</td>",
                by_sev.get(&s).copied().unwrap_or(0)
            );
        }
        let _ = write!(
            out,
            "<td class=\"n\">{}</td></tr>",
            by_sev.values().sum::<usize>()
        );
    }
    out.push_str("</tbody></table>");
    let totals: Vec<(&str, usize)> = counts.iter().map(|(p, m)| (*p, m.values().sum())).collect();
    bar_chart(out, &totals);
    out.push_str("</section>\n");
}

/// A horizontal bar chart as inline SVG: one bar per provider, most findings first.
fn bar_chart(out: &mut String, data: &[(&str, usize)]) {
    if data.is_empty() {
        return;
    }
    let mut data = data.to_vec();
    data.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let max = data.iter().map(|d| d.1).max().unwrap_or(1).max(1);
    let (label_w, bar_w, row_h) = (170.0, 420.0, 26.0);
    let height = row_h * data.len() as f64 + 10.0;
    let _ = write!(
        out,
        "<svg id=\"provider-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{height}\" \
         viewBox=\"0 0 {w} {height}\" role=\"img\" aria-label=\"Findings by provider\">",
        w = label_w + bar_w + 60.0
    );
    for (i, (provider, n)) in data.iter().enumerate() {
        let y = 5.0 + row_h * i as f64;
        let w = (bar_w * *n as f64 / max as f64).max(2.0);
        let _ = write!(
            out,
            "<g class=\"bar\" data-provider=\"{p}\"><text x=\"{tx}\" y=\"{ty}\" text-anchor=\"end\" font-size=\"13\">{p}</text>\
             <rect x=\"{label_w}\" y=\"{y}\" width=\"{w:.1}\" height=\"{h}\" rx=\"3\" fill=\"#c0392b\"/>\
             <text x=\"{nx:.1}\" y=\"{ty}\" font-size=\"13\">{n}</text></g>",
            p = esc(provider),
            tx = label_w - 8.0,
            ty = y + 15.0,
            h = row_h - 8.0,
            nx = label_w + w + 6.0,
        );
    }
    out.push_str("</svg>");
}

/// Secrets found in more than one repository: one entry each, with every place.
fn exposures(out: &mut String, findings: &[Finding]) {
    let mut by_secret: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        by_secret
            .entry(f.props.secret_sha256.as_str())
            .or_default()
            .push(f);
    }
    let mut shared: Vec<(&str, Vec<&Finding>, usize)> = by_secret
        .into_iter()
        .filter_map(|(sha, list)| {
            let repos: BTreeSet<Option<&str>> =
                list.iter().map(|f| f.props.repository.as_deref()).collect();
            (repos.len() > 1).then_some((sha, list, repos.len()))
        })
        .collect();
    shared.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
    out.push_str("<section id=\"exposures\"><h2>Same secret in several repositories</h2>");
    if shared.is_empty() {
        out.push_str("<p class=\"muted\">No secret was found in more than one repository.</p>");
    }
    for (sha, list, repos) in shared {
        let first = list[0];
        let _ = write!(
            out,
            "<div class=\"exposure\" data-secret=\"{}\"><h3><code>{}</code> {} · {} · {} repositories, {} places</h3><ul>",
            esc(sha.get(..16).unwrap_or(sha)),
            esc(&first.props.redacted),
            esc(&first.props.provider),
            esc(&first.rule_id),
            repos,
            list.len()
        );
        for f in list {
            let _ = write!(
                out,
                "<li class=\"place\">{} <code>{}:{}</code> <span class=\"muted\">{} {}</span></li>",
                esc(f.props.repository.as_deref().unwrap_or("")),
                esc(&f.location.path),
                f.location.start_line,
                esc(owner_of(f)),
                esc(f.props.status.as_deref().unwrap_or("")),
            );
        }
        out.push_str("</ul></div>");
    }
    out.push_str("</section>\n");
}

/// What to do, once per remediation family present: revoke and rotate (provider docs), and the
/// short-lived, workload-bound replacement (see `crate::remediation`).
fn remediation(out: &mut String, findings: &[Finding]) {
    let mut families: BTreeMap<&str, (&crate::remediation::Remediation, BTreeSet<&str>)> =
        BTreeMap::new();
    for f in findings {
        let r = crate::remediation::lookup(&f.props.provider, &f.props.category);
        families
            .entry(r.key)
            .or_insert_with(|| (r, BTreeSet::new()))
            .1
            .insert(f.props.provider.as_str());
    }
    out.push_str("<section id=\"remediation\"><h2>Remediation</h2>");
    if families.is_empty() {
        out.push_str("<p class=\"muted\">Nothing to remediate.</p>");
    } else {
        out.push_str(
            "<table><thead><tr><th>Providers</th><th>Revoke and rotate</th>\
             <th>Replace with a short-lived, workload-bound credential</th></tr></thead><tbody>",
        );
    }
    for (key, (r, providers)) in &families {
        let names: Vec<&str> = providers.iter().copied().collect();
        let _ = write!(
            out,
            "<tr data-remediation=\"{}\"><td>{}</td><td>{} <a href=\"{}\">docs</a></td><td>{} <a href=\"{}\">how</a></td></tr>",
            esc(key),
            esc(&names.join(", ")),
            esc(r.revoke),
            esc(r.revoke_url),
            esc(r.replace),
            esc(r.replace_url),
        );
    }
    if !families.is_empty() {
        out.push_str("</tbody></table>");
    }
    out.push_str("</section>\n");
}

fn owner_tables(out: &mut String, findings: &[&Finding]) {
    out.push_str("<section id=\"owners\"><h2>Findings by owner</h2>");
    let by = group_by_owner(findings.iter().copied());
    if by.is_empty() {
        out.push_str("<p class=\"muted\">No findings.</p>");
    }
    for (owner, list) in by {
        let _ = write!(
            out,
            "<details open class=\"owner-table\" data-owner=\"{o}\"><summary><h3>{o} <span class=\"muted\">({n})</span></h3></summary>",
            o = esc(owner),
            n = list.len()
        );
        findings_table(out, &list);
        out.push_str("</details>");
    }
    out.push_str("</section>\n");
}

/// Why a finding at `path` is listed apart from those to triage: in a test fixture, in a
/// vendored tree, or in rule data (a scanner's rule files hold example secrets by design).
pub fn apart_kind(path: &str) -> Option<&'static str> {
    let lower = path.to_ascii_lowercase();
    let dirs: Vec<&str> = lower.split('/').collect();
    let dirs = &dirs[..dirs.len().saturating_sub(1)];
    let name = lower.rsplit('/').next().unwrap_or("");
    let has = |set: &[&str]| dirs.iter().any(|d| set.contains(d));
    if has(&[
        "vendor",
        "vendored",
        "node_modules",
        "third_party",
        "third-party",
    ]) {
        Some("vendored")
    } else if has(&[
        "test",
        "tests",
        "testdata",
        "test-data",
        "fixtures",
        "fixture",
        "__tests__",
        "__fixtures__",
        "spec",
        "specs",
    ]) {
        Some("test fixture")
    } else if name == "gitleaks.toml"
        || name == ".gitleaks.toml"
        || (has(&["rules"])
            && [".toml", ".yaml", ".yml", ".json"]
                .iter()
                .any(|e| name.ends_with(e)))
    {
        Some("rule data")
    } else {
        None
    }
}

/// Findings in test fixtures, vendored trees and rule data, collapsed by default.
fn apart_section(out: &mut String, apart: &[&Finding]) {
    out.push_str("<section id=\"apart\"><h2>Test fixtures, vendored code and rule data</h2>");
    if apart.is_empty() {
        out.push_str("<p class=\"muted\">None.</p>");
    }
    for kind in ["test fixture", "vendored", "rule data"] {
        let list: Vec<&Finding> = apart
            .iter()
            .copied()
            .filter(|f| apart_kind(&f.location.path) == Some(kind))
            .collect();
        if list.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            "<details class=\"apart\" data-kind=\"{k}\"><summary><h3>{k} <span class=\"muted\">({n})</span></h3></summary>",
            k = esc(kind),
            n = list.len()
        );
        findings_table(out, &list);
        out.push_str("</details>");
    }
    out.push_str("</section>\n");
}

/// One row per repository, the riskiest first (failed, then by most severe finding, then by
/// new findings): findings, new, fixed since the last run (moved to `removed-from-head`, see
/// `Properties::fixed_since_last_run`), owners (merged
/// case-insensitively), outcome and when it was last scanned.
fn repositories(out: &mut String, s: &SweepSection, findings: &[Finding]) {
    out.push_str(
        "<section id=\"repositories\"><h2>Repositories</h2><table><thead><tr>\
                  <th>Repository</th><th>Most severe</th><th class=\"n\">Findings</th>\
                  <th class=\"n\">New</th><th class=\"n\">Fixed</th><th>Owners</th>\
                  <th>Outcome</th><th class=\"n\">Blobs read</th><th>Last scanned</th>\
                  <th>Error</th></tr></thead><tbody>",
    );
    let mut per_repo: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        if let Some(r) = f.props.repository.as_deref() {
            per_repo.entry(r).or_default().push(f);
        }
    }
    let of = |r: &str| per_repo.get(r).cloned().unwrap_or_default().into_iter();
    let worst = |r: &str| of(r).map(|f| f.severity).max();
    let mut repos: Vec<_> = s.repositories.iter().collect();
    repos.sort_by(|a, b| {
        (b.outcome == RepoOutcome::Failed)
            .cmp(&(a.outcome == RepoOutcome::Failed))
            .then(worst(&b.identity).cmp(&worst(&a.identity)))
            .then(b.new_findings.cmp(&a.new_findings))
            .then(a.identity.cmp(&b.identity))
    });
    for r in repos {
        let outcome = serde_json::to_value(r.outcome)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let fixed = of(&r.identity)
            .filter(|f| f.props.fixed_since_last_run)
            .count();
        let mut owners: BTreeMap<String, &str> = BTreeMap::new();
        for f in of(&r.identity) {
            owners
                .entry(owner_of(f).to_lowercase())
                .or_insert(owner_of(f));
        }
        let owners: Vec<String> = owners.values().map(|o| esc(o)).collect();
        let scanned = match r.outcome {
            RepoOutcome::Scanned | RepoOutcome::Unchanged => s.finished_at.as_str(),
            _ => "",
        };
        let _ = write!(
            out,
            "<tr class=\"repo repo-{o}\" data-repo=\"{id}\"><td>{id}</td><td>{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n fixed\">{fixed}</td><td class=\"owners\">{}</td><td>{o}</td>\
             <td class=\"n\">{}</td><td>{}</td><td class=\"err\">{}</td></tr>",
            worst(&r.identity).map(severity_badge).unwrap_or_default(),
            r.findings,
            r.new_findings,
            owners.join(", "),
            r.blobs_matched,
            esc(scanned),
            esc(r.error.as_deref().unwrap_or("")),
            id = esc(&r.identity),
            o = esc(&outcome),
        );
    }
    out.push_str("</tbody></table></section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Properties;
    use crate::report::ScanInfo;

    fn finding(repo: &str, sha: &str, owner: Option<&str>, email: Option<&str>) -> Finding {
        Finding {
            rule_id: "acme-api-key".into(),
            rule_name: "Acme".into(),
            severity: Severity::High,
            confidence: Default::default(),
            fails: true,
            location: Default::default(),
            fingerprint: format!("{repo}{sha}"),
            secret: None,
            props: Properties {
                provider: "acme".into(),
                redacted: "<script>…".into(),
                secret_sha256: sha.into(),
                repository: Some(repo.into()),
                owner: owner.map(Into::into),
                author_email: email.map(Into::into),
                status: Some("new".into()),
                ..Properties::default()
            },
        }
    }

    /// Every string a report carries, set to markup that breaks out of text and attributes.
    fn hostile_report(h: &str) -> Report {
        let mut f = finding(h, h, Some(h), Some(h));
        f.rule_id = h.into();
        f.rule_name = h.into();
        f.location.path = h.into();
        f.props.provider = h.into();
        f.props.commit = Some(h.into());
        f.props.committed_at = Some(h.into());
        f.props.config_key = Some(h.into());
        f.props.status = Some(h.into());
        let mut g = f.clone();
        g.props.repository = Some(format!("{h}2"));
        let repo = crate::sweep::RepoSummary {
            identity: h.into(),
            location: h.into(),
            outcome: RepoOutcome::Failed,
            error: Some(h.into()),
            config_error: Some(h.into()),
            head: Some(h.into()),
            branch: Some(h.into()),
            blobs_matched: 0,
            layers_read: None,
            layers_reused: None,
            findings: 0,
            new_findings: 0,
        };
        Report {
            scan: ScanInfo {
                kind: h.into(),
                ruleset_hash: h.into(),
                ..ScanInfo::default()
            },
            findings: vec![f, g],
            sweep: Some(SweepSection {
                started_at: h.into(),
                finished_at: h.into(),
                shards: vec![h.into()],
                repositories: vec![repo],
                ..SweepSection::default()
            }),
            ..Report::default()
        }
    }

    #[test]
    fn every_interpolated_value_is_escaped() {
        let h = "<b0rk a=\"q\" b='q'>\x1b[2J\u{202e}\n";
        let html = render(&hostile_report(h));
        assert!(html.contains("b0rk"), "the values are shown");
        assert!(!html.contains("<b0rk"), "no element injected");
        assert!(
            !html.contains("=\"q") && !html.contains("='q"),
            "no attribute broken"
        );
        assert!(!html.contains('\x1b') && !html.contains('\u{202e}'));
        assert!(
            html.contains("\\x1b[2J\\u{202e}\\n"),
            "controls shown as escapes"
        );
        // Every `<` starts one of our own tags.
        let tags: BTreeSet<&str> = html
            .split('<')
            .skip(1)
            .map(|t| t.split([' ', '>', '/']).next().unwrap_or(""))
            .collect();
        let ours = "!DOCTYPE html head meta title style body header h1 h2 h3 p code main section \
                    div b span table thead tbody tr th td svg g text rect ul li a details summary \
                    script input label select option";
        for t in tags.iter().filter(|t| !t.is_empty()) {
            assert!(ours.split(' ').any(|o| o == *t), "unexpected tag <{t}");
        }
    }

    #[test]
    fn owner_falls_back_to_author_then_placeholder() {
        assert_eq!(
            owner_of(&finding("r", "s", Some("@team"), Some("a@x"))),
            "@team"
        );
        assert_eq!(owner_of(&finding("r", "s", None, Some("a@x"))), "a@x");
        assert_eq!(owner_of(&finding("r", "s", None, None)), "(no owner)");
    }

    #[test]
    fn escapes_everything_from_findings_and_groups_exposures() {
        let report = Report {
            findings: vec![
                finding("r1", "aa", None, None),
                finding("r2", "aa", None, None),
                finding("r3", "bb", None, None),
            ],
            ..Report::default()
        };
        let html = render(&report);
        assert_eq!(
            html.matches("<script").count(),
            1,
            "only the report's own script"
        );
        assert!(html.contains("&lt;script&gt;…"));
        assert_eq!(html.matches("class=\"exposure\"").count(), 1);
        assert!(html.contains("2 repositories, 2 places"));
        // Self-contained: nothing is loaded from anywhere.
        for fetch in [
            " src=",
            "<link",
            "<script ",
            "url(",
            "fetch(",
            "XMLHttpRequest",
        ] {
            assert!(!html.contains(fetch), "{fetch}");
        }
        assert!(html.contains("content=\"default-src 'none';"));
    }

    #[test]
    fn remediation_is_listed_once_per_family_with_its_links() {
        let mut gh = finding("r1", "aa", None, None);
        gh.props.provider = "github".into();
        let mut gh2 = finding("r2", "bb", None, None);
        gh2.props.provider = "github".into();
        let acme = finding("r3", "cc", None, None);
        let html = render(&Report {
            findings: vec![gh, gh2, acme],
            ..Report::default()
        });
        let github = crate::remediation::lookup("github", "vcs");
        assert_eq!(html.matches("data-remediation=\"github\"").count(), 1);
        assert!(html.contains(&esc(github.replace_url)));
        assert!(html.contains(&esc(github.revoke_url)));
        assert!(
            html.contains("data-remediation=\"default\""),
            "acme falls back"
        );
    }
}
