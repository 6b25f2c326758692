//! What the GitHub and GitLab listings share: one HTTP agent, `GET` of one JSON page with the
//! provider's headers, waits on rate limits, `Link: rel="next"` parsing and the origin check
//! that keeps a token on the API's own host.
//!
//! Rate limits: a `429`, or a `403` whose `RateLimit-Remaining` / `X-RateLimit-Remaining` is
//! `0`, is retried after `Retry-After` seconds (else until `RateLimit-Reset` /
//! `X-RateLimit-Reset`, else a short backoff), at most [`MAX_RETRIES`] times and never for
//! longer than [`MAX_WAIT`] at once: a longer wait fails the listing with the time to wait.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Retries after rate-limit answers, per page.
pub const MAX_RETRIES: u32 = 5;
/// The longest single wait keytrace accepts from a rate-limit answer.
pub const MAX_WAIT: Duration = Duration::from_secs(300);

/// A listing that failed. `provider` is `GitHub` or `GitLab`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{provider} API {url}: {message}")]
    Http {
        provider: &'static str,
        url: String,
        message: String,
    },
    #[error("{provider} API {url}: HTTP {status}: {message}{hint}")]
    Status {
        provider: &'static str,
        url: String,
        status: u16,
        message: String,
        /// What to check, for answers that mean the token (or its absence) is the problem.
        hint: &'static str,
    },
    #[error("{provider} API {url}: unexpected response: {message}")]
    Body {
        provider: &'static str,
        url: String,
        message: String,
    },
    #[error("{provider} API {url}: rate limited; retry after {wait_secs} s (gave up: {reason})")]
    RateLimited {
        provider: &'static str,
        url: String,
        wait_secs: u64,
        reason: &'static str,
    },
    #[error(
        "{provider} API: `next` link {url} leaves the API origin; refusing to send the token there"
    )]
    ForeignLink { provider: &'static str, url: String },
}

/// One successful (`200`) page.
#[derive(Debug)]
pub struct Page {
    pub body: String,
    /// The `rel="next"` target of the `Link` header.
    pub next_link: Option<String>,
    /// `X-Next-Page` (GitLab): the next page number, when non-empty.
    pub next_page: Option<u64>,
}

/// The agent both listings use: 60 s per request, statuses read by the caller.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(60)))
        .http_status_as_error(false)
        .user_agent(concat!("keytrace/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// `GET url` with `headers`, waiting out rate limits (see the module docs). `token_env` names
/// the variable a 401/403 hint points at.
pub fn get_page(
    agent: &ureq::Agent,
    provider: &'static str,
    token_env: &'static str,
    url: &str,
    headers: &[(&str, String)],
) -> Result<Page, ApiError> {
    let mut attempt = 0;
    loop {
        let mut req = agent.get(url);
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let mut resp = req.call().map_err(|e| ApiError::Http {
            provider,
            url: url.to_string(),
            message: e.to_string(),
        })?;
        let status = resp.status().as_u16();
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_string())
        };
        let remaining = header("ratelimit-remaining").or_else(|| header("x-ratelimit-remaining"));
        let limited = status == 429 || (status == 403 && remaining.as_deref() == Some("0"));
        if limited {
            let wait = header("retry-after")
                .and_then(|v| v.parse::<u64>().ok())
                .or_else(|| {
                    let reset = header("ratelimit-reset").or_else(|| header("x-ratelimit-reset"));
                    let reset: u64 = reset?.parse().ok()?;
                    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
                    Some(reset.saturating_sub(now))
                })
                .unwrap_or(1 << attempt.min(5));
            let give_up = if attempt >= MAX_RETRIES {
                Some("too many retries")
            } else if Duration::from_secs(wait) > MAX_WAIT {
                Some("longer than keytrace waits")
            } else {
                None
            };
            if let Some(reason) = give_up {
                return Err(ApiError::RateLimited {
                    provider,
                    url: url.to_string(),
                    wait_secs: wait,
                    reason,
                });
            }
            eprintln!("keytrace: {provider} API rate limit reached; waiting {wait} s");
            std::thread::sleep(Duration::from_secs(wait));
            attempt += 1;
            continue;
        }
        let next_link = header("link").as_deref().and_then(next_link);
        let next_page = header("x-next-page").and_then(|v| v.parse().ok());
        let body = resp
            .body_mut()
            .read_to_string()
            .map_err(|e| ApiError::Body {
                provider,
                url: url.to_string(),
                message: e.to_string(),
            })?;
        if status != 200 {
            let hint = match status {
                401 | 403 if token_env == crate::env_vars::GITLAB_TOKEN => {
                    " (check GITLAB_TOKEN: set, unexpired, with the read_api scope)"
                }
                401 | 403 => {
                    " (check GITHUB_TOKEN: set, unexpired, allowed to read the organisation)"
                }
                _ => "",
            };
            return Err(ApiError::Status {
                provider,
                url: url.to_string(),
                status,
                message: api_message(&body),
                hint,
            });
        }
        return Ok(Page {
            body,
            next_link,
            next_page,
        });
    }
}

/// Parse a page's JSON body.
pub fn parse<T: serde::de::DeserializeOwned>(
    provider: &'static str,
    url: &str,
    body: &str,
) -> Result<T, ApiError> {
    serde_json::from_str(body).map_err(|e| ApiError::Body {
        provider,
        url: url.to_string(),
        message: e.to_string(),
    })
}

/// The `message` (GitHub, GitLab) or `error` (GitLab) of an error body, else the start of the
/// body; control characters escaped, as a server controls this text.
fn api_message(body: &str) -> String {
    let v: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let text = v
        .as_ref()
        .and_then(|v| v.get("message").or_else(|| v.get("error")))
        .map(|m| match m.as_str() {
            Some(s) => s.to_string(),
            None => m.to_string(),
        })
        .unwrap_or_else(|| body.chars().take(200).collect());
    crate::source::git::text::escape_control(text.trim())
}

/// The `rel="next"` target of an RFC 8288 `Link` header value.
pub fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (target, params) = part.trim().split_once(';')?;
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        params
            .split(';')
            .filter_map(|p| p.trim().split_once('='))
            .any(|(k, v)| {
                k.trim().eq_ignore_ascii_case("rel")
                    && v.trim()
                        .trim_matches('"')
                        .split_whitespace()
                        .any(|r| r == "next")
            })
            .then(|| target.to_string())
    })
}

/// `scheme://host[:port]` of a URL, lower-cased.
pub fn origin_of(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    format!("{}://{}", scheme, authority).to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_next_link_among_others() {
        let h = r#"<https://api.github.com/organizations/9/repos?per_page=100&page=3>; rel="next", <https://api.github.com/organizations/9/repos?per_page=100&page=5>; rel="last""#;
        assert_eq!(
            next_link(h).as_deref(),
            Some("https://api.github.com/organizations/9/repos?per_page=100&page=3")
        );
        let last = r#"<https://api.github.com/x?page=1>; rel="first", <https://api.github.com/x?page=4>; rel="prev""#;
        assert_eq!(next_link(last), None);
        assert_eq!(next_link(""), None);
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        assert_eq!(
            origin_of("https://API.github.com/orgs/x?page=2"),
            "https://api.github.com"
        );
        assert_eq!(
            origin_of("https://user:pw@GitLab.com/g/p.git"),
            "https://gitlab.com"
        );
        assert_ne!(
            origin_of("http://127.0.0.1:8080/a"),
            origin_of("http://127.0.0.1:8081/a")
        );
    }

    #[test]
    fn error_messages_come_from_the_body_and_are_escaped() {
        assert_eq!(
            api_message(r#"{"message":"401 Unauthorized"}"#),
            "401 Unauthorized"
        );
        assert_eq!(
            api_message(r#"{"error":"insufficient_scope"}"#),
            "insufficient_scope"
        );
        assert!(!api_message("bad\x1b[31m").contains('\x1b'));
    }
}
