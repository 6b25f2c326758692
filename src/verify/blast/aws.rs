//! AWS: every call is a SigV4-signed `POST` of a Query API read action (form body
//! `Action=…&Version=…`), signed with the `aws-sigv4` crate:
//!
//! - STS `GetCallerIdentity` (service `sts`): account, ARN, user or role;
//! - for an IAM user, IAM (service `iam`, `us-east-1`, `https://iam.amazonaws.com`)
//!   `ListAttachedUserPolicies`, `ListUserPolicies`, `ListGroupsForUser`, then
//!   `ListAttachedGroupPolicies` for each group (at most [`MAX_GROUPS`]) and `GetUserPolicy`
//!   for each inline policy (at most [`MAX_INLINE`]) to read its document.
//!
//! `admin` when `AdministratorAccess` or `IAMFullAccess` is attached to the user or one of its
//! groups, when an inline policy allows `*` or `iam:*` on `*`, or for the account's root user.
//! A refused call (the key may not read its own IAM data) becomes a limitation.

use super::BlastRadius;
use crate::verify::aws_signing::{signed_post, sts_region};
use crate::verify::http::{Client, HttpRequest};
use crate::verify::provider::Provider;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use serde_json::Value;

const P: Provider = Provider::Aws;
/// Groups whose attached policies are read at most.
pub const MAX_GROUPS: usize = 10;
/// Inline policy documents read at most.
pub const MAX_INLINE: usize = 10;
/// AWS managed policies that administer the account or its IAM.
const ADMIN_POLICIES: [&str; 2] = ["AdministratorAccess", "IAMFullAccess"];
/// RFC 3986 unreserved characters stay as they are in a form value.
const FORM: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The key pair, and where each service's requests go.
struct Signer<'a> {
    client: &'a Client<'a>,
    key_id: &'a str,
    secret: &'a str,
}

impl Signer<'_> {
    /// Sign and send one Query API action; the XML body of a 200 answer, or a limitation.
    fn call(
        &self,
        service: &str,
        params: &[(&str, &str)],
        limits: &mut Vec<String>,
    ) -> Option<String> {
        let action = params.first().map_or("", |(_, v)| *v);
        let (base, region, version) = match service {
            "sts" => {
                let base = self.client.endpoints().base(P).to_string();
                let region = sts_region(&base);
                (base, region, "2011-06-15")
            }
            _ => (iam_base(self.client), "us-east-1".to_string(), "2010-05-08"),
        };
        let mut body: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, FORM)))
            .collect();
        body.push(format!("Version={version}"));
        let body = body.join("&");
        let url = format!("{base}/");
        let req = match self.signed(&url, service, &region, body.as_bytes()) {
            Ok(r) => r,
            Err(e) => {
                limits.push(format!("{action}: could not sign the request: {e}"));
                return None;
            }
        };
        match self.client.send(P, &req) {
            Ok(r) if r.status == 200 => Some(String::from_utf8_lossy(&r.body).into_owned()),
            Ok(r) => {
                let text = String::from_utf8_lossy(&r.body).into_owned();
                let code = leaves(&text, "Code").into_iter().next();
                limits.push(match code {
                    Some(code) => format!("{action}: HTTP {} {code}", r.status),
                    None => format!("{action}: HTTP {}", r.status),
                });
                None
            }
            Err(e) => {
                limits.push(format!("{action}: {e}"));
                None
            }
        }
    }

    fn signed(
        &self,
        url: &str,
        service: &str,
        region: &str,
        body: &[u8],
    ) -> Result<HttpRequest, String> {
        signed_post(self.key_id, self.secret, url, service, region, body)
    }
}

/// The IAM endpoint among AWS's bases, or the one configured override (tests, proxies).
fn iam_base(client: &Client) -> String {
    let mut bases = client.endpoints().bases(P);
    let first = client.endpoints().base(P).to_string();
    bases
        .find(|b| b.starts_with("https://iam."))
        .map_or(first, str::to_string)
}

/// The texts of every `<name>…</name>` element of an AWS XML answer.
fn leaves(xml: &str, name: &str) -> Vec<String> {
    let Ok(doc) = roxmltree::Document::parse(xml) else {
        return Vec::new();
    };
    doc.descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == name)
        .filter_map(|n| n.text().map(|t| t.trim().to_string()))
        .filter(|t| !t.is_empty())
        .collect()
}

fn truncated(xml: &str) -> bool {
    leaves(xml, "IsTruncated")
        .first()
        .is_some_and(|t| t == "true")
}

pub(super) fn map(client: &Client, key_id: &str, secret: &str) -> BlastRadius {
    let s = Signer {
        client,
        key_id,
        secret,
    };
    let mut b = BlastRadius::default();
    let mut limits = Vec::new();
    let Some(xml) = s.call("sts", &[("Action", "GetCallerIdentity")], &mut limits) else {
        b.limitations = limits;
        return b;
    };
    let arn = leaves(&xml, "Arn").into_iter().next().unwrap_or_default();
    b.organizations = leaves(&xml, "Account");
    b.principal = Some(arn.clone()).filter(|a| !a.is_empty());
    // arn:aws:iam::123456789012:user/path/name, …:root, arn:aws:sts::…:assumed-role/role/session
    let resource = arn.splitn(6, ':').nth(5).unwrap_or_default();
    if resource == "root" {
        b.token_type = Some("root".into());
        b.admin = true;
        b.write = Some(true);
        b.limitations = limits;
        return b;
    }
    let Some(user_path) = resource.strip_prefix("user/") else {
        b.token_type = Some(if resource.starts_with("assumed-role/") {
            "assumed-role".into()
        } else {
            "other".into()
        });
        limits.push("policies are read for IAM users only".into());
        b.limitations = limits;
        return b;
    };
    b.token_type = Some("iam-user".into());
    let user = user_path.rsplit('/').next().unwrap_or(user_path);
    user_policies(&s, user, &mut b, &mut limits);
    b.limitations = limits;
    b
}

/// The user's attached, inline and group policies; sets `admin` and `write`.
fn user_policies(s: &Signer, user: &str, b: &mut BlastRadius, limits: &mut Vec<String>) {
    let mut admin = false;
    let mut known = true;
    let mut any = false;
    let list = [("Action", "ListAttachedUserPolicies"), ("UserName", user)];
    match s.call("iam", &list, limits) {
        Some(xml) => {
            let names = leaves(&xml, "PolicyName");
            admin |= names.iter().any(|n| ADMIN_POLICIES.contains(&n.as_str()));
            any |= !names.is_empty();
            b.resources
                .insert("attached_policies".into(), names.len() as u64);
            if truncated(&xml) {
                limits
                    .push("ListAttachedUserPolicies: more than one page; counted the first".into());
            }
            b.permissions.extend(names);
        }
        None => known = false,
    }
    let list = [("Action", "ListUserPolicies"), ("UserName", user)];
    match s.call("iam", &list, limits) {
        Some(xml) => {
            let names = leaves(&xml, "member");
            any |= !names.is_empty();
            b.resources
                .insert("inline_policies".into(), names.len() as u64);
            if names.len() > MAX_INLINE {
                limits.push(format!(
                    "read the first {MAX_INLINE} inline policy documents only"
                ));
            }
            for name in names.iter().take(MAX_INLINE) {
                let get = [
                    ("Action", "GetUserPolicy"),
                    ("PolicyName", name.as_str()),
                    ("UserName", user),
                ];
                match s.call("iam", &get, limits) {
                    Some(xml) => {
                        admin |= leaves(&xml, "PolicyDocument")
                            .first()
                            .is_some_and(|d| document_is_admin(d))
                    }
                    None => known = false,
                }
            }
            b.permissions
                .extend(names.iter().map(|n| format!("inline:{n}")));
        }
        None => known = false,
    }
    let list = [("Action", "ListGroupsForUser"), ("UserName", user)];
    match s.call("iam", &list, limits) {
        Some(xml) => {
            let groups = leaves(&xml, "GroupName");
            b.resources.insert("groups".into(), groups.len() as u64);
            if groups.len() > MAX_GROUPS {
                limits.push(format!(
                    "read the policies of the first {MAX_GROUPS} groups only"
                ));
            }
            for g in groups.iter().take(MAX_GROUPS) {
                let list = [
                    ("Action", "ListAttachedGroupPolicies"),
                    ("GroupName", g.as_str()),
                ];
                match s.call("iam", &list, limits) {
                    Some(xml) => {
                        let names = leaves(&xml, "PolicyName");
                        admin |= names.iter().any(|n| ADMIN_POLICIES.contains(&n.as_str()));
                        any |= !names.is_empty();
                        b.permissions
                            .extend(names.iter().map(|n| format!("group:{g}:{n}")));
                    }
                    None => known = false,
                }
            }
            b.organizations
                .extend(groups.iter().map(|g| format!("group:{g}")));
        }
        None => known = false,
    }
    b.admin = admin;
    b.write = if admin {
        Some(true)
    } else if known && !any {
        // No policy at all: the key can call STS and nothing else.
        Some(false)
    } else {
        limits.push("what non-administrator policies allow is not evaluated".into());
        None
    };
}

/// Whether a policy document (URL-encoded JSON, as IAM returns it) allows `*` or `iam:*` on
/// every resource.
fn document_is_admin(encoded: &str) -> bool {
    let text = percent_decode_str(encoded).decode_utf8_lossy();
    let Ok(doc) = serde_json::from_str::<Value>(&text) else {
        return false;
    };
    let list = |v: &Value| -> Vec<String> {
        match v {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    };
    let statements = match &doc["Statement"] {
        Value::Array(a) => a.clone(),
        s @ Value::Object(_) => vec![s.clone()],
        _ => Vec::new(),
    };
    statements.iter().any(|st| {
        st["Effect"] == "Allow"
            && list(&st["Action"])
                .iter()
                .any(|a| a == "*" || a.eq_ignore_ascii_case("iam:*"))
            && list(&st["Resource"]).iter().any(|r| r == "*")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_documents_allow_everything_or_all_of_iam_on_every_resource() {
        let enc = |s: &str| utf8_percent_encode(s, FORM).to_string();
        let star = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;
        assert!(document_is_admin(&enc(star)));
        let iam = r#"{"Statement":[{"Effect":"Allow","Action":["s3:GetObject","iam:*"],"Resource":["*"]}]}"#;
        assert!(document_is_admin(&enc(iam)));
        let narrow = r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
        assert!(!document_is_admin(&enc(narrow)));
        let deny = r#"{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#;
        assert!(!document_is_admin(&enc(deny)));
        let scoped =
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/*"}]}"#;
        assert!(!document_is_admin(&enc(scoped)));
        assert!(!document_is_admin("%7Bnot json"));
    }
}
