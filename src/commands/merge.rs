//! `keytrace merge FILE...`: combine shard reports into one.
//!
//! Inputs are JSON reports (`--format json`) or SARIF logs written by keytrace; each is read
//! back into findings, whose fingerprint is recomputed (`keytrace/v2`), so inputs written
//! before v2 merge with new ones. Findings are deduplicated by fingerprint at a place (fingerprint,
//! repository, path, line, column): shards cover disjoint repositories, so repeats only come
//! from overlapping inputs, and the input given last wins. Coverage counts add up and sweep
//! sections are concatenated. The result is always redacted, whatever the inputs hold.

use super::rules::load_ruleset;
use super::sweep_report::{exit_status, split, write_all};
use crate::cli::sweep::MergeArgs;
use crate::exit::ExitStatus;
use crate::finding::{FINGERPRINT_KEY, Finding, Location, Properties, SECRET_FINGERPRINT_KEY};
use crate::report::{Report, ScanInfo, json};
use crate::sweep::SweepSection;
use anyhow::{Context, bail};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

pub fn run(args: &MergeArgs) -> anyhow::Result<ExitStatus> {
    let (rules, _) = load_ruleset(&args.rules)?;
    let mut merged = Report::default();
    let mut kinds: Vec<String> = Vec::new();
    let mut hashes: Vec<String> = Vec::new();
    let mut digests: Vec<String> = Vec::new();
    let mut findings: BTreeMap<PlaceKey, Finding> = BTreeMap::new();
    for file in &args.files {
        let part = read_report(file)?;
        kinds.push(part.scan.kind.clone());
        hashes.push(part.scan.ruleset_hash.clone());
        digests.push(part.scan.secret_hash.clone().unwrap_or_default());
        merged.scan.targets.extend(part.scan.targets);
        merged.coverage.absorb(&part.coverage);
        for (k, v) in part.references {
            *merged.references.entry(k).or_default() += v;
        }
        for mut f in part.findings.into_iter().chain(part.suppressed) {
            // Inputs written before `keytrace/v2` carry the v1 form: recompute.
            f.refresh_fingerprint();
            findings.insert(place_key(&f), f);
        }
        if let Some(section) = part.sweep {
            match &mut merged.sweep {
                Some(s) => s.absorb(section),
                None => merged.sweep = Some(section),
            }
        }
    }
    merged.scan = ScanInfo {
        kind: one_or(&kinds, "merge"),
        ruleset_hash: one_or(&hashes, "mixed"),
        // Shards hashed under different schemes or keys cannot be correlated: say so.
        secret_hash: digests
            .iter()
            .any(|d| !d.is_empty())
            .then(|| one_or(&digests, "mixed")),
        ..merged.scan
    };
    merged.coverage.notes.sort();
    merged.coverage.notes.dedup();
    split(findings.into_values().collect(), &mut merged);
    // Merged reports are always redacted: a shard written with `--no-redact` must not carry
    // its clear text (or a shown form from another redactor) into the merged report.
    merged.redact(true);
    write_all(&args.report, &merged, &rules)?;
    Ok(exit_status(&merged))
}

type PlaceKey = (String, Option<String>, String, usize, usize);

fn place_key(f: &Finding) -> PlaceKey {
    (
        f.fingerprint.clone(),
        f.props.repository.clone(),
        f.location.path.clone(),
        f.location.start_line,
        f.location.start_column,
    )
}

/// The single value every input agrees on, else `fallback`.
fn one_or(values: &[String], fallback: &str) -> String {
    match values.split_first() {
        Some((first, rest)) if rest.iter().all(|v| v == first) => first.clone(),
        _ => fallback.to_string(),
    }
}

/// Read a JSON report or a SARIF log; errors name the file (and line for bad JSON).
pub fn read_report(path: &Path) -> anyhow::Result<Report> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{}:{}: not JSON: {e}", path.display(), e.line()))?;
    if value.get("runs").is_some() {
        return from_sarif(&value)
            .with_context(|| format!("{}: not a keytrace SARIF log", path.display()));
    }
    json::parse(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}:{}: not a keytrace JSON report: {e}",
            path.display(),
            e.line()
        )
    })
}

/// Rebuild a report from a SARIF log written by keytrace (results carry every finding field in
/// their properties).
fn from_sarif(log: &Value) -> anyhow::Result<Report> {
    let mut report = Report::default();
    let Some(runs) = log["runs"].as_array() else {
        bail!("`runs` is not an array");
    };
    for run in runs {
        let props = &run["properties"];
        if let Ok(c) = serde_json::from_value(props["coverage"].clone()) {
            report.coverage.absorb(&c);
        }
        if let Some(kind) = props["scan_kind"].as_str() {
            report.scan.kind = kind.to_string();
        }
        if let Some(h) = props["ruleset_hash"].as_str() {
            report.scan.ruleset_hash = h.to_string();
        }
        if let Ok(section) = serde_json::from_value::<SweepSection>(props["sweep"].clone()) {
            match &mut report.sweep {
                Some(s) => s.absorb(section),
                None => report.sweep = Some(section),
            }
        }
        let names: BTreeMap<&str, &str> = run["tool"]["driver"]["rules"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| Some((r["id"].as_str()?, r["shortDescription"]["text"].as_str()?)))
            .collect();
        for (i, result) in run["results"].as_array().into_iter().flatten().enumerate() {
            let f = sarif_finding(result, &names).with_context(|| format!("result {i}"))?;
            report.findings.push(f);
        }
    }
    Ok(report)
}

fn sarif_finding(r: &Value, names: &BTreeMap<&str, &str>) -> anyhow::Result<Finding> {
    let rule_id = r["ruleId"]
        .as_str()
        .context("result without ruleId")?
        .to_string();
    // Logs written before `keytrace/v2` carry only `keytrace/v1`; either identifies a keytrace
    // result, and `run` recomputes the fingerprint from the result's data.
    let fingerprint = [FINGERPRINT_KEY, SECRET_FINGERPRINT_KEY]
        .iter()
        .find_map(|key| r["partialFingerprints"][key].as_str())
        .with_context(|| format!("result without partialFingerprints[{FINGERPRINT_KEY}]"))?
        .to_string();
    let phys = &r["locations"][0]["physicalLocation"];
    let region = &phys["region"];
    let num = |v: &Value| v.as_u64().unwrap_or(1) as usize;
    let location = Location {
        path: percent_decode(phys["artifactLocation"]["uri"].as_str().unwrap_or("")),
        start_line: num(&region["startLine"]),
        start_column: num(&region["startColumn"]),
        end_line: num(&region["endLine"]),
        end_column: num(&region["endColumn"]),
    };
    let p = &r["properties"];
    let props: Properties =
        serde_json::from_value(p.clone()).context("result properties are not keytrace's")?;
    Ok(Finding {
        rule_name: names
            .get(rule_id.as_str())
            .unwrap_or(&rule_id.as_str())
            .to_string(),
        rule_id,
        severity: serde_json::from_value(p["severity"].clone()).context("severity")?,
        confidence: serde_json::from_value(p["confidence"].clone()).unwrap_or_default(),
        fails: p["fails"].as_bool().unwrap_or(true),
        location,
        fingerprint,
        // A log written with `--no-redact` carries the secret: keep it only so that the merge's
        // redaction rebuilds the shown form with the one redactor, then drops it.
        secret: p["secret"].as_str().map(str::to_string),
        props,
    })
}

/// Undo the percent-encoding of SARIF artifact URIs (invalid escapes are kept as they are).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_inverts_sarif_escapes() {
        assert_eq!(percent_decode("dir%20x/a%25b.env"), "dir x/a%b.env");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("caf%C3%A9"), "café");
    }

    #[test]
    fn agreement_or_fallback() {
        assert_eq!(one_or(&["sweep".into(), "sweep".into()], "merge"), "sweep");
        assert_eq!(
            one_or(&["sweep".into(), "directory".into()], "merge"),
            "merge"
        );
    }
}
