//! Slack: `POST https://slack.com/api/auth.test` with the token as a bearer. Slack answers HTTP 200
//! either way; `ok: true` names the workspace (`team`) and the user or bot, `ok: false` carries an
//! error code.

use super::{json_object, settle, text, unexpected};
use crate::verify::http::{Client, HttpRequest};
use crate::verify::outcome::Outcome;
use crate::verify::provider::Provider;

const P: Provider = Provider::Slack;

/// Error codes Slack documents for a token that no longer works.
const DEAD: [&str; 5] = [
    "invalid_auth",
    "not_authed",
    "account_inactive",
    "token_revoked",
    "token_expired",
];

pub(super) fn check(client: &Client, token: &str) -> Outcome {
    let base = client.endpoints().base(P);
    let req = HttpRequest::post(
        format!("{base}/api/auth.test"),
        "application/x-www-form-urlencoded",
        Vec::new(),
    )
    .bearer(token);
    let resp = match settle(client, P, &req) {
        Ok(r) => r,
        Err(o) => return o,
    };
    if resp.status != 200 {
        return unexpected(&resp);
    }
    let body = match json_object(&resp) {
        Ok(b) => b,
        Err(o) => return o,
    };
    match body["ok"].as_bool() {
        Some(true) => {
            let principal = match (text(&body, "/user"), text(&body, "/team")) {
                (Some(user), Some(team)) => Some(format!("{user}@{team}")),
                (user, team) => user.or(team),
            };
            Outcome::active(principal)
                .with("team", body["team"].clone())
                .with("team_id", body["team_id"].clone())
                .with("user_id", body["user_id"].clone())
                .with("bot_id", body["bot_id"].clone())
                .with("url", body["url"].clone())
        }
        Some(false) => {
            let error = text(&body, "/error").unwrap_or_default();
            if DEAD.contains(&error.as_str()) {
                Outcome::inactive(format!("Slack says `{error}`"))
            } else {
                Outcome::unverifiable(format!("Slack error `{error}`"))
            }
        }
        None => Outcome::unverifiable("Slack answered without `ok`"),
    }
}
