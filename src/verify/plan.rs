//! Findings → the distinct checks to run.
//!
//! A secret is checked once per run however many places hold it: checks are keyed by provider and
//! the hash of the credential's parts. Credentials made of two findings are paired within one
//! file (same path and commit), nearest line first: an AWS access key id with a secret access
//! key, a Twilio account SID with an auth token. Findings that cannot be checked get their verdict
//! here (`not-supported`, or `unverifiable` when a needed part is missing) without any request.

use super::outcome::Outcome;
use super::provider::Provider;
use crate::finding::Finding;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

/// What a check sends to its provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A bearer-style token or API key.
    Token(String),
    Aws {
        key_id: String,
        secret: String,
    },
    Twilio {
        account_sid: String,
        auth_token: String,
    },
    Gcp(GcpKey),
    Dockerhub {
        username: String,
        token: String,
    },
}

/// A GCP service-account key: enough to sign a token request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GcpKey {
    pub client_email: String,
    pub private_key_pem: String,
    pub private_key_id: Option<String>,
}

impl Credential {
    /// A stable key for deduplication that does not hold the secret itself.
    fn key(&self) -> String {
        let parts: Vec<String> = match self {
            Credential::Token(t) => vec![t.clone()],
            Credential::Aws { key_id, secret } => vec![key_id.clone(), secret.clone()],
            Credential::Twilio {
                account_sid,
                auth_token,
            } => vec![account_sid.clone(), auth_token.clone()],
            // The same key found as a whole key file and as a bare PEM differs only in
            // whitespace and line breaks.
            Credential::Gcp(k) => vec![
                k.client_email.clone(),
                k.private_key_pem.split_whitespace().collect(),
            ],
            Credential::Dockerhub { username, token } => vec![username.clone(), token.clone()],
        };
        hex::encode(Sha256::digest(parts.join("\0").as_bytes()))
    }
}

/// One request sequence against one provider, and the findings its verdict applies to.
#[derive(Debug, Clone)]
pub struct Check {
    pub provider: Provider,
    pub credential: Credential,
    pub findings: Vec<usize>,
}

/// The checks to run and the verdicts known without a request.
#[derive(Debug, Default)]
pub struct Plan {
    pub checks: Vec<Check>,
    pub settled: Vec<(usize, Outcome)>,
}

impl Plan {
    fn add(&mut self, index: &mut HashMap<(Provider, String), usize>, check: Check) {
        let key = (check.provider, check.credential.key());
        match index.get(&key) {
            Some(&i) => self.checks[i].findings.extend(check.findings),
            None => {
                index.insert(key, self.checks.len());
                self.checks.push(check);
            }
        }
    }
}

/// Plan the checks for `findings`; providers for which `allowed` is false are left alone.
pub fn plan(findings: &[Finding], allowed: &dyn Fn(Provider) -> bool) -> Plan {
    let mut plan = Plan::default();
    let mut index = HashMap::new();
    let mut pairs: BTreeMap<Provider, Vec<usize>> = BTreeMap::new();
    for (i, f) in findings.iter().enumerate() {
        let Some(secret) = f.secret.as_deref() else {
            continue;
        };
        if f.props.suppressed_by.is_some() {
            continue;
        }
        let Some(provider) = Provider::for_finding(f) else {
            let reason = format!("no live check for provider `{}`", f.props.provider);
            plan.settled.push((i, Outcome::not_supported(reason)));
            continue;
        };
        if !allowed(provider) {
            continue;
        }
        match single(provider, f, secret) {
            Single::Pair => pairs.entry(provider).or_default().push(i),
            Single::Ready(credential) => {
                let check = Check {
                    provider,
                    credential,
                    findings: vec![i],
                };
                plan.add(&mut index, check);
            }
            Single::Settled(outcome) => plan.settled.push((i, outcome)),
        }
    }
    for (provider, idxs) in pairs {
        pair_up(findings, provider, &idxs, &mut plan, &mut index);
    }
    plan
}

enum Single {
    Ready(Credential),
    Pair,
    Settled(Outcome),
}

/// The credential of a finding that stands alone, or a note that it needs a partner.
fn single(provider: Provider, f: &Finding, secret: &str) -> Single {
    let token = || Single::Ready(Credential::Token(secret.to_string()));
    let unsupported = |why: &str| Single::Settled(Outcome::not_supported(why));
    match provider {
        Provider::Aws | Provider::Twilio => Single::Pair,
        Provider::Gcp => match gcp_key(f, secret) {
            Ok(key) => Single::Ready(Credential::Gcp(key)),
            Err(outcome) => Single::Settled(outcome),
        },
        Provider::Dockerhub => match identity_str(f, &["username", "docker_username", "user"]) {
            Some(username) => Single::Ready(Credential::Dockerhub {
                username,
                token: secret.to_string(),
            }),
            None => Single::Settled(Outcome::unverifiable(
                "Docker Hub checks need the account name with the token; none is known",
            )),
        },
        Provider::Slack if !secret.starts_with("xox") => {
            unsupported("only Slack tokens (xox…) have a read-only check")
        }
        Provider::Stripe if secret.starts_with("whsec_") || secret.starts_with("pk_") => {
            unsupported("webhook secrets and publishable keys are not API credentials")
        }
        Provider::Anthropic if secret.starts_with("sk-ant-o") => {
            unsupported("Anthropic OAuth tokens are not checked")
        }
        Provider::Gitlab if secret.starts_with("gl") && !secret.starts_with("glpat-") => {
            unsupported("only GitLab access tokens (glpat-) have a self endpoint")
        }
        Provider::Datadog if f.rule_id.contains("app") || secret.starts_with("ddapp_") => {
            unsupported("Datadog application keys are only valid with an API key")
        }
        _ => token(),
    }
}

/// A string value of the finding's offline identity under the first of `keys` present.
fn identity_str(f: &Finding, keys: &[&str]) -> Option<String> {
    keys.iter()
        .find_map(|k| f.props.identity.get(*k)?.as_str())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The service-account key in a finding: a whole key file, or a PEM key with `client_email`
/// from attribution.
fn gcp_key(f: &Finding, secret: &str) -> Result<GcpKey, Outcome> {
    if secret.trim_start().starts_with('{') {
        let doc: serde_json::Value = serde_json::from_str(secret)
            .map_err(|_| Outcome::unverifiable("the key file is not valid JSON"))?;
        let field = |k: &str| doc.get(k).and_then(|v| v.as_str()).map(str::to_string);
        return match (field("client_email"), field("private_key")) {
            (Some(client_email), Some(private_key_pem)) => Ok(GcpKey {
                client_email,
                private_key_pem,
                private_key_id: field("private_key_id"),
            }),
            _ => Err(Outcome::unverifiable(
                "the key file lacks client_email or private_key",
            )),
        };
    }
    if !secret.contains("PRIVATE KEY") {
        return Err(Outcome::not_supported(
            "only GCP service-account keys are checked",
        ));
    }
    let client_email = identity_str(f, &["client_email"])
        .ok_or_else(|| Outcome::unverifiable("no client_email is known for this private key"))?;
    Ok(GcpKey {
        client_email,
        // A key copied out of a JSON file keeps its `\n` escapes.
        private_key_pem: secret.replace("\\n", "\n"),
        private_key_id: identity_str(f, &["private_key_id"]),
    })
}

/// Which half of a two-part credential a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Half {
    Id,
    Secret,
}

fn half(provider: Provider, f: &Finding, secret: &str) -> Result<Half, Outcome> {
    match provider {
        Provider::Aws => {
            if secret.len() == 20 && secret.starts_with("ASIA") {
                Err(Outcome::not_supported(
                    "temporary (ASIA) AWS keys need their session token",
                ))
            } else if is_aws_key_id(secret) {
                Ok(Half::Id)
            } else if secret.len() == 40
                && secret
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+')
            {
                Ok(Half::Secret)
            } else {
                Err(Outcome::not_supported(
                    "no live check for this AWS credential",
                ))
            }
        }
        _ => {
            let hex32 = |s: &str| s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit());
            if secret.len() == 34 && secret.starts_with("AC") && hex32(&secret[2..]) {
                Ok(Half::Id)
            } else if hex32(secret) && !f.rule_id.contains("api-key") {
                Ok(Half::Secret)
            } else {
                Err(Outcome::not_supported(
                    "only Twilio account SID + auth token pairs are checked",
                ))
            }
        }
    }
}

fn is_aws_key_id(s: &str) -> bool {
    s.len() == 20
        && ["AKIA", "ABIA", "ACCA"].iter().any(|p| s.starts_with(p))
        && s[4..]
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
}

/// Pair ids with secrets inside each file, nearest line first, and plan one check per pair.
fn pair_up(
    findings: &[Finding],
    provider: Provider,
    idxs: &[usize],
    plan: &mut Plan,
    index: &mut HashMap<(Provider, String), usize>,
) {
    // Keyed by (path, commit): two halves pair only inside one version of one file.
    type FileKey<'a> = (&'a str, Option<&'a str>);
    let mut files: BTreeMap<FileKey, Vec<(usize, Half)>> = BTreeMap::new();
    for &i in idxs {
        let f = &findings[i];
        match half(provider, f, f.secret.as_deref().unwrap_or_default()) {
            Ok(h) => {
                let key = (f.location.path.as_str(), f.props.commit.as_deref());
                files.entry(key).or_default().push((i, h));
            }
            Err(outcome) => plan.settled.push((i, outcome)),
        }
    }
    for members in files.values() {
        for &(i, h) in members {
            let partner = members
                .iter()
                .filter(|(_, other)| *other != h)
                .min_by_key(|(j, _)| (line_distance(findings, i, *j), *j));
            let Some(&(j, _)) = partner else {
                let missing = match (provider, h) {
                    (Provider::Aws, Half::Id) => "no AWS secret access key in the same file",
                    (Provider::Aws, Half::Secret) => "no AWS access key id in the same file",
                    (_, Half::Id) => "no Twilio auth token in the same file",
                    (_, Half::Secret) => "no Twilio account SID in the same file",
                };
                plan.settled.push((i, Outcome::unverifiable(missing)));
                continue;
            };
            let (id, secret) = if h == Half::Id { (i, j) } else { (j, i) };
            let text = |k: usize| findings[k].secret.clone().unwrap_or_default();
            let credential = match provider {
                Provider::Aws => Credential::Aws {
                    key_id: text(id),
                    secret: text(secret),
                },
                _ => Credential::Twilio {
                    account_sid: text(id),
                    auth_token: text(secret),
                },
            };
            let check = Check {
                provider,
                credential,
                findings: vec![id, secret],
            };
            plan.add(index, check);
        }
    }
}

fn line_distance(findings: &[Finding], a: usize, b: usize) -> usize {
    findings[a]
        .location
        .start_line
        .abs_diff(findings[b].location.start_line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::testutil::finding;

    fn all(_: Provider) -> bool {
        true
    }

    #[test]
    fn one_check_per_distinct_secret() {
        let fs = vec![
            finding("github", "a.env", 1, "ghp_one"),
            finding("github", "b.env", 4, "ghp_one"),
            finding("github", "b.env", 5, "ghp_two"),
        ];
        let p = plan(&fs, &all);
        assert_eq!(p.checks.len(), 2);
        assert_eq!(p.checks[0].findings, vec![0, 1]);
        assert_eq!(p.checks[1].findings, vec![2]);
    }

    #[test]
    fn aws_halves_pair_with_the_nearest_partner_in_the_same_file() {
        let id1 = "AKIAQ7M3ZRWTNVBLXKCW";
        let id2 = "AKIAZZZ2QQQ3RRR4SSS5";
        let s1 = "a".repeat(39) + "1";
        let s2 = "b".repeat(39) + "2";
        let fs = vec![
            finding("aws", "x.env", 1, id1),
            finding("aws", "x.env", 2, &s1),
            finding("aws", "x.env", 10, id2),
            finding("aws", "x.env", 11, &s2),
            finding("aws", "y.env", 1, &s2),
        ];
        let p = plan(&fs, &all);
        let creds: Vec<_> = p.checks.iter().map(|c| c.credential.clone()).collect();
        assert_eq!(
            creds,
            vec![
                Credential::Aws {
                    key_id: id1.into(),
                    secret: s1.clone()
                },
                Credential::Aws {
                    key_id: id2.into(),
                    secret: s2.clone()
                },
            ]
        );
        // The secret alone in y.env has no partner there.
        assert_eq!(p.settled.len(), 1);
        assert_eq!(p.settled[0].0, 4);
        assert_eq!(
            p.settled[0].1.status,
            super::super::outcome::Status::Unverifiable
        );
    }

    #[test]
    fn unsupported_kinds_and_denied_providers_send_nothing() {
        let fs = vec![
            finding("stripe", "a", 1, "whsec_abc"),
            finding("pypi", "a", 2, "pypi-abc"),
            finding("openai", "a", 3, "sk-proj-abc"),
            finding("aws", "a", 4, "ASIAQ7M3ZRWTNVBLXKCW"),
        ];
        let p = plan(&fs, &|p| p != Provider::Openai);
        assert!(p.checks.is_empty());
        let settled: Vec<usize> = p.settled.iter().map(|(i, _)| *i).collect();
        assert_eq!(settled, vec![0, 1, 3]);
    }

    #[test]
    fn gcp_keys_come_from_a_key_file_or_a_pem_with_attributed_email() {
        let json = r#"{"type":"service_account","client_email":"ci@p.iam.gserviceaccount.com","private_key":"-----BEGIN PRIVATE KEY-----\nAAA\n-----END PRIVATE KEY-----\n","private_key_id":"k1"}"#;
        let mut pem = finding(
            "private-key",
            "k.json",
            1,
            "-----BEGIN PRIVATE KEY-----\\nAAA",
        );
        pem.props
            .identity
            .insert("client_email".into(), "ci@p.iam.gserviceaccount.com".into());
        let fs = vec![finding("gcp", "k.json", 1, json), pem];
        let p = plan(&fs, &all);
        let Credential::Gcp(k) = &p.checks[0].credential else {
            panic!()
        };
        assert_eq!(k.private_key_id.as_deref(), Some("k1"));
        let Credential::Gcp(k) = &p.checks[1].credential else {
            panic!()
        };
        assert_eq!(k.private_key_pem, "-----BEGIN PRIVATE KEY-----\nAAA");
        assert_eq!(k.client_email, "ci@p.iam.gserviceaccount.com");
    }
}
