//! Policy as code: ordered rules that match findings and decide their severity and whether they
//! fail the run. The first matching rule decides; the finding records its name in
//! `properties.policy`. keytrace's default policy runs after the user's rules.

use super::allowlist::PatternError;
use super::pattern;
use super::pattern::GlobList;
use crate::finding::Finding;
use crate::rules::Severity;
use crate::rules::text::excerpt;
use serde::Deserialize;
use toml::Spanned;

/// One value or a list of values.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    /// The values, one or many.
    pub fn items(&self) -> &[String] {
        match self {
            OneOrMany::One(s) => std::slice::from_ref(s),
            OneOrMany::Many(v) => v,
        }
    }
}

/// What a policy rule matches; every given field must match (an empty match matches all).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyMatch {
    pub category: Option<OneOrMany>,
    pub provider: Option<OneOrMany>,
    /// Rule id globs, e.g. `aws-*`.
    pub rule: Option<Spanned<OneOrMany>>,
    pub long_lived: Option<bool>,
    /// Key class from the identity (`key_class` or `token_type`), e.g. `admin`, `openai-admin`.
    pub identity_class: Option<OneOrMany>,
    /// `file`, `git-history`, `staged`, `config-store`, `etcd`, `stdin`.
    pub source: Option<OneOrMany>,
    /// Path globs.
    pub path: Option<Spanned<OneOrMany>>,
    /// Only findings at or above / at or below this severity.
    pub min_severity: Option<Severity>,
    pub max_severity: Option<Severity>,
}

/// `[[policy]]`: a named decision.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyRule {
    pub name: String,
    #[serde(rename = "match", default)]
    pub matcher: PolicyMatch,
    /// Severity to set (unchanged when absent).
    pub severity: Option<Severity>,
    /// Whether matching findings fail the run (unchanged when absent: findings fail by default).
    pub fail: Option<bool>,
}

struct CompiledMatch {
    rule: Option<GlobList>,
    path: Option<GlobList>,
}

/// Compile one `rule` or `path` value; the error carries the value's offset in the file.
fn glob_set(items: &Spanned<OneOrMany>, any_depth: bool) -> Result<GlobList, PatternError> {
    let at = |message| PatternError {
        offset: items.span().start,
        message,
    };
    let mut globs = Vec::new();
    for p in items.get_ref().items() {
        if any_depth {
            globs.extend(pattern::path_globs(p, false).map_err(at)?);
        } else {
            globs.push(pattern::glob(p, false).map_err(at)?);
        }
    }
    pattern::glob_list(globs).map_err(at)
}

impl PolicyMatch {
    fn compile_inner(&self) -> Result<CompiledMatch, PatternError> {
        Ok(CompiledMatch {
            rule: self.rule.as_ref().map(|r| glob_set(r, false)).transpose()?,
            path: self.path.as_ref().map(|p| glob_set(p, true)).transpose()?,
        })
    }

    /// Check that globs compile; the error says where the bad value is.
    pub fn compile(&self) -> Result<(), PatternError> {
        self.compile_inner().map(|_| ())
    }

    fn matches(&self, c: &CompiledMatch, f: &Finding) -> bool {
        let has = |field: &Option<OneOrMany>, value: &str| {
            field
                .as_ref()
                .is_none_or(|v| v.items().iter().any(|i| i == value))
        };
        let class = f
            .props
            .identity
            .get("key_class")
            .or_else(|| f.props.identity.get("token_type"))
            .and_then(|v| v.as_str())
            .unwrap_or("");
        has(&self.category, &f.props.category)
            && has(&self.provider, &f.props.provider)
            && has(&self.source, f.props.source.as_str())
            && self.identity_class.as_ref().is_none_or(|v| {
                v.items()
                    .iter()
                    .any(|i| !class.is_empty() && class.contains(i.as_str()))
            })
            && self.long_lived.is_none_or(|l| l == f.props.long_lived)
            && self.min_severity.is_none_or(|s| f.severity >= s)
            && self.max_severity.is_none_or(|s| f.severity <= s)
            && c.rule.as_ref().is_none_or(|g| g.is_match(&f.rule_id))
            && c.path.as_ref().is_none_or(|g| g.is_match(&f.location.path))
    }
}

/// keytrace's default policy, documented in README ("Policy").
pub fn default_policy() -> Vec<PolicyRule> {
    let m = |f: fn(&mut PolicyMatch)| {
        let mut pm = PolicyMatch::default();
        f(&mut pm);
        pm
    };
    let many = |v: &[&str]| Some(OneOrMany::Many(v.iter().map(|s| s.to_string()).collect()));
    vec![
        PolicyRule {
            name: "default:test-mode-keys-warn".into(),
            matcher: m(|pm| {
                pm.rule = Some(Spanned::new(
                    0..0,
                    OneOrMany::Many(vec!["*-test-*".into(), "*-sandbox-*".into()]),
                ))
            }),
            severity: None,
            fail: Some(false),
        },
        PolicyRule {
            name: "default:long-lived-ai-and-cloud-keys-fail".into(),
            matcher: PolicyMatch {
                category: many(&["ai-provider", "cloud"]),
                long_lived: Some(true),
                ..Default::default()
            },
            severity: None,
            fail: Some(true),
        },
        PolicyRule {
            name: "default:private-keys-fail".into(),
            matcher: PolicyMatch {
                category: many(&["private-key"]),
                ..Default::default()
            },
            severity: None,
            fail: Some(true),
        },
        PolicyRule {
            name: "default:low-severity-warns".into(),
            matcher: PolicyMatch {
                max_severity: Some(Severity::Low),
                ..Default::default()
            },
            severity: None,
            fail: Some(false),
        },
        PolicyRule {
            name: "default:credentials-fail".into(),
            matcher: PolicyMatch::default(),
            severity: None,
            fail: Some(true),
        },
    ]
}

/// Decide every finding: first matching rule of `user` then (if enabled) the default policy.
pub fn apply(
    findings: &mut [Finding],
    user: &[PolicyRule],
    with_default: bool,
) -> Result<(), String> {
    let mut rules: Vec<PolicyRule> = user.to_vec();
    if with_default {
        rules.extend(default_policy());
    }
    let compiled: Vec<CompiledMatch> = rules
        .iter()
        .map(|r| {
            r.matcher
                .compile_inner()
                .map_err(|e| format!("policy `{}`: {}", excerpt(&r.name), e.message))
        })
        .collect::<Result<_, _>>()?;
    for f in findings.iter_mut() {
        if let Some((rule, _)) = rules
            .iter()
            .zip(&compiled)
            .find(|(r, c)| r.matcher.matches(c, f))
        {
            if let Some(s) = rule.severity {
                f.severity = s;
            }
            if let Some(fail) = rule.fail {
                f.fails = fail;
            }
            f.props.policy = Some(rule.name.clone());
        }
    }
    Ok(())
}
