//! The `[owners]` table of `keytrace.toml`: ownership for what CODEOWNERS cannot express.
//!
//! CODEOWNERS maps paths to owners; a security team often also wants "every AWS key belongs to
//! cloud IAM, wherever it is" or "OpenAI keys go to the ML platform team". The owners table is an
//! ordered list of entries; the first entry whose `match` fits a finding names its owners.
//!
//! ```toml
//! [[owners.rule]]
//! match = { rule = "aws-*" }                  # rule id glob
//! owners = ["@org/cloud-iam"]
//!
//! [[owners.rule]]
//! match = { provider = "openai", path = "ml/**" }   # every given key must match
//! owners = ["@org/ml-platform", "ml-oncall@example.com"]
//!
//! [[owners.rule]]
//! match = { path = "infra/**" }               # path glob, relative to the scanned root
//! owners = ["@org/infra"]
//! ```
//!
//! `match` takes `path`, `rule` and `provider`, each a glob (`*` stays within one path segment,
//! `**` crosses them, `?` is one character); at least one is required, and when several are given
//! all must match. Unknown keys are errors, so a typo never silently drops an owner.

use crate::finding::Finding;
use crate::policy::pattern;
use crate::rules::text::{excerpt, one_line};
use globset::{GlobBuilder, GlobSet};
use serde::Deserialize;

/// The `[owners]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnersFile {
    /// Entries in file order; the first match wins.
    #[serde(default, rename = "rule")]
    pub entries: Vec<OwnerEntry>,
}

/// One `[[owners.rule]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "RawEntry")]
pub struct OwnerEntry {
    pub matcher: OwnerMatch,
    pub owners: Vec<String>,
}

/// What an entry matches: every given glob must match.
#[derive(Debug, Clone, Default)]
pub struct OwnerMatch {
    pub path: Option<Pattern>,
    pub rule: Option<Pattern>,
    pub provider: Option<Pattern>,
}

/// A compiled glob and the text it came from.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub text: String,
    /// A set of one glob: globset builds sets without panicking, while a single glob's
    /// `compile_matcher` panics when its regex outgrows the size limit.
    glob: GlobSet,
}

impl Pattern {
    /// Compile a glob; `*` does not cross `/`. Globs longer than
    /// [`pattern::MAX_PATTERN`] bytes are refused; errors quote only an excerpt.
    pub fn new(text: &str) -> Result<Pattern, String> {
        pattern::check_length(text)?;
        let glob = GlobBuilder::new(text)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .map_err(|e| one_line(&format!("bad glob `{}`: {}", excerpt(text), e.kind())))?;
        Ok(Pattern {
            text: text.to_string(),
            glob: pattern::glob_set([glob])?,
        })
    }

    fn is_match(&self, s: &str) -> bool {
        self.glob.is_match(s)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    #[serde(rename = "match")]
    matcher: RawMatch,
    owners: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatch {
    path: Option<String>,
    rule: Option<String>,
    provider: Option<String>,
}

impl TryFrom<RawEntry> for OwnerEntry {
    type Error = String;

    fn try_from(raw: RawEntry) -> Result<Self, Self::Error> {
        let m = raw.matcher;
        if m.path.is_none() && m.rule.is_none() && m.provider.is_none() {
            return Err("`match` needs at least one of `path`, `rule`, `provider`".into());
        }
        if raw.owners.is_empty() || raw.owners.iter().any(|o| o.trim().is_empty()) {
            return Err("`owners` must list at least one non-empty owner".into());
        }
        let compile = |s: Option<String>| s.as_deref().map(Pattern::new).transpose();
        Ok(OwnerEntry {
            matcher: OwnerMatch {
                path: compile(m.path)?,
                rule: compile(m.rule)?,
                provider: compile(m.provider)?,
            },
            owners: raw.owners,
        })
    }
}

/// The `[owners]` table could not be read: what is wrong, and on which line when known.
#[derive(Debug, thiserror::Error)]
#[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct OwnersFileError {
    /// 1-based line of the offending value.
    pub line: Option<usize>,
    pub message: String,
}

/// The parts of `keytrace.toml` this module reads; every other table is left to the settings.
#[derive(Deserialize)]
struct ProjectFile {
    owners: Option<OwnersFile>,
}

impl OwnersFile {
    /// Read only the `[owners]` table of a `keytrace.toml` text (`None` when there is none).
    /// Errors carry TOML's line and column.
    pub fn from_project_toml(text: &str) -> Result<Option<OwnersFile>, OwnersFileError> {
        toml::from_str::<ProjectFile>(text)
            .map(|p| p.owners)
            .map_err(|e| OwnersFileError {
                line: e.span().map(|s| {
                    1 + text.as_bytes()[..s.start.min(text.len())]
                        .iter()
                        .filter(|&&b| b == b'\n')
                        .count()
                }),
                message: one_line(e.message()),
            })
    }

    /// Owners of the first entry that matches `finding`.
    pub fn owners_for(&self, finding: &Finding) -> Option<Vec<String>> {
        let path = super::codeowners::normalize(&finding.location.path);
        self.entries
            .iter()
            .find(|e| {
                e.matcher
                    .matches(&path, &finding.rule_id, &finding.props.provider)
            })
            .map(|e| e.owners.clone())
    }
}

impl OwnerMatch {
    fn matches(&self, path: &str, rule_id: &str, provider: &str) -> bool {
        let ok = |p: &Option<Pattern>, s: &str| p.as_ref().is_none_or(|p| p.is_match(s));
        ok(&self.path, path) && ok(&self.rule, rule_id) && ok(&self.provider, provider)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::finding::{Location, Properties};
    use crate::rules::{Confidence, Severity};

    pub(crate) fn finding(rule: &str, provider: &str, path: &str) -> Finding {
        Finding {
            rule_id: rule.into(),
            rule_name: rule.into(),
            severity: Severity::Medium,
            confidence: Confidence::High,
            fails: true,
            location: Location {
                path: path.into(),
                ..Location::default()
            },
            fingerprint: String::new(),
            secret: None,
            props: Properties {
                provider: provider.into(),
                ..Properties::default()
            },
        }
    }

    const DOC: &str = r#"
[scan]
anything = "the settings module reads this, not us"

[[owners.rule]]
match = { rule = "aws-*" }
owners = ["@org/cloud-iam"]

[[owners.rule]]
match = { provider = "openai", path = "ml/**" }
owners = ["@org/ml-platform", "ml@example.com"]

[[owners.rule]]
match = { path = "infra/**" }
owners = ["@org/infra"]
"#;

    fn file() -> OwnersFile {
        OwnersFile::from_project_toml(DOC).unwrap().unwrap()
    }

    #[test]
    fn rule_glob_matches_rule_ids() {
        let f = file();
        let got = f.owners_for(&finding("aws-access-key", "aws", "app/x.env"));
        assert_eq!(got, Some(vec!["@org/cloud-iam".to_string()]));
        assert_eq!(f.owners_for(&finding("gcp-key", "gcp", "app/x.env")), None);
    }

    #[test]
    fn first_matching_entry_wins() {
        // An AWS key under infra/ matches both the first and the third entry.
        let got = file().owners_for(&finding("aws-access-key", "aws", "infra/main.tf"));
        assert_eq!(got, Some(vec!["@org/cloud-iam".to_string()]));
    }

    #[test]
    fn all_given_keys_must_match() {
        let f = file();
        let ml = f.owners_for(&finding("openai-project-key", "openai", "ml/train/cfg.py"));
        assert_eq!(ml.unwrap()[0], "@org/ml-platform");
        assert_eq!(
            f.owners_for(&finding("openai-project-key", "openai", "web/cfg.py")),
            None
        );
    }

    #[test]
    fn path_globs_respect_segments() {
        let text = "[[owners.rule]]\nmatch = { path = \"infra/*\" }\nowners = [\"@i\"]\n";
        let f = OwnersFile::from_project_toml(text).unwrap().unwrap();
        assert!(f.owners_for(&finding("r", "p", "infra/a.tf")).is_some());
        assert!(f.owners_for(&finding("r", "p", "infra/mod/a.tf")).is_none());
        assert!(f.owners_for(&finding("r", "p", "./infra/a.tf")).is_some());
    }

    #[test]
    fn no_owners_table_is_none_and_other_tables_are_ignored() {
        let text = "[scan]\nthreads = 4\n[policy]\nfail_on = \"high\"\n";
        assert!(OwnersFile::from_project_toml(text).unwrap().is_none());
    }

    #[test]
    fn unknown_keys_are_errors_with_a_line() {
        let text =
            "[owners]\n\n[[owners.rule]]\nmatch = { rules = \"aws-*\" }\nowners = [\"@a\"]\n";
        let err = OwnersFile::from_project_toml(text).unwrap_err().to_string();
        assert!(err.contains("line 4"), "{err}");
        assert!(err.contains("rules"), "{err}");
    }

    #[test]
    fn empty_match_and_empty_owners_are_errors() {
        let text = "[[owners.rule]]\nmatch = {}\nowners = [\"@a\"]\n";
        let err = OwnersFile::from_project_toml(text).unwrap_err().to_string();
        assert!(err.contains("at least one of"), "{err}");
        let text = "[[owners.rule]]\nmatch = { rule = \"x\" }\nowners = []\n";
        let err = OwnersFile::from_project_toml(text).unwrap_err().to_string();
        assert!(err.contains("non-empty owner"), "{err}");
    }

    #[test]
    fn over_long_globs_are_one_short_error_line_not_a_panic() {
        // Regression: a 600 KB glob made globset panic with 1 MB of text in the message.
        let long = "a*".repeat(300_000);
        let text =
            format!("\n[[owners.rule]]\nmatch = {{ path = \"{long}\" }}\nowners = [\"@a\"]\n");
        let err = OwnersFile::from_project_toml(&text).unwrap_err();
        assert_eq!(err.line, Some(2));
        let msg = err.to_string();
        assert!(msg.contains("longer than 4096 bytes"), "{msg}");
        assert!(msg.len() < 300 && !msg.contains('\n'), "{msg}");
    }

    #[test]
    fn hostile_owner_tables_are_errors_not_panics() {
        let deep = format!(
            "[[owners.rule]]\nmatch = {{ path = {} }}",
            "[".repeat(50_000)
        );
        let cases = [
            deep.as_str(),
            "[[owners.rule]]\nmatch = { path = \"a\\u0000b\" }\nowners = [\"@a\"]\n",
            "[[owners.rule]]\nmatch = { rule = 99999999999999999999999 }\nowners = [\"@a\"]\n",
            "[owners]\nrule = 5\n",
            "[[owners.rule]]\nmatch = { path = \"{a,{b,c}}\" }\nowners = [\"@a\"]\n",
        ];
        for text in cases {
            if let Err(e) = OwnersFile::from_project_toml(text) {
                assert!(!e.to_string().contains('\n'), "{e}");
            }
        }
    }

    #[test]
    fn bad_glob_is_an_error() {
        let text = "[[owners.rule]]\nmatch = { path = \"a/[b\" }\nowners = [\"@a\"]\n";
        let err = OwnersFile::from_project_toml(text).unwrap_err().to_string();
        assert!(err.contains("bad glob"), "{err}");
        assert!(err.contains("line 1") || err.contains("line 2"), "{err}");
    }
}
