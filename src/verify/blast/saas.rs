//! Slack, Hugging Face, OpenAI and Anthropic.
//!
//! - Slack: `POST /api/auth.test` (Slack's documented read-only identity test; it takes no
//!   arguments and changes nothing): team, user, enterprise install, and the token's scopes in
//!   the `x-oauth-scopes` header.
//! - Hugging Face: `GET /api/whoami-v2`: the token role (`read`, `write`, `fineGrained` with its
//!   scoped permissions) and each organisation with the user's `roleInOrg`.
//! - OpenAI: `GET /v1/models` (the `openai-organization` header) for every key; admin keys
//!   (`sk-admin-`) also `GET /v1/organization/projects?limit=100`.
//! - Anthropic: admin keys (`sk-ant-admin`) `GET /v1/organizations/workspaces?limit=100`; other
//!   keys `GET /v1/models` (the `anthropic-organization-id` header).

use super::{BlastRadius, header_list, read};
use crate::verify::http::{Client, HttpRequest};
use crate::verify::provider::Provider;
use serde_json::Value;

pub(super) fn slack(client: &Client, token: &str) -> BlastRadius {
    const P: Provider = Provider::Slack;
    let base = client.endpoints().base(P);
    let req = HttpRequest::post(
        format!("{base}/api/auth.test"),
        "application/x-www-form-urlencoded",
        Vec::new(),
    )
    .bearer(token);
    let kind = match token.get(..4).unwrap_or_default() {
        "xoxb" => "bot",
        "xoxp" => "user",
        "xoxa" | "xoxr" | "xoxs" => "legacy",
        _ => "unknown",
    };
    let mut b = BlastRadius {
        token_type: Some(kind.into()),
        ..BlastRadius::default()
    };
    let mut limits = Vec::new();
    if let Some(resp) = read(client, P, &req, "auth.test", &mut limits) {
        let body = resp.json().unwrap_or(Value::Null);
        b.principal = body["user"].as_str().map(str::to_string);
        b.organizations = body["team"]
            .as_str()
            .map(str::to_string)
            .into_iter()
            .collect();
        if body["is_enterprise_install"].as_bool() == Some(true) {
            b.resources.insert("enterprise_install".into(), 1);
        }
        match header_list(&resp, "x-oauth-scopes") {
            Some(scopes) => b.permissions = scopes,
            None => limits.push("Slack did not list the token's scopes".into()),
        }
    }
    let scopes = &b.permissions;
    b.admin = scopes
        .iter()
        .any(|s| s == "admin" || s.starts_with("admin."));
    if !scopes.is_empty() {
        b.write = Some(
            b.admin
                || scopes
                    .iter()
                    .any(|s| s.ends_with(":write") || s.contains(":write.") || s == "client"),
        );
    }
    b.limitations = limits;
    b
}

pub(super) fn huggingface(client: &Client, token: &str) -> BlastRadius {
    const P: Provider = Provider::Huggingface;
    let base = client.endpoints().base(P);
    let req = HttpRequest::get(format!("{base}/api/whoami-v2")).bearer(token);
    let mut b = BlastRadius::default();
    let mut limits = Vec::new();
    if let Some(resp) = read(client, P, &req, "GET /api/whoami-v2", &mut limits) {
        let body = resp.json().unwrap_or(Value::Null);
        b.principal = body["name"].as_str().map(str::to_string);
        let token_info = body
            .pointer("/auth/accessToken")
            .cloned()
            .unwrap_or(Value::Null);
        let role = token_info["role"].as_str().unwrap_or_default().to_string();
        if !role.is_empty() {
            b.token_type = Some(role.clone());
            b.permissions.push(format!("role:{role}"));
        }
        let scoped = token_info
            .pointer("/fineGrained/scoped")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for s in &scoped {
            let entity = s
                .pointer("/entity/name")
                .and_then(Value::as_str)
                .unwrap_or("?");
            for p in s["permissions"].as_array().into_iter().flatten() {
                if let Some(p) = p.as_str() {
                    b.permissions.push(format!("{entity}:{p}"));
                }
            }
        }
        let mut admin_orgs = 0;
        for o in body["orgs"].as_array().into_iter().flatten() {
            if let Some(name) = o["name"].as_str() {
                b.organizations.push(name.to_string());
            }
            admin_orgs += u64::from(o["roleInOrg"].as_str() == Some("admin"));
        }
        b.resources.insert("organizations_admin".into(), admin_orgs);
        let writes = role == "write"
            || b.permissions
                .iter()
                .any(|p| p.contains("write") || p.contains("manage"));
        b.write = Some(writes);
        // A read token cannot act on an organisation, whatever the user's role in it.
        b.admin = admin_orgs > 0 && writes;
    }
    b.limitations = limits;
    b
}

pub(super) fn openai(client: &Client, token: &str) -> BlastRadius {
    const P: Provider = Provider::Openai;
    let base = client.endpoints().base(P);
    let kind = if token.starts_with("sk-admin-") {
        "admin-key"
    } else if token.starts_with("sk-svcacct-") {
        "service-account-key"
    } else if token.starts_with("sk-proj-") {
        "project-key"
    } else {
        "user-key"
    };
    let mut b = BlastRadius {
        token_type: Some(kind.into()),
        admin: kind == "admin-key",
        ..BlastRadius::default()
    };
    let mut limits = Vec::new();
    if kind == "admin-key" {
        let req =
            HttpRequest::get(format!("{base}/v1/organization/projects?limit=100")).bearer(token);
        if let Some(resp) = read(
            client,
            P,
            &req,
            "GET /v1/organization/projects",
            &mut limits,
        ) {
            let body = resp.json().unwrap_or(Value::Null);
            let n = body["data"].as_array().map_or(0, Vec::len) as u64;
            b.resources.insert("projects".into(), n);
            if body["has_more"].as_bool() == Some(true) {
                limits.push("counted the first 100 projects only".into());
            }
        }
        b.write = Some(true);
    } else {
        let req = HttpRequest::get(format!("{base}/v1/models")).bearer(token);
        if let Some(resp) = read(client, P, &req, "GET /v1/models", &mut limits) {
            b.organizations = resp
                .header("openai-organization")
                .map(str::to_string)
                .into_iter()
                .collect();
        }
        limits.push("OpenAI does not tell a key its own permissions".into());
    }
    b.limitations = limits;
    b
}

pub(super) fn anthropic(client: &Client, token: &str) -> BlastRadius {
    const P: Provider = Provider::Anthropic;
    let base = client.endpoints().base(P);
    let admin = token.starts_with("sk-ant-admin");
    let mut b = BlastRadius {
        token_type: Some(if admin { "admin-key" } else { "api-key" }.into()),
        admin,
        ..BlastRadius::default()
    };
    let mut limits = Vec::new();
    let path = if admin {
        "/v1/organizations/workspaces?limit=100"
    } else {
        "/v1/models"
    };
    let req = HttpRequest::get(format!("{base}{path}"))
        .header("x-api-key", token)
        .header("anthropic-version", "2023-06-01");
    if let Some(resp) = read(client, P, &req, &format!("GET {path}"), &mut limits) {
        b.organizations = resp
            .header("anthropic-organization-id")
            .map(str::to_string)
            .into_iter()
            .collect();
        if admin {
            let body = resp.json().unwrap_or(Value::Null);
            let n = body["data"].as_array().map_or(0, Vec::len) as u64;
            b.resources.insert("workspaces".into(), n);
            b.write = Some(true);
        }
    }
    if !admin {
        limits.push("Anthropic does not tell an API key its workspace permissions".into());
    }
    b.limitations = limits;
    b
}
