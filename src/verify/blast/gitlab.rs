//! GitLab (the configured instance, `--gitlab-url`): `GET /api/v4/personal_access_tokens/self`
//! (scopes, `expires_at`), `GET /api/v4/user` (username, `is_admin`, `bot`), and
//! `GET /api/v4/groups?min_access_level=N&per_page=100` for owner (50) and maintainer (40)
//! access, counted from the `X-Total` pagination header (the first page's length when GitLab
//! omits it, with a limitation when `X-Next-Page` says there is more). All GETs, with the token
//! in the `PRIVATE-TOKEN` header.

use super::{BlastRadius, read};
use crate::verify::http::{Client, HttpRequest, HttpResponse};
use crate::verify::provider::Provider;
use serde_json::Value;

const P: Provider = Provider::Gitlab;
/// Groups listed per page (GitLab's maximum).
const PER_PAGE: u64 = 100;
/// GitLab's `Owner` and `Maintainer` access levels.
const OWNER: u32 = 50;
const MAINTAINER: u32 = 40;

/// Scopes that let a token change something (API, repositories, registries, runners, cluster
/// agents, admin mode, sudo).
const WRITE_SCOPES: [&str; 10] = [
    "api",
    "write_repository",
    "write_registry",
    "write_virtual_registry",
    "write_observability",
    "sudo",
    "admin_mode",
    "create_runner",
    "manage_runner",
    "k8s_proxy",
];
/// Scopes with which an administrator or owner can administer (the full API).
const ADMIN_SCOPES: [&str; 3] = ["api", "sudo", "admin_mode"];

fn get(client: &Client, path: &str, token: &str) -> HttpRequest {
    let base = client.endpoints().base(P);
    HttpRequest::get(format!("{base}/api/v4{path}")).header("PRIVATE-TOKEN", token)
}

pub(super) fn map(client: &Client, token: &str) -> BlastRadius {
    let mut b = BlastRadius {
        token_type: Some("access-token".into()),
        ..BlastRadius::default()
    };
    let mut limits = Vec::new();
    let self_req = get(client, "/personal_access_tokens/self", token);
    let what = "GET /api/v4/personal_access_tokens/self";
    if let Some(resp) = read(client, P, &self_req, what, &mut limits) {
        let body = resp.json().unwrap_or(Value::Null);
        b.permissions = strings(&body["scopes"]);
        b.expires_at = body["expires_at"].as_str().map(str::to_string);
        if let Some(id) = body["user_id"].as_u64() {
            b.principal = Some(format!("user id {id}"));
        }
    }
    let mut is_admin = false;
    if let Some(resp) = read(
        client,
        P,
        &get(client, "/user", token),
        "GET /api/v4/user",
        &mut limits,
    ) {
        let body = resp.json().unwrap_or(Value::Null);
        if let Some(name) = body["username"].as_str() {
            b.principal = Some(name.to_string());
        }
        is_admin = body["is_admin"].as_bool() == Some(true);
        if body["bot"].as_bool() == Some(true) {
            // Project and group access tokens act as a bot user of their project or group.
            b.token_type = Some("project-or-group-access-token".into());
        } else {
            b.token_type = Some("personal-access-token".into());
        }
        if is_admin {
            b.resources.insert("instance_admin".into(), 1);
        }
    }
    let owner = groups(client, token, OWNER, &mut b, &mut limits);
    let maintainer = groups(client, token, MAINTAINER, &mut b, &mut limits);
    if let Some(n) = owner {
        b.resources.insert("groups_owner".into(), n);
    }
    if let Some(n) = maintainer {
        b.resources.insert("groups_maintainer".into(), n);
    }
    let has = |list: &[&str]| b.permissions.iter().any(|s| list.contains(&s.as_str()));
    let full_api = has(&ADMIN_SCOPES);
    b.admin = full_api && (is_admin || owner.unwrap_or(0) > 0);
    if !b.permissions.is_empty() {
        b.write = Some(has(&WRITE_SCOPES));
    }
    b.limitations = limits;
    b
}

/// Count the groups where the token's user has at least `level`; the maintainer-or-higher
/// groups' full paths become the organisations.
fn groups(
    client: &Client,
    token: &str,
    level: u32,
    b: &mut BlastRadius,
    limits: &mut Vec<String>,
) -> Option<u64> {
    let path = format!("/groups?min_access_level={level}&per_page={PER_PAGE}");
    let req = get(client, &path, token);
    let resp = read(client, P, &req, &format!("GET /api/v4{path}"), limits)?;
    let list = resp.json().unwrap_or(Value::Null);
    let Some(list) = list.as_array() else {
        limits.push(format!("GET /api/v4{path}: not a list of groups"));
        return None;
    };
    if level == MAINTAINER {
        b.organizations = list
            .iter()
            .filter_map(|g| g["full_path"].as_str().map(str::to_string))
            .collect();
    }
    Some(total(&resp, list.len() as u64, level, limits))
}

/// The `X-Total` header, or the page's length (noted as a floor when there are more pages).
fn total(resp: &HttpResponse, page_len: u64, level: u32, limits: &mut Vec<String>) -> u64 {
    if let Some(n) = resp.header("x-total").and_then(|v| v.trim().parse().ok()) {
        return n;
    }
    let more = resp
        .header("x-next-page")
        .is_some_and(|v| !v.trim().is_empty());
    if more {
        limits.push(format!(
            "GitLab did not send X-Total: counted the first {PER_PAGE} groups with access level {level} or more"
        ));
    }
    page_len
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::endpoints::Endpoints;
    use crate::verify::http::Pacing;
    use crate::verify::http::tests::{Scripted, status};
    use std::time::Duration;

    const PACING: Pacing = Pacing {
        retries: 0,
        backoff: Duration::from_millis(1),
        rate_per_sec: 0.0,
    };

    /// A group owner whose token can only read; GitLab omits `X-Total` (over 10,000 groups).
    fn answer(req: &HttpRequest, _: usize) -> HttpResponse {
        let json = |body: &str| HttpResponse {
            body: body.as_bytes().to_vec(),
            ..status(200)
        };
        let path = req.url.trim_start_matches("https://gitlab.com/api/v4");
        match path {
            "/personal_access_tokens/self" => {
                json(r#"{"scopes":["read_api"],"expires_at":null,"user_id":9}"#)
            }
            "/user" => json(r#"{"username":"owner","bot":false}"#),
            _ if path.starts_with("/groups?") => {
                let mut r = json(r#"[{"full_path":"big"},{"full_path":"big/sub"}]"#);
                r.headers = vec![("x-next-page".into(), "2".into())];
                r
            }
            _ => status(404),
        }
    }

    #[test]
    fn a_read_only_token_of_an_owner_is_not_admin_and_a_missing_total_is_a_floor() {
        let t = Scripted::new(answer);
        let e = Endpoints::default();
        let client = Client::new(&e, &t, PACING);
        let b = map(&client, "glpat-x");
        assert_eq!(b.principal.as_deref(), Some("owner"));
        assert_eq!(b.expires_at, None);
        assert_eq!(b.resources["groups_owner"], 2);
        assert!(!b.admin, "read_api cannot administer");
        assert_eq!(b.write, Some(false));
        assert_eq!(b.limitations.len(), 2, "{:?}", b.limitations);
        assert!(b.limitations[0].contains("X-Total"), "{:?}", b.limitations);
        let sent = t.sent.lock().unwrap();
        assert!(sent.iter().all(|r| r.method == "GET"));
        assert!(sent.iter().all(|r| {
            r.headers
                .contains(&("PRIVATE-TOKEN".into(), "glpat-x".into()))
        }));
    }
}
