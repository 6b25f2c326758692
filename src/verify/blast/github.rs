//! GitHub: `GET /user` (login, `site_admin`, and the `X-OAuth-Scopes` header of classic tokens),
//! `GET /user/orgs?per_page=100`, and `GET /user/repos?per_page=100&page=N` (at most
//! [`MAX_PAGES`] pages) whose `permissions` give the repositories the principal administers or
//! can push to. App installation tokens (`ghs_`) read `GET /installation/repositories` instead.
//! All GETs.

use super::{BlastRadius, header_list, read};
use crate::verify::http::{Client, HttpRequest};
use crate::verify::provider::Provider;
use serde_json::Value;

const P: Provider = Provider::Github;
/// Repository pages read at most (100 repositories each).
pub const MAX_PAGES: usize = 10;

/// Scopes that let a classic token write.
const WRITE_SCOPES: [&str; 6] = [
    "repo",
    "public_repo",
    "workflow",
    "write:packages",
    "delete_repo",
    "write:org",
];
/// Scopes that administer an organisation or enterprise.
const ADMIN_SCOPES: [&str; 3] = ["admin:org", "admin:enterprise", "site_admin"];

/// The token type by its documented prefix.
pub fn token_type(token: &str) -> &'static str {
    match token.get(..4).unwrap_or_default() {
        _ if token.starts_with("github_pat_") => "fine-grained-pat",
        "ghp_" => "classic-pat",
        "gho_" => "oauth-app",
        "ghu_" => "github-app-user",
        "ghs_" => "github-app-installation",
        "ghr_" => "refresh-token",
        _ => "unknown",
    }
}

fn get(client: &Client, path: &str, token: &str) -> HttpRequest {
    let base = client.endpoints().base(P);
    HttpRequest::get(format!("{base}{path}"))
        .bearer(token)
        .header("Accept", "application/vnd.github+json")
        .header("X-GitHub-Api-Version", "2022-11-28")
}

pub(super) fn map(client: &Client, token: &str) -> BlastRadius {
    let mut b = BlastRadius {
        token_type: Some(token_type(token).to_string()),
        ..BlastRadius::default()
    };
    let mut limits = Vec::new();
    if token.starts_with("ghs_") {
        installation(client, token, &mut b, &mut limits);
        b.limitations = limits;
        return b;
    }
    let mut site_admin = false;
    if let Some(resp) = read(
        client,
        P,
        &get(client, "/user", token),
        "GET /user",
        &mut limits,
    ) {
        let body = resp.json().unwrap_or(Value::Null);
        b.principal = body["login"].as_str().map(str::to_string);
        site_admin = body["site_admin"].as_bool().unwrap_or(false);
        match header_list(&resp, "x-oauth-scopes") {
            Some(scopes) => b.permissions = scopes,
            None => limits.push(
                "the token's own permissions are not reported (fine-grained or app token): counts are the user's repository permissions".into(),
            ),
        }
    }
    let orgs = get(client, "/user/orgs?per_page=100", token);
    if let Some(resp) = read(client, P, &orgs, "GET /user/orgs", &mut limits) {
        let list = resp.json().unwrap_or(Value::Null);
        b.organizations = list
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|o| o["login"].as_str().map(str::to_string))
            .collect();
    }
    let (mut total, mut admin, mut push) = (0u64, 0u64, 0u64);
    let mut complete = false;
    for page in 1..=MAX_PAGES {
        let req = get(
            client,
            &format!("/user/repos?per_page=100&page={page}"),
            token,
        );
        let Some(resp) = read(client, P, &req, "GET /user/repos", &mut limits) else {
            complete = true; // the limitation says why
            break;
        };
        let list = resp.json().unwrap_or(Value::Null);
        let repos = list.as_array().cloned().unwrap_or_default();
        for r in &repos {
            total += 1;
            admin += u64::from(r["permissions"]["admin"].as_bool() == Some(true));
            push += u64::from(r["permissions"]["push"].as_bool() == Some(true));
        }
        if repos.len() < 100 {
            complete = true;
            break;
        }
    }
    if !complete {
        limits.push(format!(
            "counted the first {} repositories only",
            MAX_PAGES * 100
        ));
    }
    b.resources.insert("repositories".into(), total);
    b.resources.insert("repositories_admin".into(), admin);
    b.resources.insert("repositories_push".into(), push);
    let has = |list: &[&str]| b.permissions.iter().any(|s| list.contains(&s.as_str()));
    b.admin = site_admin || admin > 0 || has(&ADMIN_SCOPES);
    b.write = Some(push > 0 || has(&WRITE_SCOPES) || has(&ADMIN_SCOPES));
    b.limitations = limits;
    b
}

fn installation(client: &Client, token: &str, b: &mut BlastRadius, limits: &mut Vec<String>) {
    let req = get(client, "/installation/repositories?per_page=100", token);
    if let Some(resp) = read(client, P, &req, "GET /installation/repositories", limits) {
        let body = resp.json().unwrap_or(Value::Null);
        b.principal = body
            .pointer("/repositories/0/owner/login")
            .and_then(Value::as_str)
            .map(str::to_string);
        if let Some(n) = body["total_count"].as_u64() {
            b.resources.insert("repositories".into(), n);
        }
    }
    limits.push(
        "an installation token's permissions are set on the app, not readable with the token"
            .into(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_types_follow_documented_prefixes() {
        assert_eq!(token_type("ghp_x"), "classic-pat");
        assert_eq!(token_type("github_pat_11A"), "fine-grained-pat");
        assert_eq!(token_type("ghs_x"), "github-app-installation");
        assert_eq!(token_type("x"), "unknown");
    }
}
