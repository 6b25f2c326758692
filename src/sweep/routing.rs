//! `--split-by-owner DIR`: one SARIF log and one JSON report per owner (a CODEOWNERS team, an
//! owners-file entry or a person), so each can be routed to whoever must act on it.
//!
//! Owners are grouped case-insensitively (`Alice@Example.com` and `alice@example.com` are one
//! person); findings without an owner go to `unowned`. File names are the owner with every
//! character outside `[A-Za-z0-9._-]` replaced by `_` (`@acme/payments` → `acme_payments`); two
//! owners that sanitise alike get a short digest suffix each. `index.json` maps every owner to its
//! files and counts.

use crate::report::{self, Report};
use crate::rules::Rule;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The group name of findings without an owner.
pub const UNOWNED: &str = "unowned";

/// The owner key a finding is grouped under: its owner, lower-cased when it is an e-mail
/// address or a person (teams keep their case as CODEOWNERS wrote it, compared lower-cased).
pub fn owner_key(owner: Option<&str>) -> String {
    match owner.map(str::trim).filter(|o| !o.is_empty()) {
        Some(o) => o.to_lowercase(),
        None => UNOWNED.to_string(),
    }
}

/// A file-name stem for `owner`: ASCII letters, digits, `.`, `_` and `-` only, never empty, never
/// starting with a dot.
pub fn sanitise(owner: &str) -> String {
    let mut s: String = owner
        .trim_start_matches('@')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    s = s.trim_start_matches('.').to_string();
    if s.is_empty() {
        s = "owner".into();
    }
    s.truncate(100);
    s
}

/// Write `<owner>.sarif` and `<owner>.json` for every owner of `report`'s findings (suppressed
/// findings go with their owner too), and `index.json`.
pub fn split_by_owner(dir: &Path, report: &Report, rules: &[Rule]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut groups: BTreeMap<String, (String, Report)> = BTreeMap::new();
    let empty = || Report {
        findings: Vec::new(),
        suppressed: Vec::new(),
        ..report.clone()
    };
    for f in &report.findings {
        let key = owner_key(f.props.owner.as_deref());
        let shown = f.props.owner.clone().unwrap_or_else(|| UNOWNED.into());
        let entry = groups.entry(key).or_insert_with(|| (shown, empty()));
        entry.1.findings.push(f.clone());
    }
    for f in &report.suppressed {
        let key = owner_key(f.props.owner.as_deref());
        let shown = f.props.owner.clone().unwrap_or_else(|| UNOWNED.into());
        let entry = groups.entry(key).or_insert_with(|| (shown, empty()));
        entry.1.suppressed.push(f.clone());
    }
    let mut stems: HashMap<String, usize> = HashMap::new();
    for key in groups.keys() {
        *stems.entry(sanitise(key)).or_default() += 1;
    }
    let mut index = Vec::new();
    for (key, (shown, mut part)) in groups {
        let mut stem = sanitise(&key);
        if stems[&stem] > 1 {
            let digest = hex::encode(Sha256::digest(key.as_bytes()));
            stem = format!("{stem}-{}", &digest[..8]);
        }
        if let Some(section) = part.sweep.as_mut() {
            let repos: std::collections::HashSet<&str> = part
                .findings
                .iter()
                .chain(&part.suppressed)
                .filter_map(|f| f.props.repository.as_deref())
                .collect();
            section
                .repositories
                .retain(|r| repos.contains(r.identity.as_str()));
            section.recount();
        }
        let sarif = format!("{stem}.sarif");
        let json = format!("{stem}.json");
        crate::commands::sweep_report::write_whole(
            &dir.join(&sarif),
            report::sarif::render(&part, rules).as_bytes(),
        )?;
        crate::commands::sweep_report::write_whole(
            &dir.join(&json),
            report::json::render(&part, true).as_bytes(),
        )?;
        index.push(serde_json::json!({
            "owner": shown,
            "findings": part.findings.len(),
            "new": part.findings.iter().filter(|f| f.props.status.as_deref() == Some("new")).count(),
            "sarif": sarif,
            "json": json,
        }));
    }
    let text = serde_json::to_string_pretty(&serde_json::json!({ "owners": index }))
        .expect("index serialises");
    crate::commands::sweep_report::write_whole(&dir.join("index.json"), text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_and_owners_case_insensitive() {
        assert_eq!(sanitise("@acme/payments"), "acme_payments");
        assert_eq!(sanitise("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(sanitise("..."), "owner");
        assert_eq!(sanitise("Zoë <z@x.io>"), "Zo___z_x.io_");
        assert_eq!(
            owner_key(Some("Alice@Example.com")),
            owner_key(Some("alice@example.com"))
        );
        assert_eq!(owner_key(Some("  ")), UNOWNED);
    }
}
