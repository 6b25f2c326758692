//! Listing an organisation's repositories with the GitHub REST API
//! (`GET /orgs/{org}/repos?per_page=100&page=N`), following `Link: <…>; rel="next"` until the
//! last page. Works against GitHub Enterprise Server with its API root (`https://HOST/api/v3`).
//!
//! The token is sent only to the API's own origin: a `next` link that points elsewhere stops
//! the listing with an error instead of leaking the token.

use serde::Deserialize;
use std::time::Duration;

/// Upper bound on pages followed (100 repositories each), against a server that loops.
const MAX_PAGES: usize = 2_000;

/// A listing that failed.
#[derive(Debug, thiserror::Error)]
pub enum GithubError {
    #[error("GitHub API {url}: {message}")]
    Http { url: String, message: String },
    #[error("GitHub API {url}: HTTP {status}: {message}")]
    Status {
        url: String,
        status: u16,
        message: String,
    },
    #[error("GitHub API {url}: unexpected response: {message}")]
    Body { url: String, message: String },
    #[error("GitHub API: `next` link {0} leaves the API origin; refusing to send the token there")]
    ForeignLink(String),
}

/// What to list.
#[derive(Debug, Clone)]
pub struct OrgQuery {
    /// API root, e.g. `https://api.github.com` or `https://ghe.example.com/api/v3`.
    pub api_url: String,
    pub org: String,
    pub token: Option<String>,
    pub include_archived: bool,
    pub include_forks: bool,
}

/// The fields of a repository keytrace uses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct GithubRepo {
    pub full_name: String,
    pub clone_url: String,
    #[serde(default)]
    pub archived: bool,
    #[serde(default)]
    pub fork: bool,
}

/// Every repository of the organisation that passes the archived/fork filters, in API order.
pub fn list_org_repos(q: &OrgQuery) -> Result<Vec<GithubRepo>, GithubError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(60)))
        .http_status_as_error(false)
        .user_agent(concat!("keytrace/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let api = q.api_url.trim_end_matches('/');
    let origin = origin_of(api);
    let mut url = format!("{api}/orgs/{}/repos?per_page=100&page=1", q.org);
    let mut out = Vec::new();
    for _ in 0..MAX_PAGES {
        let (page, next) = fetch_page(&agent, &url, q.token.as_deref())?;
        out.extend(
            page.into_iter()
                .filter(|r| q.include_archived || !r.archived)
                .filter(|r| q.include_forks || !r.fork),
        );
        match next {
            None => return Ok(out),
            Some(n) if origin_of(&n) != origin => return Err(GithubError::ForeignLink(n)),
            Some(n) => url = n,
        }
    }
    Err(GithubError::Body {
        url,
        message: format!("more than {MAX_PAGES} pages"),
    })
}

fn fetch_page(
    agent: &ureq::Agent,
    url: &str,
    token: Option<&str>,
) -> Result<(Vec<GithubRepo>, Option<String>), GithubError> {
    let mut req = agent
        .get(url)
        .header("Accept", "application/vnd.github+json")
        .header("X-GitHub-Api-Version", "2022-11-28");
    if let Some(t) = token {
        req = req.header("Authorization", &format!("Bearer {t}"));
    }
    let mut resp = req.call().map_err(|e| GithubError::Http {
        url: url.to_string(),
        message: e.to_string(),
    })?;
    let status = resp.status().as_u16();
    let next = resp
        .headers()
        .get("link")
        .and_then(|v| v.to_str().ok())
        .and_then(next_link);
    let body = resp
        .body_mut()
        .read_to_string()
        .map_err(|e| GithubError::Body {
            url: url.to_string(),
            message: e.to_string(),
        })?;
    if status != 200 {
        return Err(GithubError::Status {
            url: url.to_string(),
            status,
            message: api_message(&body),
        });
    }
    let page: Vec<GithubRepo> = serde_json::from_str(&body).map_err(|e| GithubError::Body {
        url: url.to_string(),
        message: e.to_string(),
    })?;
    Ok((page, next))
}

/// The `message` of a GitHub error body, else the start of the body.
fn api_message(body: &str) -> String {
    #[derive(Deserialize)]
    struct ApiError {
        message: String,
    }
    serde_json::from_str::<ApiError>(body)
        .map(|e| e.message)
        .unwrap_or_else(|_| body.chars().take(200).collect())
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
fn origin_of(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
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
        assert_ne!(
            origin_of("http://127.0.0.1:8080/a"),
            origin_of("http://127.0.0.1:8081/a")
        );
    }
}
