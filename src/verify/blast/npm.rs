//! npm: `GET /-/whoami` (the user), `GET /-/npm/v1/tokens` (the user's tokens: the one whose
//! `key` is the SHA-512 of this token, or whose `token` prefix matches it alone, says
//! `readonly`, `automation` and `cidr_whitelist`), and the packages the user can access, read
//! as `npm access list packages <user>` does: `GET /-/org/<user>/package`, and on 404
//! `GET /-/user/<user>/package`, each package mapped to `read-write` or `read-only`. All GETs.
//!
//! Why not `/-/v1/search?text=maintainer:<user>`: search is an eventually consistent index that
//! counts packages naming the user as a maintainer, without saying whether the user can publish
//! them (team grants are missing; stale maintainers are not); the access listing is the
//! registry's own answer to "what can this user write".

use super::{BlastRadius, read};
use crate::verify::http::{Client, HttpRequest};
use crate::verify::provider::Provider;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;
use sha2::{Digest, Sha512};

const P: Provider = Provider::Npm;
/// A path segment: everything but unreserved characters is escaped.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.');

fn get(client: &Client, path: &str, token: &str) -> HttpRequest {
    let base = client.endpoints().base(P);
    HttpRequest::get(format!("{base}{path}")).bearer(token)
}

pub(super) fn map(client: &Client, token: &str) -> BlastRadius {
    let mut b = BlastRadius {
        token_type: Some("access-token".into()),
        ..BlastRadius::default()
    };
    let mut limits = Vec::new();
    let whoami = get(client, "/-/whoami", token);
    if let Some(resp) = read(client, P, &whoami, "GET /-/whoami", &mut limits) {
        let body = resp.json().unwrap_or(Value::Null);
        b.principal = body["username"].as_str().map(str::to_string);
    }
    let readonly = own_token(client, token, &mut b, &mut limits);
    let writable = match b.principal.clone() {
        Some(user) => packages(client, token, &user, &mut b, &mut limits),
        None => None,
    };
    b.write = match (readonly, writable) {
        (Some(true), _) => Some(false),
        (Some(false), Some(n)) => Some(n > 0),
        _ => None,
    };
    b.limitations = limits;
    b
}

/// Read this token's settings from the user's token list; `Some(readonly)` when found.
fn own_token(
    client: &Client,
    token: &str,
    b: &mut BlastRadius,
    limits: &mut Vec<String>,
) -> Option<bool> {
    let req = get(client, "/-/npm/v1/tokens", token);
    let resp = read(client, P, &req, "GET /-/npm/v1/tokens", limits)?;
    let body = resp.json().unwrap_or(Value::Null);
    let list = body["objects"].as_array().cloned().unwrap_or_default();
    let key = hex::encode(Sha512::digest(token.as_bytes()));
    let by_key = list
        .iter()
        .find(|t| t["key"].as_str() == Some(key.as_str()));
    let by_prefix: Vec<&Value> = list
        .iter()
        .filter(|t| {
            t["token"]
                .as_str()
                .is_some_and(|p| p.len() >= 6 && token.starts_with(p))
        })
        .collect();
    let Some(entry) = by_key.or(match by_prefix.as_slice() {
        [one] => Some(*one),
        _ => None,
    }) else {
        limits.push(
            "the token is not identifiable among the user's listed tokens: its read-only, automation and CIDR settings are unknown"
                .into(),
        );
        return None;
    };
    let readonly = entry["readonly"].as_bool() == Some(true);
    let automation = entry["automation"].as_bool() == Some(true);
    b.token_type = Some(
        match (readonly, automation) {
            (true, _) => "read-only",
            (false, true) => "automation",
            (false, false) => "publish",
        }
        .into(),
    );
    b.permissions
        .push(if readonly { "read-only" } else { "publish" }.into());
    for cidr in entry["cidr_whitelist"].as_array().into_iter().flatten() {
        if let Some(c) = cidr.as_str() {
            b.permissions.push(format!("cidr:{c}"));
        }
    }
    Some(readonly)
}

/// Count the packages `user` can access and those it can write; `Some(writable)` when read.
fn packages(
    client: &Client,
    token: &str,
    user: &str,
    b: &mut BlastRadius,
    limits: &mut Vec<String>,
) -> Option<u64> {
    let name = utf8_percent_encode(user, SEGMENT).to_string();
    let org = format!("/-/org/{name}/package");
    let resp = match client.send(P, &get(client, &org, token)) {
        Ok(r) if r.status == 200 => r,
        Ok(r) if r.status == 404 => {
            let user_path = format!("/-/user/{name}/package");
            let what = format!("GET {user_path}");
            read(client, P, &get(client, &user_path, token), &what, limits)?
        }
        Ok(r) => {
            limits.push(format!("GET {org}: HTTP {}", r.status));
            return None;
        }
        Err(e) => {
            limits.push(format!("GET {org}: {e}"));
            return None;
        }
    };
    let Some(map) = resp.json().and_then(|v| v.as_object().cloned()) else {
        limits.push("the package access listing is not a JSON object".into());
        return None;
    };
    let writable = map
        .values()
        .filter(|v| matches!(v.as_str(), Some("read-write" | "write")))
        .count() as u64;
    b.resources.insert("packages".into(), map.len() as u64);
    b.resources.insert("packages_writable".into(), writable);
    Some(writable)
}
