//! The HTTP side of verification: a plain request/response model, the transport that sends it
//! (ureq with rustls; a test can substitute its own), and the [`Client`] every provider check
//! goes through, which enforces the host allow-list, the per-provider rate limit and bounded
//! retries with backoff on 429 and 5xx.

use super::endpoints::{Endpoints, ForeignHost};
use super::provider::Provider;
use std::collections::HashMap;
use std::io::Read;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Responses are read up to this many bytes; identity answers are small.
const MAX_BODY: u64 = 256 * 1024;
/// The longest `Retry-After` keytrace honours before giving up on a rate-limited check.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// One request to a provider.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

impl HttpRequest {
    pub fn get(url: impl Into<String>) -> HttpRequest {
        HttpRequest {
            method: "GET",
            url: url.into(),
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn post(url: impl Into<String>, content_type: &str, body: Vec<u8>) -> HttpRequest {
        HttpRequest {
            method: "POST",
            url: url.into(),
            headers: vec![("Content-Type".into(), content_type.into())],
            body: Some(body),
        }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> HttpRequest {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub fn bearer(self, token: &str) -> HttpRequest {
        self.header("Authorization", format!("Bearer {token}"))
    }
}

/// A provider's answer: status, headers (names lower-cased) and the start of the body.
#[derive(Debug, Clone, Default)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first value of a header (name compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON, or `None` when it is not JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    fn retry_after(&self) -> Option<Duration> {
        let secs: u64 = self.header("retry-after")?.trim().parse().ok()?;
        Some(Duration::from_secs(secs))
    }
}

/// Sends one request; returns the response whatever its status, or a network error.
pub trait Transport: Sync {
    fn send(&self, req: &HttpRequest) -> Result<HttpResponse, String>;
}

/// The real transport: ureq over rustls, no redirects, a global timeout and an optional proxy.
pub struct UreqTransport {
    agent: ureq::Agent,
}

impl UreqTransport {
    pub fn new(timeout: Duration, proxy: Option<&str>) -> Result<UreqTransport, String> {
        let proxy = match proxy {
            Some(url) => Some(ureq::Proxy::new(url).map_err(|e| format!("proxy `{url}`: {e}"))?),
            None => None,
        };
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(proxy)
            .user_agent(concat!("keytrace/", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(UreqTransport {
            agent: config.into(),
        })
    }
}

impl Transport for UreqTransport {
    fn send(&self, req: &HttpRequest) -> Result<HttpResponse, String> {
        let mut builder = ureq::http::Request::builder()
            .method(req.method)
            .uri(&req.url);
        for (k, v) in &req.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        let request = builder
            .body(req.body.clone().unwrap_or_default())
            .map_err(|e| e.to_string())?;
        let mut resp = self.agent.run(request).map_err(|e| e.to_string())?;
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
                (k.as_str().to_ascii_lowercase(), value)
            })
            .collect();
        let mut body = Vec::new();
        resp.body_mut()
            .as_reader()
            .take(MAX_BODY)
            .read_to_end(&mut body)
            .map_err(|e| e.to_string())?;
        Ok(HttpResponse {
            status: resp.status().as_u16(),
            headers,
            body,
        })
    }
}

/// Why a request produced no response.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error(transparent)]
    Refused(#[from] ForeignHost),
    #[error("network error: {0}")]
    Network(String),
}

/// Retries, backoff and rate limit of a [`Client`].
#[derive(Debug, Clone, Copy)]
pub struct Pacing {
    /// Extra attempts after a 429 or 5xx answer.
    pub retries: u32,
    /// First backoff when the provider sends no `Retry-After`; doubles per attempt.
    pub backoff: Duration,
    /// Requests per second per provider (0 = unlimited).
    pub rate_per_sec: f64,
}

/// The only way provider checks send requests.
pub struct Client<'a> {
    endpoints: &'a Endpoints,
    transport: &'a dyn Transport,
    pacing: Pacing,
    next_slot: Mutex<HashMap<Provider, Instant>>,
}

impl<'a> Client<'a> {
    pub fn new(endpoints: &'a Endpoints, transport: &'a dyn Transport, pacing: Pacing) -> Self {
        Client {
            endpoints,
            transport,
            pacing,
            next_slot: Mutex::new(HashMap::new()),
        }
    }

    pub fn endpoints(&self) -> &Endpoints {
        self.endpoints
    }

    /// Send `req` for `provider`: refused unless its host is one of the provider's; retried on
    /// 429/5xx (or when `retry_also` says so) up to the configured number of times.
    pub fn send_with(
        &self,
        provider: Provider,
        req: &HttpRequest,
        retry_also: fn(&HttpResponse) -> bool,
    ) -> Result<HttpResponse, SendError> {
        self.endpoints.allow(provider, &req.url)?;
        let mut attempt = 0;
        loop {
            self.wait_turn(provider);
            let resp = self.transport.send(req).map_err(SendError::Network)?;
            let transient = resp.status == 429 || resp.status >= 500 || retry_also(&resp);
            if !transient || attempt >= self.pacing.retries {
                return Ok(resp);
            }
            let backoff = self.pacing.backoff * 2u32.saturating_pow(attempt);
            let wait = resp.retry_after().unwrap_or(backoff);
            if wait > MAX_RETRY_AFTER {
                return Ok(resp);
            }
            std::thread::sleep(wait);
            attempt += 1;
        }
    }

    /// [`Client::send_with`] retrying on 429 and 5xx only.
    pub fn send(&self, provider: Provider, req: &HttpRequest) -> Result<HttpResponse, SendError> {
        self.send_with(provider, req, |_| false)
    }

    /// Sleep until this provider's next request slot (spacing requests `1/rate` apart).
    fn wait_turn(&self, provider: Provider) {
        if self.pacing.rate_per_sec <= 0.0 {
            return;
        }
        let interval = Duration::from_secs_f64(1.0 / self.pacing.rate_per_sec);
        let now = Instant::now();
        let slot = {
            let mut slots = self.next_slot.lock().unwrap_or_else(|e| e.into_inner());
            let slot = slots.get(&provider).copied().unwrap_or(now).max(now);
            slots.insert(provider, slot + interval);
            slot
        };
        std::thread::sleep(slot.saturating_duration_since(now));
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Answers request `n` (1-based) of a scripted transport.
    type Answer = Box<dyn Fn(&HttpRequest, usize) -> HttpResponse + Sync>;

    /// A transport that records every request and answers from a script.
    pub(crate) struct Scripted {
        pub sent: Mutex<Vec<HttpRequest>>,
        pub answer: Answer,
    }

    impl Scripted {
        pub fn new(answer: impl Fn(&HttpRequest, usize) -> HttpResponse + Sync + 'static) -> Self {
            Scripted {
                sent: Mutex::new(Vec::new()),
                answer: Box::new(answer),
            }
        }
        pub fn count(&self) -> usize {
            self.sent.lock().unwrap().len()
        }
    }

    impl Transport for Scripted {
        fn send(&self, req: &HttpRequest) -> Result<HttpResponse, String> {
            let mut sent = self.sent.lock().unwrap();
            sent.push(req.clone());
            Ok((self.answer)(req, sent.len()))
        }
    }

    pub(crate) fn status(code: u16) -> HttpResponse {
        HttpResponse {
            status: code,
            ..HttpResponse::default()
        }
    }

    const FAST: Pacing = Pacing {
        retries: 2,
        backoff: Duration::from_millis(1),
        rate_per_sec: 0.0,
    };

    #[test]
    fn a_secret_is_never_sent_to_a_foreign_host() {
        let endpoints = Endpoints::default();
        let t = Scripted::new(|_, _| status(200));
        let client = Client::new(&endpoints, &t, FAST);
        let req = HttpRequest::get("https://attacker.example/user").bearer("ghp_secret");
        let err = client.send(Provider::Github, &req).unwrap_err();
        assert!(matches!(err, SendError::Refused(_)), "{err}");
        // Another provider's host is foreign too.
        let req = HttpRequest::get("https://api.openai.com/v1/models").bearer("ghp_secret");
        assert!(client.send(Provider::Github, &req).is_err());
        assert_eq!(t.count(), 0, "nothing may reach the transport");
        let ok = HttpRequest::get("https://api.github.com/user").bearer("ghp_secret");
        assert_eq!(client.send(Provider::Github, &ok).unwrap().status, 200);
        assert_eq!(t.count(), 1);
    }

    #[test]
    fn retries_are_bounded_and_stop_at_the_first_final_answer() {
        let endpoints = Endpoints::default();
        let url = "https://api.github.com/user";
        let forever = Scripted::new(|_, _| status(429));
        let client = Client::new(&endpoints, &forever, FAST);
        let resp = client
            .send(Provider::Github, &HttpRequest::get(url))
            .unwrap();
        assert_eq!((resp.status, forever.count()), (429, 3));

        let flaky = Scripted::new(|_, n| status(if n == 1 { 503 } else { 200 }));
        let client = Client::new(&endpoints, &flaky, FAST);
        let resp = client
            .send(Provider::Github, &HttpRequest::get(url))
            .unwrap();
        assert_eq!((resp.status, flaky.count()), (200, 2));

        let revoked = Scripted::new(|_, _| status(401));
        let client = Client::new(&endpoints, &revoked, FAST);
        client
            .send(Provider::Github, &HttpRequest::get(url))
            .unwrap();
        assert_eq!(revoked.count(), 1, "4xx other than 429 is final");
    }

    #[test]
    fn requests_to_one_provider_are_spaced_by_the_rate_limit() {
        let endpoints = Endpoints::default();
        let t = Scripted::new(|_, _| status(200));
        let pacing = Pacing {
            rate_per_sec: 20.0,
            ..FAST
        };
        let client = Client::new(&endpoints, &t, pacing);
        let start = Instant::now();
        for _ in 0..4 {
            client
                .send(
                    Provider::Npm,
                    &HttpRequest::get("https://registry.npmjs.org/-/whoami"),
                )
                .unwrap();
        }
        // Four requests at 20/s need at least three 50 ms gaps.
        assert!(
            start.elapsed() >= Duration::from_millis(150),
            "{:?}",
            start.elapsed()
        );
    }
}
