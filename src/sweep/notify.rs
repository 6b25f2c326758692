//! `--notify-webhook URL`: post the critical and high findings no earlier notice has carried as
//! one JSON message in Slack's incoming-webhook format (`text` plus `blocks` of `mrkdwn`), which
//! Slack, Mattermost, Rocket.Chat and most chat bridges accept.
//!
//! Secrets are never sent: a finding is named by rule, repository, path, line, commit, owner
//! and its redacted form. Delivery is retried a bounded number of times; the state marks
//! findings notified only after a 2xx answer, so a failed webhook loses nothing: the findings
//! are sent by the next run (see `crate::sweep::state`).

use crate::finding::Finding;
use crate::rules::Severity;
use std::time::Duration;

/// Attempts per run (the first and two retries).
pub const ATTEMPTS: u32 = 3;
/// Findings listed one by one in a message; the rest are counted.
const LISTED: usize = 40;

/// Whether a finding is worth a notice: critical or high severity.
pub fn wanted(f: &Finding) -> bool {
    f.severity >= Severity::High
}

fn line(f: &Finding) -> String {
    let repo = f.props.repository.as_deref().unwrap_or("");
    let mut s = format!(
        "*{}* `{}` in `{}`: `{}`:{} ({})",
        f.severity.as_str(),
        f.rule_id,
        repo,
        f.location.path,
        f.location.start_line,
        f.props.redacted
    );
    if let Some(c) = &f.props.commit {
        s.push_str(&format!(", commit {}", &c[..c.len().min(12)]));
    }
    if let Some(o) = &f.props.owner {
        s.push_str(&format!(", owner {o}"));
    }
    s
}

/// The message for `findings` (already filtered by [`wanted`]).
pub fn payload(findings: &[&Finding]) -> serde_json::Value {
    let mut repos: Vec<_> = findings.iter().map(|f| &f.props.repository).collect();
    repos.sort();
    repos.dedup();
    let summary = format!(
        "keytrace: {} new critical/high finding(s) in {} repositor{}",
        findings.len(),
        repos.len(),
        if repos.len() == 1 { "y" } else { "ies" }
    );
    let mut body: Vec<String> = findings.iter().take(LISTED).map(|f| line(f)).collect();
    if findings.len() > LISTED {
        body.push(format!("… and {} more", findings.len() - LISTED));
    }
    let mut blocks = vec![serde_json::json!({
        "type": "section",
        "text": { "type": "mrkdwn", "text": summary },
    })];
    // A section's text is limited to 3000 characters: one section per 10 findings.
    for chunk in body.chunks(10) {
        blocks.push(serde_json::json!({
            "type": "section",
            "text": { "type": "mrkdwn", "text": chunk.join("\n") },
        }));
    }
    serde_json::json!({ "text": summary, "blocks": blocks })
}

/// POST `payload` to `url`, up to [`ATTEMPTS`] times (a 2xx answer ends it; connection errors,
/// timeouts and other statuses are retried after a short pause). The error names the last
/// failure, never the URL's query (webhook URLs carry their secret in the path or query, so
/// only the scheme and host are shown).
pub fn post(url: &str, payload: &serde_json::Value) -> Result<(), String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .http_status_as_error(false)
        .user_agent(concat!("keytrace/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let text = payload.to_string();
    let mut last = String::new();
    for attempt in 0..ATTEMPTS {
        if attempt > 0 {
            std::thread::sleep(Duration::from_millis(500 * u64::from(attempt)));
        }
        match agent
            .post(url)
            .header("Content-Type", "application/json")
            .send(text.as_str())
        {
            Ok(resp) if resp.status().is_success() => return Ok(()),
            Ok(resp) => last = format!("HTTP {}", resp.status().as_u16()),
            Err(e) => last = e.to_string().replace(url, &shown(url)),
        }
    }
    Err(format!(
        "webhook {}: {last} after {ATTEMPTS} attempts",
        shown(url)
    ))
}

/// The URL as it may be shown: scheme and host only.
pub fn shown(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            let host = host.rsplit('@').next().unwrap_or(host);
            format!("{scheme}://{host}/…")
        }
        None => "(webhook)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shown_url_hides_the_path_and_credentials() {
        assert_eq!(
            shown("https://u:p@hooks.example.com/services/T0/B0/XXXX?x=1"),
            "https://hooks.example.com/…"
        );
    }
}
