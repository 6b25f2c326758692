//! The one-line text of an alert (SARIF `message.text`): what a reviewer needs without opening
//! the properties. Rule and provider, the redacted secret, the owner and where the owner came
//! from, the commit that introduced the secret (short id, author, date) and, for history
//! findings no longer at HEAD, where the secret went ("removed in <commit>") and which refs
//! still hold it.
//!
//! Built from a finding that the report has already redacted and scrubbed (`Report::redact`):
//! no clear-text secret reaches it. Text taken from the scanned data (author names, refs, rule
//! names from user rule files) is escaped for display and bounded in length.

use super::escape::for_terminal;
use crate::finding::{Finding, SourceKind};
use crate::rules::text::excerpt_n;

/// Refs named in a message; the rest are counted.
const MAX_REFS_SHOWN: usize = 3;
/// Longest author name or ref name shown, in characters.
const MAX_NAME: usize = 80;

/// The message of `f`, e.g. `Acme API key (acme) found: acme_Q3…dF [rule acme-api-key];
/// owner: @org/platform (codeowners); introduced in 1111111 by Alice on 2024-01-02; removed in
/// 3333333, still in the history of main`.
pub fn alert_text(f: &Finding) -> String {
    let p = &f.props;
    let mut parts = vec![format!(
        "{} ({}) found: {} [rule {}]",
        shown(&f.rule_name),
        shown(&p.provider),
        shown(&p.redacted),
        shown(&f.rule_id)
    )];
    parts.push(match (&p.owner, p.owner_source.as_deref()) {
        (Some(owner), Some(source)) if source != "none" => {
            format!("owner: {} ({})", shown(owner), shown(source))
        }
        (Some(owner), _) => format!("owner: {}", shown(owner)),
        (None, _) => "owner: unknown".to_string(),
    });
    if let Some(commit) = introduced(f) {
        parts.push(commit);
    }
    if let Some(state) = history_state(f) {
        parts.push(state);
    }
    parts.join("; ")
}

/// Escaped for display, at most [`MAX_NAME`] characters.
fn shown(text: &str) -> String {
    excerpt_n(&for_terminal(text), MAX_NAME)
}

/// The first 7 characters of a commit id.
fn short(commit: &str) -> String {
    shown(&commit.chars().take(7).collect::<String>())
}

/// `introduced in <short> by <author> on <date>` (history, range), `line last changed in …`
/// (a file on disk, from blame); `None` without a commit.
fn introduced(f: &Finding) -> Option<String> {
    let p = &f.props;
    let commit = p.commit.as_deref()?;
    let verb = match p.source {
        SourceKind::File => "line last changed in",
        _ => "introduced in",
    };
    let mut text = format!("{verb} {}", short(commit));
    if let Some(author) = p.author_name.as_deref().filter(|a| !a.trim().is_empty()) {
        text.push_str(&format!(" by {}", shown(author.trim())));
    }
    if let Some(date) = p.committed_at.as_deref() {
        let day = date.split('T').next().unwrap_or(date);
        text.push_str(&format!(" on {}", shown(day)));
    }
    Some(text)
}

/// For a history finding whose presence at HEAD is known: `still in HEAD`, or `removed in
/// <short>` / `not in HEAD`, followed by the refs whose history still holds the secret.
fn history_state(f: &Finding) -> Option<String> {
    let p = &f.props;
    match p.in_head? {
        true => Some("still in HEAD".to_string()),
        false => {
            let gone = match &p.removed_in {
                Some(commit) => format!("removed in {}", short(commit)),
                None => "not in HEAD".to_string(),
            };
            Some(match refs(&p.refs) {
                Some(refs) => format!("{gone}, still in the history of {refs}"),
                None => gone,
            })
        }
    }
}

/// `main, v1.0 and 4 more`; `None` for no refs.
fn refs(names: &[String]) -> Option<String> {
    if names.is_empty() {
        return None;
    }
    let mut text = names
        .iter()
        .take(MAX_REFS_SHOWN)
        .map(|r| shown(r))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > MAX_REFS_SHOWN {
        text.push_str(&format!(" and {} more", names.len() - MAX_REFS_SHOWN));
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Properties;

    fn finding(props: Properties) -> Finding {
        Finding {
            rule_id: "acme-api-key".into(),
            rule_name: "Acme API key".into(),
            severity: crate::rules::Severity::High,
            confidence: Default::default(),
            fails: true,
            location: Default::default(),
            fingerprint: String::new(),
            secret: None,
            props: Properties {
                provider: "acme".into(),
                redacted: "acme_Q3…dF".into(),
                ..props
            },
        }
    }

    #[test]
    fn a_removed_history_finding_says_who_when_and_where_it_went() {
        let f = finding(Properties {
            source: SourceKind::GitHistory,
            owner: Some("@org/platform".into()),
            owner_source: Some("codeowners".into()),
            commit: Some("1111111abcdef".into()),
            author_name: Some("Alice".into()),
            committed_at: Some("2024-01-02T12:00:00Z".into()),
            in_head: Some(false),
            removed_in: Some("3333333fedcba".into()),
            refs: vec![
                "main".into(),
                "v1".into(),
                "v2".into(),
                "v3".into(),
                "v4".into(),
            ],
            ..Properties::default()
        });
        assert_eq!(
            alert_text(&f),
            "Acme API key (acme) found: acme_Q3…dF [rule acme-api-key]; \
             owner: @org/platform (codeowners); introduced in 1111111 by Alice on 2024-01-02; \
             removed in 3333333, still in the history of main, v1, v2 and 2 more"
        );
    }

    #[test]
    fn other_states_and_unknowns() {
        let head = finding(Properties {
            source: SourceKind::GitHistory,
            in_head: Some(true),
            ..Properties::default()
        });
        assert!(alert_text(&head).ends_with("; owner: unknown; still in HEAD"));
        let side = finding(Properties {
            source: SourceKind::GitHistory,
            in_head: Some(false),
            refs: vec!["feature".into()],
            ..Properties::default()
        });
        assert!(alert_text(&side).ends_with("; not in HEAD, still in the history of feature"));
        let blamed = finding(Properties {
            commit: Some("abc".into()),
            owner: Some("bob@example.com".into()),
            owner_source: Some("git-author".into()),
            ..Properties::default()
        });
        assert!(
            alert_text(&blamed)
                .ends_with("; owner: bob@example.com (git-author); line last changed in abc"),
            "{}",
            alert_text(&blamed)
        );
    }

    #[test]
    fn hostile_names_are_escaped_and_bounded() {
        let f = finding(Properties {
            source: SourceKind::GitHistory,
            commit: Some("é\u{1b}[2Jxxxxxxxx".into()),
            author_name: Some(format!("Mallory\n\u{202e}{}", "x".repeat(500))),
            committed_at: Some("\u{1b}]0;t\u{7}".into()),
            ..Properties::default()
        });
        let text = alert_text(&f);
        assert!(
            !text.chars().any(crate::report::escape::needs_escape),
            "{text}"
        );
        assert!(text.contains("by Mallory\\n\\u{202e}x"), "{text}");
        assert!(text.chars().count() < 400, "{text}");
    }
}
