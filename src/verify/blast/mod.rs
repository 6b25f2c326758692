//! Blast radius (`--blast-radius`, with `--verify`): what an active key can reach, mapped with
//! read-only calls only, through the same [`Client`] as verification (host allow-list, rate
//! limit, retries, timeouts). Runs only for keys the provider just called `active`; the result
//! goes to `props.blast_radius` of every finding holding the key. Each provider's calls are
//! listed in its module and in docs/blast-radius.md.

mod aws;
mod github;
mod gitlab;
mod model;
mod npm;
mod saas;
mod stripe;

pub use model::BlastRadius;

use super::http::{Client, HttpRequest, HttpResponse};
use super::plan::Credential;
use super::provider::Provider;

/// Providers with a blast-radius mapping.
pub const SUPPORTED: [Provider; 9] = [
    Provider::Aws,
    Provider::Github,
    Provider::Gitlab,
    Provider::Slack,
    Provider::Huggingface,
    Provider::Openai,
    Provider::Anthropic,
    Provider::Stripe,
    Provider::Npm,
];

/// Map the reach of an active `credential`; `None` for providers without a mapping.
pub fn map(client: &Client, provider: Provider, credential: &Credential) -> Option<BlastRadius> {
    if let (Provider::Aws, Credential::Aws { key_id, secret }) = (provider, credential) {
        return Some(aws::map(client, key_id, secret));
    }
    let Credential::Token(token) = credential else {
        return None;
    };
    match provider {
        Provider::Github => Some(github::map(client, token)),
        Provider::Gitlab => Some(gitlab::map(client, token)),
        Provider::Slack => Some(saas::slack(client, token)),
        Provider::Huggingface => Some(saas::huggingface(client, token)),
        Provider::Openai => Some(saas::openai(client, token)),
        Provider::Anthropic => Some(saas::anthropic(client, token)),
        Provider::Stripe => Some(stripe::map(client, token)),
        Provider::Npm => Some(npm::map(client, token)),
        _ => None,
    }
}

/// Send a read-only request; a refusal, network error or non-200 answer becomes a limitation.
fn read(
    client: &Client,
    provider: Provider,
    req: &HttpRequest,
    what: &str,
    limits: &mut Vec<String>,
) -> Option<HttpResponse> {
    match client.send(provider, req) {
        Ok(r) if r.status == 200 => Some(r),
        Ok(r) => {
            limits.push(format!("{what}: HTTP {}", r.status));
            None
        }
        Err(e) => {
            limits.push(format!("{what}: {e}"));
            None
        }
    }
}

/// A header split on commas (scopes).
fn header_list(resp: &HttpResponse, name: &str) -> Option<Vec<String>> {
    resp.header(name).map(|h| {
        h.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    })
}
