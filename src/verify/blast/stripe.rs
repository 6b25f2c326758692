//! Stripe: `GET /v1/account` (bearer) names the account the key acts on. Live or test mode and
//! the key kind come from the documented prefixes (`sk_live_`, `rk_live_`, `sk_test_`,
//! `rk_test_`). A secret key (`sk_`) can use the whole API of its account; a restricted key
//! (`rk_`) carries per-resource permissions that Stripe does not list through the API, so
//! keytrace reports only whether it could read the account. One GET.

use super::{BlastRadius, read};
use crate::verify::http::{Client, HttpRequest};
use crate::verify::provider::Provider;
use serde_json::Value;

const P: Provider = Provider::Stripe;

pub(super) fn map(client: &Client, token: &str) -> BlastRadius {
    let restricted = token.starts_with("rk_");
    let live = token.starts_with("sk_live_") || token.starts_with("rk_live_");
    let mut b = BlastRadius {
        token_type: Some(
            if restricted {
                "restricted-key"
            } else {
                "secret-key"
            }
            .into(),
        ),
        ..BlastRadius::default()
    };
    b.resources.insert("live_mode".into(), u64::from(live));
    let mut limits = Vec::new();
    let base = client.endpoints().base(P);
    let req = HttpRequest::get(format!("{base}/v1/account")).bearer(token);
    if let Some(resp) = read(client, P, &req, "GET /v1/account", &mut limits) {
        let body = resp.json().unwrap_or(Value::Null);
        b.principal = body["id"].as_str().map(str::to_string);
        let name = body
            .pointer("/settings/dashboard/display_name")
            .or_else(|| body.pointer("/business_profile/name"))
            .and_then(Value::as_str);
        b.organizations = name.map(str::to_string).into_iter().collect();
    }
    if restricted {
        limits.push(
            "a restricted key's permissions are not listable through the Stripe API: which resources it can read or write is unknown"
                .into(),
        );
    } else {
        // A standard secret key is the account's full API access: charges, refunds, payouts,
        // customers, webhooks and keys of connected accounts alike.
        b.permissions = vec!["all-api-resources".into()];
        b.admin = true;
        b.write = Some(true);
    }
    b.limitations = limits;
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::endpoints::Endpoints;
    use crate::verify::http::tests::{Scripted, status};
    use crate::verify::http::{HttpResponse, Pacing};
    use std::time::Duration;

    const PACING: Pacing = Pacing {
        retries: 0,
        backoff: Duration::from_millis(1),
        rate_per_sec: 0.0,
    };

    #[test]
    fn test_mode_keys_are_not_live_and_a_readable_account_is_named() {
        let t = Scripted::new(|_, _| HttpResponse {
            body: br#"{"id":"acct_1T","business_profile":{"name":"Test Co"}}"#.to_vec(),
            ..status(200)
        });
        let e = Endpoints::default();
        let client = Client::new(&e, &t, PACING);
        let b = map(&client, "rk_test_abc");
        assert_eq!(b.resources["live_mode"], 0);
        assert_eq!(b.principal.as_deref(), Some("acct_1T"));
        assert_eq!(b.organizations, vec!["Test Co".to_string()]);
        assert!(!b.admin);
        assert_eq!(b.write, None);
        assert_eq!(b.limitations.len(), 1, "{:?}", b.limitations);
        let sent = t.sent.lock().unwrap();
        assert_eq!(sent.len(), 1);
        assert_eq!(
            (sent[0].method, sent[0].url.as_str()),
            ("GET", "https://api.stripe.com/v1/account")
        );
    }
}
