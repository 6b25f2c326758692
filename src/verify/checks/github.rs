//! GitHub: `GET {api}/user` names the token's user; the `X-OAuth-Scopes` and
//! `github-authentication-token-expiration` headers give its scopes and expiry. App installation
//! tokens (`ghs_`) cannot read `/user`; they read `GET {api}/installation/repositories?per_page=1`,
//! whose first repository's owner is the installation's account.

use super::{json_object, list_header, rejected, settle, text, unexpected};
use crate::verify::http::{Client, HttpRequest};
use crate::verify::outcome::Outcome;
use crate::verify::provider::Provider;

const P: Provider = Provider::Github;

pub(super) fn check(client: &Client, token: &str) -> Outcome {
    let base = client.endpoints().base(P);
    let path = if token.starts_with("ghs_") {
        "/installation/repositories?per_page=1"
    } else {
        "/user"
    };
    let req = HttpRequest::get(format!("{base}{path}"))
        .bearer(token)
        .header("Accept", "application/vnd.github+json")
        .header("X-GitHub-Api-Version", "2022-11-28");
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
            let expires = resp
                .header("github-authentication-token-expiration")
                .map(str::to_string);
            let outcome = if path == "/user" {
                let Some(login) = text(&body, "/login") else {
                    return Outcome::unverifiable("GitHub answered without a login");
                };
                Outcome::active(Some(login))
                    .with("user_id", body["id"].clone())
                    .with("account_type", body["type"].clone())
            } else {
                Outcome::active(text(&body, "/repositories/0/owner/login"))
                    .with("token_type", "github-app-installation")
                    .with("repository_count", body["total_count"].clone())
            };
            outcome
                .with("scopes", list_header(&resp, "x-oauth-scopes"))
                .with("expires_at", expires)
        }
        401 => rejected(P, &resp),
        403 if resp.header("x-ratelimit-remaining") == Some("0") => {
            Outcome::unverifiable("GitHub rate limit reached")
        }
        _ => unexpected(&resp),
    }
}
