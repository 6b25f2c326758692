//! One check per provider: build the read-only identity request, send it through the
//! [`Client`] (allow-list, rate limit, retries), and read the answer into an [`Outcome`].
//!
//! Shared reading rules: a network error, a refused host, 429 or 5xx after the retries, or a
//! body that is not the documented JSON makes the check `unverifiable`; only an answer that the
//! provider documents as "bad credentials" makes it `inactive`.

mod aws;
mod gcp;
mod github;
mod gitlab;
mod paired;
mod saas;
mod slack;

use super::http::{Client, HttpRequest, HttpResponse};
use super::outcome::Outcome;
use super::plan::Credential;
use super::provider::Provider;
use serde_json::Value;

/// Run the check of `provider` for `credential`.
pub fn run(client: &Client, provider: Provider, credential: &Credential) -> Outcome {
    match (provider, credential) {
        (Provider::Aws, Credential::Aws { key_id, secret }) => aws::check(client, key_id, secret),
        (Provider::Gcp, Credential::Gcp(key)) => gcp::check(client, key),
        (
            Provider::Twilio,
            Credential::Twilio {
                account_sid,
                auth_token,
            },
        ) => paired::twilio(client, account_sid, auth_token),
        (Provider::Dockerhub, Credential::Dockerhub { username, token }) => {
            paired::dockerhub(client, username, token)
        }
        (Provider::Github, Credential::Token(t)) => github::check(client, t),
        (Provider::Gitlab, Credential::Token(t)) => gitlab::check(client, t),
        (Provider::Slack, Credential::Token(t)) => slack::check(client, t),
        (Provider::Openai, Credential::Token(t)) => saas::openai(client, t),
        (Provider::Anthropic, Credential::Token(t)) => saas::anthropic(client, t),
        (Provider::Huggingface, Credential::Token(t)) => saas::huggingface(client, t),
        (Provider::Stripe, Credential::Token(t)) => saas::stripe(client, t),
        (Provider::Npm, Credential::Token(t)) => saas::npm(client, t),
        (Provider::Sendgrid, Credential::Token(t)) => saas::sendgrid(client, t),
        (Provider::Datadog, Credential::Token(t)) => saas::datadog(client, t),
        _ => Outcome::not_supported(format!("no {provider} check for this credential")),
    }
}

/// Send a request, turning a refusal or network error into `unverifiable`.
fn fetch(client: &Client, provider: Provider, req: &HttpRequest) -> Result<HttpResponse, Outcome> {
    fetch_with(client, provider, req, |_| false)
}

fn fetch_with(
    client: &Client,
    provider: Provider,
    req: &HttpRequest,
    retry_also: fn(&HttpResponse) -> bool,
) -> Result<HttpResponse, Outcome> {
    client
        .send_with(provider, req, retry_also)
        .map_err(|e| Outcome::unverifiable(e.to_string()))
}

/// Send and settle the shared cases: network errors and 429/5xx become `unverifiable`.
fn settle(client: &Client, provider: Provider, req: &HttpRequest) -> Result<HttpResponse, Outcome> {
    let resp = fetch(client, provider, req)?;
    match transient(&resp) {
        Some(o) => Err(o),
        None => Ok(resp),
    }
}

/// Rate limits and server errors that outlived the retries.
fn transient(resp: &HttpResponse) -> Option<Outcome> {
    match resp.status {
        429 => Some(Outcome::unverifiable(
            "rate limited (HTTP 429) after retries",
        )),
        s if s >= 500 => Some(Outcome::unverifiable(format!("server error (HTTP {s})"))),
        _ => None,
    }
}

/// The body as a JSON object, or `unverifiable`.
fn json_object(resp: &HttpResponse) -> Result<Value, Outcome> {
    match resp.json() {
        Some(v @ Value::Object(_)) => Ok(v),
        _ => Err(Outcome::unverifiable(format!(
            "HTTP {} with a body that is not the documented JSON",
            resp.status
        ))),
    }
}

/// An answer the check does not know how to read.
fn unexpected(resp: &HttpResponse) -> Outcome {
    Outcome::unverifiable(format!("unexpected answer (HTTP {})", resp.status))
}

/// A rejected credential.
fn rejected(provider: Provider, resp: &HttpResponse) -> Outcome {
    Outcome::inactive(format!(
        "{provider} rejected the credential (HTTP {})",
        resp.status
    ))
}

/// A string field at a JSON pointer, if present and non-empty.
fn text(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A header split on commas into a JSON list (scopes).
fn list_header(resp: &HttpResponse, name: &str) -> Value {
    match resp.header(name) {
        Some(h) => h
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Value::String(s.to_string()))
            .collect::<Vec<_>>()
            .into(),
        None => Value::Null,
    }
}
