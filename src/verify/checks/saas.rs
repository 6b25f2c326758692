//! Token checks that are one read-only GET each: OpenAI, Anthropic, Hugging Face, Stripe, npm,
//! SendGrid and Datadog. Each function documents its request; `docs/verify.md` has the table.

use super::{json_object, rejected, settle, text, unexpected};
use crate::verify::http::{Client, HttpRequest, HttpResponse};
use crate::verify::outcome::Outcome;
use crate::verify::provider::Provider;
use serde_json::Value;

fn get(client: &Client, p: Provider, req: HttpRequest) -> Result<HttpResponse, Outcome> {
    settle(client, p, &req)
}

/// The body of a 200 answer as a JSON object; 401 is `inactive`, anything else `unexpected`.
fn ok_json(p: Provider, resp: &HttpResponse, dead: &[u16]) -> Result<Value, Outcome> {
    match resp.status {
        200 => json_object(resp),
        s if dead.contains(&s) => Err(rejected(p, resp)),
        _ => Err(unexpected(resp)),
    }
}

macro_rules! attempt {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(o) => return o,
        }
    };
}

/// OpenAI: `GET /v1/models` (admin keys: `GET /v1/organization/projects?limit=1`). The
/// `openai-organization` response header names the organization. A restricted key without the
/// models scope answers 403 "Missing scopes": it is valid, so `active`.
pub(super) fn openai(client: &Client, token: &str) -> Outcome {
    const P: Provider = Provider::Openai;
    let path = if token.starts_with("sk-admin-") {
        "/v1/organization/projects?limit=1"
    } else {
        "/v1/models"
    };
    let base = client.endpoints().base(P);
    let resp = attempt!(get(
        client,
        P,
        HttpRequest::get(format!("{base}{path}")).bearer(token)
    ));
    let org = resp.header("openai-organization").map(str::to_string);
    let project = resp.header("openai-project").map(str::to_string);
    if resp.status == 403 {
        let message = resp.json().and_then(|b| text(&b, "/error/message"));
        if message.is_some_and(|m| m.contains("Missing scopes")) {
            return Outcome::active(org).with("restricted", true);
        }
    }
    attempt!(ok_json(P, &resp, &[401]));
    Outcome::active(org).with("project", project)
}

/// Anthropic: `GET /v1/models` with `x-api-key` and `anthropic-version: 2023-06-01` — a listing,
/// not a billable message call (admin keys: `GET /v1/organizations/users?limit=1`). The
/// `anthropic-organization-id` response header names the organization when present.
pub(super) fn anthropic(client: &Client, token: &str) -> Outcome {
    const P: Provider = Provider::Anthropic;
    let path = if token.starts_with("sk-ant-admin") {
        "/v1/organizations/users?limit=1"
    } else {
        "/v1/models"
    };
    let base = client.endpoints().base(P);
    let req = HttpRequest::get(format!("{base}{path}"))
        .header("x-api-key", token)
        .header("anthropic-version", "2023-06-01");
    let resp = attempt!(get(client, P, req));
    attempt!(ok_json(P, &resp, &[401]));
    Outcome::active(resp.header("anthropic-organization-id").map(str::to_string))
}

/// Hugging Face: `GET /api/whoami-v2` with a bearer token names the user or organization and
/// the token's name and role.
pub(super) fn huggingface(client: &Client, token: &str) -> Outcome {
    const P: Provider = Provider::Huggingface;
    let base = client.endpoints().base(P);
    let req = HttpRequest::get(format!("{base}/api/whoami-v2")).bearer(token);
    let resp = attempt!(get(client, P, req));
    let body = attempt!(ok_json(P, &resp, &[401]));
    let Some(name) = text(&body, "/name") else {
        return Outcome::unverifiable("Hugging Face answered without a name");
    };
    let orgs: Vec<Value> = body["orgs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| o.get("name").cloned())
        .collect();
    Outcome::active(Some(name))
        .with("account_type", body["type"].clone())
        .with(
            "token_name",
            body.pointer("/auth/accessToken/displayName").cloned(),
        )
        .with(
            "token_role",
            body.pointer("/auth/accessToken/role").cloned(),
        )
        .with(
            "orgs",
            if orgs.is_empty() {
                Value::Null
            } else {
                orgs.into()
            },
        )
}

/// Stripe: `GET /v1/account` names the account (`acct_…`). Stripe documents 403 as "the key
/// lacks permission for this request": a restricted key that is valid, so `active`.
pub(super) fn stripe(client: &Client, token: &str) -> Outcome {
    const P: Provider = Provider::Stripe;
    let base = client.endpoints().base(P);
    let resp = attempt!(get(
        client,
        P,
        HttpRequest::get(format!("{base}/v1/account")).bearer(token)
    ));
    if resp.status == 403 {
        return Outcome::active(None).with("restricted", true);
    }
    let body = attempt!(ok_json(P, &resp, &[401]));
    let Some(id) = text(&body, "/id") else {
        return Outcome::unverifiable("Stripe answered without an account id");
    };
    let name = text(&body, "/settings/dashboard/display_name")
        .or_else(|| text(&body, "/business_profile/name"));
    Outcome::active(Some(id))
        .with("email", body["email"].clone())
        .with("display_name", name)
        .with("country", body["country"].clone())
}

/// npm: `GET https://registry.npmjs.org/-/whoami` with a bearer token answers `{"username"}`.
pub(super) fn npm(client: &Client, token: &str) -> Outcome {
    const P: Provider = Provider::Npm;
    let base = client.endpoints().base(P);
    let resp = attempt!(get(
        client,
        P,
        HttpRequest::get(format!("{base}/-/whoami")).bearer(token)
    ));
    let body = attempt!(ok_json(P, &resp, &[401, 403]));
    match text(&body, "/username") {
        Some(user) => Outcome::active(Some(user)),
        None => Outcome::unverifiable("npm answered without a username"),
    }
}

/// SendGrid: `GET /v3/scopes` lists the key's scopes; when they include `user.username.read`,
/// `GET /v3/user/username` names the account.
pub(super) fn sendgrid(client: &Client, token: &str) -> Outcome {
    const P: Provider = Provider::Sendgrid;
    let base = client.endpoints().base(P);
    let resp = attempt!(get(
        client,
        P,
        HttpRequest::get(format!("{base}/v3/scopes")).bearer(token)
    ));
    let body = attempt!(ok_json(P, &resp, &[401, 403]));
    let Some(scopes) = body["scopes"].as_array() else {
        return Outcome::unverifiable("SendGrid answered without scopes");
    };
    let can_read_name = scopes.iter().any(|s| s == "user.username.read");
    let username = if can_read_name {
        let req = HttpRequest::get(format!("{base}/v3/user/username")).bearer(token);
        get(client, P, req)
            .ok()
            .filter(|r| r.status == 200)
            .and_then(|r| text(&r.json()?, "/username"))
    } else {
        None
    };
    Outcome::active(username).with("scope_count", scopes.len())
}

/// Datadog: `GET /api/v1/validate` with `DD-API-KEY`, tried on each Datadog site until one says
/// `{"valid": true}`; 403 on every site is `inactive`. The site that accepted it is recorded.
pub(super) fn datadog(client: &Client, token: &str) -> Outcome {
    const P: Provider = Provider::Datadog;
    let bases: Vec<String> = client.endpoints().bases(P).map(str::to_string).collect();
    let mut undecided = None;
    for base in &bases {
        let req = HttpRequest::get(format!("{base}/api/v1/validate")).header("DD-API-KEY", token);
        let resp = match get(client, P, req) {
            Ok(r) => r,
            Err(o) => {
                undecided = Some(o);
                continue;
            }
        };
        match ok_json(P, &resp, &[401, 403]) {
            Ok(body) if body["valid"] == Value::Bool(true) => {
                let site = base
                    .trim_start_matches("https://")
                    .trim_start_matches("http://");
                return Outcome::active(None).with("site", site);
            }
            Ok(_) => {
                undecided = Some(Outcome::unverifiable(
                    "Datadog answered without valid: true",
                ))
            }
            Err(o) if o.status == crate::verify::outcome::Status::Inactive => {}
            Err(o) => undecided = Some(o),
        }
    }
    undecided.unwrap_or_else(|| Outcome::inactive("every Datadog site rejected the key (HTTP 403)"))
}
