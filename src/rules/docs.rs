//! Rule documentation: one Markdown page per rule family (category) under `docs/rules/`, and
//! the `helpUri` of each built-in rule's SARIF descriptor, which points at its family's page.
//!
//! The pages are generated from the rules themselves ([`pages`]) and committed; the test suite
//! fails when a committed page differs from what the rules say, and says how to regenerate.

use super::Rule;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::sync::OnceLock;

/// Where the family pages are published (`<DOCS_BASE>/<category>.md`); the same repository as
/// the SARIF driver's `informationUri`.
pub const DOCS_BASE: &str = "https://github.com/keytrace/keytrace/blob/main/docs/rules";

/// Every built-in rule: the embedded rule files, the generic detector's ids and the config-store
/// id. Empty if the embedded rules do not parse (the test suite makes sure they do).
pub fn builtin_rules() -> Vec<Rule> {
    let mut all = super::embedded_rules().unwrap_or_default();
    all.extend(crate::generic::descriptors());
    all.extend(crate::source::config_stores::descriptors());
    all
}

/// The family page of built-in rule `id`; `None` for a user's rule (no page lists it).
pub fn help_uri(id: &str) -> Option<String> {
    static CATEGORIES: OnceLock<HashMap<String, String>> = OnceLock::new();
    let categories = CATEGORIES.get_or_init(|| {
        builtin_rules()
            .into_iter()
            .map(|r| (r.id, r.category))
            .collect()
    });
    categories
        .get(id)
        .map(|category| format!("{DOCS_BASE}/{}", page_name(category)))
}

/// The file name of a family's page.
pub fn page_name(category: &str) -> String {
    format!("{category}.md")
}

/// A readable title for a category.
fn title(category: &str) -> &str {
    match category {
        "ai-provider" => "AI providers",
        "chat" => "Chat and messaging",
        "ci" => "CI/CD",
        "cloud" => "Cloud platforms",
        "database" => "Databases",
        "generic" => "Generic credentials",
        "identity" => "Identity providers and secret managers",
        "infrastructure" => "Infrastructure secrets",
        "jwt" => "JSON Web Tokens",
        "observability" => "Observability",
        "package-registry" => "Package registries",
        "payments" => "Payments",
        "private-key" => "Private keys",
        "saas" => "SaaS",
        "vcs" => "Version control",
        other => other,
    }
}

/// Text for one Markdown table cell: one line, no column break.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// Every page: `<category>.md` for each family and `README.md` indexing them, by file name.
pub fn pages(rules: &[Rule]) -> BTreeMap<String, String> {
    let mut families: BTreeMap<&str, Vec<&Rule>> = BTreeMap::new();
    for r in rules {
        families.entry(r.category.as_str()).or_default().push(r);
    }
    let mut out = BTreeMap::new();
    for (category, list) in &mut families {
        list.sort_by(|a, b| (&a.provider, &a.id).cmp(&(&b.provider, &b.id)));
        out.insert(page_name(category), family_page(category, list));
    }
    out.insert("README.md".into(), index_page(&families));
    out
}

const GENERATED: &str = "<!-- Generated from the rule files by `KEYTRACE_WRITE_RULE_DOCS=1 cargo test --test main rule_docs`. Do not edit by hand. -->";

fn index_page(families: &BTreeMap<&str, Vec<&Rule>>) -> String {
    let mut s = format!(
        "# Detection rules\n\n{GENERATED}\n\nOne page per rule family. Each SARIF rule \
         descriptor's `helpUri` points at its family's page.\n\n| family | page | rules |\n|---|---|---|\n"
    );
    for (category, list) in families {
        let _ = writeln!(
            s,
            "| {} | [{}]({}) | {} |",
            title(category),
            page_name(category),
            page_name(category),
            list.len()
        );
    }
    s
}

fn family_page(category: &str, rules: &[&Rule]) -> String {
    let mut s = format!(
        "# {} (`{category}`)\n\n{GENERATED}\n\nA rule id is stable: SARIF results, baselines \
         and allowlists key on it. Severity and confidence are the rule's defaults; a policy \
         in `keytrace.toml` may change them.\n\n\
         | id | name | provider | severity | long-lived |\n|---|---|---|---|---|\n",
        title(category)
    );
    for r in rules {
        let _ = writeln!(
            s,
            "| [`{}`](#{}) | {} | {} | {} | {} |",
            r.id,
            r.id,
            cell(&r.name),
            cell(&r.provider),
            r.severity,
            yes_no(r.long_lived)
        );
    }
    for r in rules {
        let _ = write!(
            s,
            "\n## `{}`\n\n**{}**. Provider `{}`, severity {}, confidence {}, long-lived: {}.\n\n\
             **What it is.** {}\n\n**Remediation.** {}\n",
            r.id,
            cell(&r.name),
            r.provider,
            r.severity,
            r.confidence,
            yes_no(r.long_lived),
            r.description.trim(),
            r.remediation.trim()
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_rules_have_a_help_uri_and_user_rules_none() {
        let uri = help_uri("github-classic-pat").expect("a built-in rule");
        assert_eq!(uri, format!("{DOCS_BASE}/vcs.md"));
        assert_eq!(
            help_uri("generic-password").as_deref(),
            Some(format!("{DOCS_BASE}/generic.md").as_str())
        );
        assert_eq!(help_uri("acme-api-key"), None);
    }

    #[test]
    fn every_rule_is_on_its_family_page_and_the_index_names_every_family() {
        let rules = builtin_rules();
        let pages = pages(&rules);
        for r in &rules {
            let page = &pages[&page_name(&r.category)];
            assert!(page.contains(&format!("\n## `{}`\n", r.id)), "{}", r.id);
            assert!(pages["README.md"].contains(&format!("]({})", page_name(&r.category))));
        }
    }

    #[test]
    fn table_cells_stay_in_their_column() {
        assert_eq!(cell("a | b\nc"), "a \\| b c");
    }
}
