//! The risk score of a finding (0–100) from what is known about it: lifetime, live status,
//! severity, blast radius, exposure (on disk or in HEAD, pushed refs, other repositories holding
//! the same secret, consumers) and age. docs/risk.md documents the formula; every term is
//! listed in `risk_factors` so a reader can see why a finding scores what it does.

use crate::finding::{Finding, SourceKind};
use crate::rules::Severity;
use std::collections::{BTreeSet, HashMap};

/// The highest score.
pub const MAX: u32 = 100;

/// Score every finding in place (`props.risk`, `props.risk_factors`). `now` is the current
/// time as seconds since the Unix epoch (a parameter so that tests are deterministic).
pub fn score_all(findings: &mut [Finding], now: i64) {
    let mut repos: HashMap<&str, BTreeSet<Option<&str>>> = HashMap::new();
    for f in findings.iter() {
        repos
            .entry(f.props.secret_sha256.as_str())
            .or_default()
            .insert(f.props.repository.as_deref());
    }
    let holders: HashMap<String, usize> = repos
        .into_iter()
        .map(|(sha, set)| (sha.to_string(), set.len()))
        .collect();
    for f in findings.iter_mut() {
        let n = holders.get(&f.props.secret_sha256).copied().unwrap_or(1);
        let (score, factors) = score(f, n, now);
        f.props.risk = Some(score);
        f.props.risk_factors = factors;
    }
}

/// The score of one finding whose secret is held by `repositories` repositories.
pub fn score(f: &Finding, repositories: usize, now: i64) -> (u32, Vec<String>) {
    let mut total: i64 = 0;
    let mut factors = Vec::new();
    let mut add = |points: i64, why: &str| {
        if points != 0 {
            total += points;
            factors.push(format!("{why} {points:+}"));
        }
    };
    add(
        if f.props.long_lived { 25 } else { 5 },
        if f.props.long_lived {
            "long-lived"
        } else {
            "short-lived"
        },
    );
    match f.props.verification.as_deref() {
        Some("active") => add(30, "verified active"),
        Some("inactive") => add(-25, "verified inactive"),
        _ => {}
    }
    match f.severity {
        Severity::Critical => add(10, "severity critical"),
        Severity::High => add(5, "severity high"),
        Severity::Medium => {}
        Severity::Low | Severity::Info => add(-5, "severity low"),
    }
    if let Some(b) = &f.props.blast_radius {
        if b.admin {
            add(20, "admin access");
        } else if b.write == Some(true) {
            add(10, "write access");
        }
    }
    let current = match f.props.source {
        SourceKind::GitHistory => f.props.in_head == Some(true),
        _ => true,
    };
    if current {
        add(10, "present now");
    }
    let pushed = f.props.refs.iter().any(|r| {
        r.starts_with("refs/remotes/")
            || r.starts_with("refs/tags/")
            || r.starts_with("refs/pull/")
            || r.starts_with("origin/")
    });
    if pushed {
        add(5, "on pushed refs");
    }
    if repositories > 1 {
        add(
            5 * (repositories as i64 - 1).min(2),
            "in other repositories",
        );
    }
    let consumers = f.props.consumers_total.max(f.props.consumers.len()) as i64;
    if consumers > 0 {
        add((2 * consumers).min(10), "consumers");
    }
    if let Some(days) = age_days(f.props.committed_at.as_deref(), now) {
        if days > 365 {
            add(5, "older than a year");
        } else if days > 90 {
            add(3, "older than 90 days");
        }
    }
    (total.clamp(0, MAX as i64) as u32, factors)
}

/// Whole days between an RFC 3339 time and `now`.
fn age_days(committed_at: Option<&str>, now: i64) -> Option<i64> {
    let t = chrono::DateTime::parse_from_rfc3339(committed_at?).ok()?;
    Some((now - t.timestamp()) / 86_400)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::blast::BlastRadius;
    use crate::verify::testutil::finding;

    const NOW: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

    #[test]
    fn each_known_fact_moves_the_score_as_documented() {
        let mut f = finding("github", "a.env", 1, "ghp_x");
        f.props.long_lived = true;
        // long-lived 25 + high 5 + present now 10
        assert_eq!(score(&f, 1, NOW).0, 40);
        f.props.verification = Some("active".into());
        assert_eq!(score(&f, 1, NOW).0, 70);
        f.props.blast_radius = Some(BlastRadius {
            write: Some(true),
            ..BlastRadius::default()
        });
        assert_eq!(score(&f, 1, NOW).0, 80);
        f.props.blast_radius.as_mut().unwrap().admin = true;
        assert_eq!(score(&f, 1, NOW).0, 90);
        f.props.consumers_total = 3;
        assert_eq!(score(&f, 1, NOW).0, 96);
        f.props.committed_at = Some("2024-06-01T00:00:00Z".into());
        assert_eq!(score(&f, 3, NOW).0, MAX, "capped at 100");
        f.props.verification = Some("inactive".into());
        f.props.blast_radius = None;
        let (s, why) = score(&f, 1, NOW);
        // long-lived and inactive cancel out: high 5 + present 10 + consumers 6 + age 5
        assert_eq!(s, 5 + 10 + 6 + 5);
        assert!(why.iter().any(|w| w == "verified inactive -25"), "{why:?}");
    }

    #[test]
    fn history_findings_gone_from_head_and_other_repositories() {
        let mut f = finding("npm", "a", 1, "npm_x");
        f.props.source = SourceKind::GitHistory;
        f.props.in_head = Some(false);
        f.props.refs = vec!["refs/remotes/origin/main".into()];
        // short-lived 5 + high 5 + pushed 5
        assert_eq!(score(&f, 1, NOW).0, 15);
        let mut fs = vec![f.clone(), f.clone()];
        fs[0].props.repository = Some("a/one".into());
        fs[1].props.repository = Some("a/two".into());
        score_all(&mut fs, NOW);
        assert_eq!(fs[0].props.risk, Some(20));
    }
}
