//! GitLab: `GET {gitlab}/api/v4/personal_access_tokens/self` (header `PRIVATE-TOKEN`) describes
//! the token itself — `active`, `revoked`, `scopes`, `expires_at`, `user_id`; a follow-up
//! `GET {gitlab}/api/v4/user` with the same token names the user (for project and group access
//! tokens, their bot user).

use super::{fetch, json_object, rejected, settle, text, unexpected};
use crate::verify::http::{Client, HttpRequest};
use crate::verify::outcome::Outcome;
use crate::verify::provider::Provider;

const P: Provider = Provider::Gitlab;

pub(super) fn check(client: &Client, token: &str) -> Outcome {
    let base = client.endpoints().base(P);
    let req = HttpRequest::get(format!("{base}/api/v4/personal_access_tokens/self"))
        .header("PRIVATE-TOKEN", token);
    let resp = match settle(client, P, &req) {
        Ok(r) => r,
        Err(o) => return o,
    };
    match resp.status {
        200 => {
            let body = match json_object(&resp) {
                Ok(b) => b,
                Err(o) => return o,
            };
            let (Some(active), Some(revoked)) =
                (body["active"].as_bool(), body["revoked"].as_bool())
            else {
                return Outcome::unverifiable("GitLab answered without active/revoked");
            };
            let outcome = if revoked {
                Outcome::inactive("GitLab reports the token revoked")
            } else if !active {
                Outcome::inactive("GitLab reports the token inactive (expired)")
            } else {
                Outcome::active(username(client, base, token))
            };
            outcome
                .with("token_name", body["name"].clone())
                .with("scopes", body["scopes"].clone())
                .with("expires_at", body["expires_at"].clone())
                .with("user_id", body["user_id"].clone())
        }
        401 => rejected(P, &resp),
        _ => unexpected(&resp),
    }
}

/// The token's user, best effort (a token without `read_user`/`api` scope cannot read it).
fn username(client: &Client, base: &str, token: &str) -> Option<String> {
    let req = HttpRequest::get(format!("{base}/api/v4/user")).header("PRIVATE-TOKEN", token);
    let resp = fetch(client, P, &req).ok()?;
    if resp.status != 200 {
        return None;
    }
    text(&resp.json()?, "/username")
}
