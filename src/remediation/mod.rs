//! Remediation per rule family: how to revoke and rotate a credential, and the short-lived,
//! workload-bound credential that should replace it. The data lives in [`table`], keyed by
//! provider, then category, then one fallback, so every rule (including rules added later) has
//! an answer. Shown in SARIF `help.markdown`, the terminal and the HTML reports.

pub mod table;

/// What to do about one family of credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Remediation {
    /// The provider or category this entry is for (`default` for the fallback).
    pub key: &'static str,
    /// How to revoke and rotate, in one sentence.
    pub revoke: &'static str,
    /// The provider's documentation of revocation or rotation.
    pub revoke_url: &'static str,
    /// The short-lived, workload-bound replacement.
    pub replace: &'static str,
    pub replace_url: &'static str,
}

/// The entry for a provider and category: the provider's own, else its category's, else the
/// fallback. A provider name with a suffix (`azure-openai`) also matches its base (`azure`)
/// only when the category does not have an entry of its own.
pub fn lookup(provider: &str, category: &str) -> &'static Remediation {
    let find = |list: &'static [Remediation], key: &str| {
        list.iter().find(|r| r.key.eq_ignore_ascii_case(key.trim()))
    };
    find(table::BY_PROVIDER, provider)
        .or_else(|| find(table::BY_CATEGORY, category))
        .or_else(|| {
            let base = provider.split('-').next().unwrap_or_default();
            find(table::BY_PROVIDER, base)
        })
        .unwrap_or(&table::FALLBACK)
}

impl Remediation {
    /// Markdown for SARIF `help.markdown` and other Markdown outputs.
    pub fn markdown(&self) -> String {
        format!(
            "**Revoke and rotate.** {}. [Provider documentation]({})\n\n\
             **Replace with a short-lived, workload-bound credential.** {}. [How]({})",
            self.revoke, self.revoke_url, self.replace, self.replace_url
        )
    }

    /// Plain text (SARIF `help.text`).
    pub fn text(&self) -> String {
        format!(
            "Revoke and rotate: {} ({}). Replace with: {} ({}).",
            self.revoke, self.revoke_url, self.replace, self.replace_url
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_then_category_then_fallback() {
        assert_eq!(lookup("aws", "cloud").key, "aws");
        assert_eq!(lookup("GitHub", "vcs").key, "github");
        assert_eq!(lookup("digitalocean", "cloud").key, "cloud");
        assert_eq!(lookup("azure-openai", "ai-provider").key, "ai-provider");
        assert_eq!(lookup("azure-thing", "saas").key, "azure");
        assert_eq!(lookup("acme", "saas").key, "default");
        assert_eq!(lookup("", "").key, "default");
    }

    #[test]
    fn every_entry_links_to_https_documentation_and_names_a_replacement() {
        let all = table::BY_PROVIDER
            .iter()
            .chain(table::BY_CATEGORY)
            .chain([&table::FALLBACK]);
        for r in all {
            assert!(r.revoke_url.starts_with("https://"), "{}", r.key);
            assert!(r.replace_url.starts_with("https://"), "{}", r.key);
            assert!(!r.revoke.is_empty() && !r.replace.is_empty(), "{}", r.key);
            let md = r.markdown();
            assert!(md.contains(r.revoke_url) && md.contains(r.replace_url));
        }
    }

    #[test]
    fn keys_are_unique_per_table() {
        for list in [table::BY_PROVIDER, table::BY_CATEGORY] {
            let mut keys: Vec<&str> = list.iter().map(|r| r.key).collect();
            keys.sort_unstable();
            let n = keys.len();
            keys.dedup();
            assert_eq!(keys.len(), n);
        }
    }
}
