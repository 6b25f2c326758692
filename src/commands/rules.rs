//! `keytrace rules list | check`.

use crate::exit::ExitStatus;
use crate::matcher::RuleSet;
use crate::rules::{self, Rule};
use anyhow::Context;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The embedded rules plus every `--rules` directory, checked and ready to match.
pub fn load_ruleset(extra: &[PathBuf]) -> anyhow::Result<(Vec<Rule>, RuleSet)> {
    let mut all = rules::embedded_rules().context("embedded rules")?;
    for dir in extra {
        if !dir.exists() {
            anyhow::bail!("{}: no such rule file or directory", dir.display());
        }
        let user = rules::load_rules_from(dir)?;
        RuleSet::new(user.clone(), true)?;
        all.extend(user);
    }
    let set = RuleSet::new(all.clone(), false)?;
    // Descriptors of the generic detector's rule ids: metadata for reporters only, never matched
    // by the RuleSet (the generic detector is code; see src/generic/catalog.rs).
    all.extend(crate::generic::descriptors());
    all.extend(crate::source::config_stores::descriptors());
    rules::check_unique_ids(&all)?;
    Ok((all, set))
}

pub fn list(extra: &[PathBuf], json: bool) -> anyhow::Result<ExitStatus> {
    let (all, _) = load_ruleset(extra)?;
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&all)?)?;
    } else {
        for r in &all {
            writeln!(
                out,
                "{:<40} {:<9} {:<17} {}",
                r.id, r.severity, r.category, r.name
            )?;
        }
        writeln!(out, "{} rules", all.len())?;
    }
    Ok(ExitStatus::Clean)
}

pub fn check(dir: Option<&Path>) -> anyhow::Result<ExitStatus> {
    let all = match dir {
        Some(d) => {
            if !d.exists() {
                anyhow::bail!("{}: no such rule file or directory", d.display());
            }
            rules::load_rules_from(d)?
        }
        None => rules::embedded_rules()?,
    };
    rules::check_unique_ids(&all)?;
    let failures = rules::check::check_examples(&all);
    let mut err = std::io::stderr().lock();
    for f in &failures {
        writeln!(err, "{f}")?;
    }
    let examples: usize = all
        .iter()
        .map(|r| r.examples.len() + r.negative_examples.len())
        .sum();
    writeln!(
        err,
        "{} rules, {examples} examples checked, {} failures",
        all.len(),
        failures.len()
    )?;
    Ok(if failures.is_empty() {
        ExitStatus::Clean
    } else {
        ExitStatus::Findings(1)
    })
}
