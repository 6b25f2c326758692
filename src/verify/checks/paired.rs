//! Checks that need two values: Twilio (account SID + auth token) and Docker Hub (user name +
//! access token).

use super::{json_object, rejected, settle, text, unexpected};
use crate::verify::http::{Client, HttpRequest};
use crate::verify::outcome::Outcome;
use crate::verify::provider::Provider;
use base64::Engine;

/// Twilio: `GET /2010-04-01/Accounts/{AccountSid}.json` with HTTP basic auth `SID:token` reads
/// the account; its `status` (`active`, `suspended`, `closed`) decides, 401 is `inactive`.
pub(super) fn twilio(client: &Client, sid: &str, token: &str) -> Outcome {
    const P: Provider = Provider::Twilio;
    let base = client.endpoints().base(P);
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{sid}:{token}"));
    let req = HttpRequest::get(format!("{base}/2010-04-01/Accounts/{sid}.json"))
        .header("Authorization", format!("Basic {basic}"));
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
            let outcome = match text(&body, "/status").as_deref() {
                Some("active") => Outcome::active(text(&body, "/sid")),
                Some(other @ ("suspended" | "closed")) => {
                    Outcome::inactive(format!("Twilio reports the account {other}"))
                }
                _ => return Outcome::unverifiable("Twilio answered without an account status"),
            };
            outcome
                .with("friendly_name", body["friendly_name"].clone())
                .with("account_type", body["type"].clone())
        }
        401 => rejected(P, &resp),
        _ => unexpected(&resp),
    }
}

/// Docker Hub: `POST /v2/auth/token` with `{"identifier": user, "secret": token}` exchanges the
/// token for a short-lived (10 minute) access token — Docker's documented login, with no other
/// effect. The access token is dropped unread; 401 is `inactive`.
pub(super) fn dockerhub(client: &Client, username: &str, token: &str) -> Outcome {
    const P: Provider = Provider::Dockerhub;
    let base = client.endpoints().base(P);
    let body = serde_json::json!({ "identifier": username, "secret": token });
    let req = HttpRequest::post(
        format!("{base}/v2/auth/token"),
        "application/json",
        body.to_string().into_bytes(),
    )
    .header("Accept", "application/json");
    let resp = match settle(client, P, &req) {
        Ok(r) => r,
        Err(o) => return o,
    };
    match resp.status {
        200 | 201 => match json_object(&resp) {
            Ok(b) if text(&b, "/access_token").is_some() => {
                Outcome::active(Some(username.to_string()))
            }
            Ok(_) => Outcome::unverifiable("Docker Hub answered without an access token"),
            Err(o) => o,
        },
        401 => rejected(P, &resp),
        _ => unexpected(&resp),
    }
}
