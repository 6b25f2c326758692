//! Live verification (`--verify`) against loopback servers that imitate each provider's
//! documented answers: active, revoked, rate-limited then fine, rate-limited for good, and
//! malformed. The servers listen on 127.0.0.1 with a random port; every provider's base URL is
//! pointed at them with `--verify-base-url`, so nothing leaves the machine.

use super::common::{Fixture, findings, keytrace};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

// ---------------------------------------------------------------------------------------------
// A small HTTP/1.1 server on loopback (one request per connection; CONNECT is tunnelled so the
// same server can act as a proxy).

#[derive(Debug, Clone)]
struct Received {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// The path, also when a proxy received an absolute-form target.
    fn path(&self) -> &str {
        match self.target.split_once("://") {
            Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
            None => &self.target,
        }
    }
    fn bearer(&self) -> Option<String> {
        self.header("authorization")?
            .strip_prefix("Bearer ")
            .map(str::to_string)
    }
}

struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
}

fn reply(status: u16, body: Value) -> Reply {
    Reply {
        status,
        headers: vec![("Content-Type", "application/json".into())],
        body: body.to_string(),
    }
}

fn raw(status: u16, body: &str) -> Reply {
    Reply {
        status,
        headers: vec![("Content-Type", "application/json".into())],
        body: body.into(),
    }
}

type Handler = dyn Fn(&Received) -> Reply + Send + Sync;

struct Server {
    base: String,
    log: Arc<Mutex<Vec<Received>>>,
}

impl Server {
    fn start(handler: impl Fn(&Received) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let thread_log = log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (h, l) = (handler.clone(), thread_log.clone());
                std::thread::spawn(move || serve(stream, &*h, &l));
            }
        });
        Server { base, log }
    }

    fn requests(&self) -> Vec<Received> {
        self.log.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, handler: &Handler, log: &Mutex<Vec<Received>>) {
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    while let Some(req) = read_request(&mut reader) {
        if req.method == "CONNECT" {
            let _ = writer.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
            continue;
        }
        log.lock().unwrap().push(req.clone());
        let r = handler(&req);
        let mut head = format!(
            "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
            r.status,
            r.body.len()
        );
        for (k, v) in &r.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        let _ = writer.write_all(format!("{head}\r\n{}", r.body).as_bytes());
        return;
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Received> {
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next()?.to_string(), parts.next()?.to_string());
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some(Received {
        method,
        target,
        headers,
        body,
    })
}

// ---------------------------------------------------------------------------------------------
// Scenarios: the server answers each credential according to a table the test writes.

#[derive(Debug, Clone, Copy, PartialEq)]
enum Scenario {
    /// The documented success answer.
    Active,
    /// The documented answer for a revoked or unknown credential.
    Revoked,
    /// 429 once, then success: retried, so active.
    Flaky,
    /// 429 every time: unverifiable after the bounded retries.
    Limited,
    /// 200 with a body that is not the documented format: unverifiable.
    Garbled,
}

const ALL: [Scenario; 5] = [
    Scenario::Active,
    Scenario::Revoked,
    Scenario::Flaky,
    Scenario::Limited,
    Scenario::Garbled,
];

impl Scenario {
    fn tag(self) -> &'static str {
        match self {
            Scenario::Active => "active",
            Scenario::Revoked => "revoked",
            Scenario::Flaky => "flaky",
            Scenario::Limited => "limited",
            Scenario::Garbled => "garbled",
        }
    }
    fn verdict(self) -> &'static str {
        match self {
            Scenario::Active | Scenario::Flaky => "active",
            Scenario::Revoked => "inactive",
            Scenario::Limited | Scenario::Garbled => "unverifiable",
        }
    }
    /// Requests the check makes to the primary endpoint (default `--verify-retries 2`).
    fn attempts(self) -> usize {
        match self {
            Scenario::Flaky => 2,
            Scenario::Limited => 3,
            _ => 1,
        }
    }
}

/// How one provider's imitation reads credentials and answers.
struct Mock {
    /// The path of the identity endpoint (attempts are counted there).
    primary: &'static str,
    credential: fn(&Received) -> Option<String>,
    active: fn(&Received) -> Reply,
    revoked: fn(&Received) -> Reply,
    /// The provider's rate-limit answer (429 with `Retry-After: 0` unless overridden).
    throttled: fn() -> Reply,
}

fn too_many() -> Reply {
    Reply {
        status: 429,
        headers: vec![("Retry-After", "0".into())],
        body: "{}".into(),
    }
}

/// Start a server answering `table` (credential → scenario); returns it with per-credential
/// attempt counts at the primary endpoint.
fn mock_server(
    mock: Mock,
    table: HashMap<String, Scenario>,
) -> (Server, Arc<Mutex<HashMap<String, usize>>>) {
    let counts = Arc::new(Mutex::new(HashMap::<String, usize>::new()));
    let c = counts.clone();
    let server = Server::start(move |req| {
        let Some(cred) = (mock.credential)(req) else {
            return reply(401, json!({"error": "no credential"}));
        };
        if !req.path().starts_with(mock.primary) {
            return (mock.active)(req);
        }
        let n = {
            let mut counts = c.lock().unwrap();
            let n = counts.entry(cred.clone()).or_default();
            *n += 1;
            *n
        };
        match table.get(&cred) {
            Some(Scenario::Active) => (mock.active)(req),
            Some(Scenario::Flaky) if n > 1 => (mock.active)(req),
            Some(Scenario::Flaky | Scenario::Limited) => (mock.throttled)(),
            Some(Scenario::Garbled) => raw(200, "{\"truncated\": "),
            Some(Scenario::Revoked) | None => (mock.revoked)(req),
        }
    });
    (server, counts)
}

// ---------------------------------------------------------------------------------------------
// Driving the binary.

/// A rule file with one rule per `(id, provider, keyword, pattern)`.
fn rules(fx: &Fixture, specs: &[(&str, &str, &str, &str)]) -> String {
    let mut text = String::new();
    for (id, provider, keyword, pattern) in specs {
        text.push_str(&format!(
            "[[rules]]\nid = \"{id}\"\nname = \"{id}\"\nprovider = \"{provider}\"\ncategory = \"saas\"\n\
             keywords = [\"{keyword}\"]\npattern = '''{pattern}'''\nlong_lived = true\nseverity = \"high\"\n\
             max_span = 8192\ndescription = \"test\"\nremediation = \"test\"\n\n"
        ));
    }
    fx.write("rules/vt.toml", text);
    fx.path().join("rules").display().to_string()
}

/// Run `keytrace scan src --verify ...` and return (exit code, JSON report).
fn scan(fx: &Fixture, rules_dir: &str, extra: &[&str]) -> (i32, Value) {
    let mut args = vec![
        "scan",
        "src",
        "--rules",
        rules_dir,
        "--no-redact",
        "--format",
        "json",
        "--verify-rate",
        "0",
    ];
    args.extend(extra);
    let out = keytrace()
        .args(&args)
        .current_dir(fx.path())
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .timeout(Duration::from_secs(120))
        .output()
        .expect("keytrace runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "bad JSON ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), report)
}

/// The findings of this file's test rules (`vt-…`); embedded rules may find more.
fn vt_findings(report: &Value) -> Vec<Value> {
    findings(report)
        .into_iter()
        .filter(|f| f["rule_id"].as_str().unwrap().starts_with("vt-"))
        .collect()
}

/// The findings of test rules (`vt-…`) holding `secret`.
fn with_secret(report: &Value, secret: &str) -> Vec<Value> {
    findings(report)
        .into_iter()
        .filter(|f| f["secret"] == secret && f.get("generic").is_none())
        .collect()
}

/// A random-looking, deterministic token body (no placeholder-like runs).
fn token(prefix: &str, s: Scenario) -> String {
    format!("{prefix}{}Q7m3Zr8TnVb2Lx9KcWp4Hs7Jd", s.tag())
}

fn hex_of(tag: &str, len: usize) -> String {
    hex::encode(Sha256::digest(tag.as_bytes()))[..len].to_string()
}

/// The single-token provider case: five secrets, one per scenario, in one file.
fn token_case(provider: &str, prefix: &str, mock: Mock, principal: Option<&str>) -> Value {
    let fx = Fixture::new();
    let secrets: Vec<(Scenario, String)> = ALL.iter().map(|&s| (s, token(prefix, s))).collect();
    let text: String = secrets
        .iter()
        .map(|(_, t)| format!("{provider}_secret = \"{t}\"\n"))
        .collect();
    fx.write("src/creds.env", text);
    let pattern = format!(r#"{provider}_secret = "(?P<secret>[^"]+)""#);
    let dir = rules(
        &fx,
        &[(
            &format!("vt-{provider}"),
            provider,
            &format!("{provider}_secret"),
            &pattern,
        )],
    );
    let table = secrets.iter().map(|(s, t)| (t.clone(), *s)).collect();
    let (server, counts) = mock_server(mock, table);
    let base = format!("{provider}={}", server.base);
    let (_, plain) = scan(&fx, &dir, &[]);
    let (code, report) = scan(&fx, &dir, &["--verify", "--verify-base-url", &base]);
    assert_eq!(code, 1, "{report:#}");
    let counts = counts.lock().unwrap().clone();
    let mut active = Value::Null;
    for (s, t) in &secrets {
        let found = with_secret(&report, t);
        assert_eq!(found.len(), 1, "{provider} {s:?}: {report:#}");
        let f = &found[0];
        assert_eq!(f["verification"], s.verdict(), "{provider} {s:?}: {f:#}");
        assert_eq!(
            counts.get(t).copied().unwrap_or(0),
            s.attempts(),
            "{provider} {s:?} attempts"
        );
        if *s == Scenario::Active {
            assert_eq!(f["principal"].as_str(), principal, "{provider}: {f:#}");
            let base_severity = with_secret(&plain, t)[0]["severity"].clone();
            let raised = match base_severity.as_str().unwrap() {
                "info" => "low",
                "low" => "medium",
                "medium" => "high",
                _ => "critical",
            };
            assert_eq!(f["severity"], raised, "an active key rises one step");
            active = f.clone();
        }
        if s.verdict() != "active" {
            assert_eq!(
                f["severity"],
                with_secret(&plain, t)[0]["severity"],
                "{provider} {s:?}"
            );
            assert!(
                f["identity"]["verified_reason"].is_string(),
                "{provider} {s:?}: {f:#}"
            );
        }
    }
    active
}

// ---------------------------------------------------------------------------------------------
// One test per provider.

#[test]
fn github_user_scopes_and_expiry() {
    let f = token_case(
        "github",
        "ghp_",
        Mock {
            primary: "/user",
            credential: Received::bearer,
            active: |req| {
                assert_eq!(req.header("accept"), Some("application/vnd.github+json"));
                let mut r = reply(
                    200,
                    json!({"login": "octocat", "id": 583231, "type": "User"}),
                );
                r.headers.push(("X-OAuth-Scopes", "repo, read:org".into()));
                r.headers.push((
                    "github-authentication-token-expiration",
                    "2030-01-01 00:00:00 UTC".into(),
                ));
                r
            },
            revoked: |_| reply(401, json!({"message": "Bad credentials"})),
            throttled: too_many,
        },
        Some("octocat"),
    );
    assert_eq!(
        f["identity"]["verified_scopes"],
        json!(["repo", "read:org"])
    );
    assert_eq!(
        f["identity"]["verified_expires_at"],
        "2030-01-01 00:00:00 UTC"
    );
}

#[test]
fn gitlab_token_self_then_user() {
    let f = token_case(
        "gitlab",
        "glpat-",
        Mock {
            primary: "/api/v4/personal_access_tokens/self",
            credential: |r| r.header("private-token").map(str::to_string),
            active: |req| match req.path() {
                "/api/v4/user" => reply(200, json!({"id": 7, "username": "jdoe"})),
                _ => reply(
                    200,
                    json!({"id": 1, "name": "ci", "revoked": false, "active": true,
                    "scopes": ["read_api"], "user_id": 7, "expires_at": "2030-01-01"}),
                ),
            },
            revoked: |_| reply(401, json!({"message": "401 Unauthorized"})),
            throttled: too_many,
        },
        Some("jdoe"),
    );
    assert_eq!(f["identity"]["verified_scopes"], json!(["read_api"]));
}

#[test]
fn slack_auth_test() {
    let f = token_case(
        "slack",
        "xoxb-",
        Mock {
            primary: "/api/auth.test",
            credential: Received::bearer,
            active: |req| {
                assert_eq!(req.method, "POST");
                reply(
                    200,
                    json!({"ok": true, "url": "https://acme.slack.com/", "team": "Acme",
                    "user": "deploybot", "team_id": "T1", "user_id": "U1", "bot_id": "B1"}),
                )
            },
            // Slack answers 200 with ok:false for a dead token.
            revoked: |_| reply(200, json!({"ok": false, "error": "token_revoked"})),
            throttled: too_many,
        },
        Some("deploybot@Acme"),
    );
    assert_eq!(f["identity"]["verified_bot_id"], "B1");
}

#[test]
fn openai_models_with_organization_header() {
    token_case(
        "openai",
        "sk-proj-",
        Mock {
            primary: "/v1/models",
            credential: Received::bearer,
            active: |_| {
                let mut r = reply(200, json!({"object": "list", "data": []}));
                r.headers.push(("openai-organization", "org-acme".into()));
                r
            },
            revoked: |_| reply(401, json!({"error": {"code": "invalid_api_key"}})),
            throttled: too_many,
        },
        Some("org-acme"),
    );
}

#[test]
fn anthropic_models_listing_not_a_message() {
    token_case(
        "anthropic",
        "sk-ant-api03-",
        Mock {
            primary: "/v1/models",
            credential: |r| {
                assert_eq!(r.header("anthropic-version"), Some("2023-06-01"));
                assert_eq!(r.method, "GET");
                r.header("x-api-key").map(str::to_string)
            },
            active: |_| {
                let mut r = reply(200, json!({"data": [], "has_more": false}));
                r.headers
                    .push(("anthropic-organization-id", "org-uuid-1".into()));
                r
            },
            revoked: |_| {
                reply(
                    401,
                    json!({"type": "error", "error": {"type": "authentication_error"}}),
                )
            },
            throttled: too_many,
        },
        Some("org-uuid-1"),
    );
}

#[test]
fn huggingface_whoami() {
    let f = token_case(
        "huggingface",
        "hf_",
        Mock {
            primary: "/api/whoami-v2",
            credential: Received::bearer,
            active: |_| {
                reply(
                    200,
                    json!({"type": "user", "name": "hf-user",
                "auth": {"accessToken": {"displayName": "ci", "role": "read"}}, "orgs": [{"name": "acme"}]}),
                )
            },
            revoked: |_| {
                reply(
                    401,
                    json!({"error": "Invalid credentials in Authorization header"}),
                )
            },
            throttled: too_many,
        },
        Some("hf-user"),
    );
    assert_eq!(f["identity"]["verified_token_role"], "read");
}

#[test]
fn stripe_account() {
    token_case(
        "stripe",
        "sk_live_",
        Mock {
            primary: "/v1/account",
            credential: Received::bearer,
            active: |_| {
                reply(
                    200,
                    json!({"id": "acct_1Acme", "email": "billing@acme.test",
                "settings": {"dashboard": {"display_name": "Acme"}}}),
                )
            },
            revoked: |_| reply(401, json!({"error": {"type": "invalid_request_error"}})),
            throttled: too_many,
        },
        Some("acct_1Acme"),
    );
}

#[test]
fn npm_whoami() {
    token_case(
        "npm",
        "npm_",
        Mock {
            primary: "/-/whoami",
            credential: Received::bearer,
            active: |_| reply(200, json!({"username": "npm-publisher"})),
            revoked: |_| reply(401, json!({"error": "Unauthorized"})),
            throttled: too_many,
        },
        Some("npm-publisher"),
    );
}

#[test]
fn sendgrid_scopes_then_username() {
    let f = token_case(
        "sendgrid",
        "SG.",
        Mock {
            primary: "/v3/scopes",
            credential: Received::bearer,
            active: |req| match req.path() {
                "/v3/user/username" => reply(200, json!({"username": "mailer", "user_id": 1})),
                _ => reply(200, json!({"scopes": ["mail.send", "user.username.read"]})),
            },
            revoked: |_| {
                reply(
                    401,
                    json!({"errors": [{"message": "authorization required"}]}),
                )
            },
            throttled: too_many,
        },
        Some("mailer"),
    );
    assert_eq!(f["identity"]["verified_scope_count"], 2);
}

#[test]
fn datadog_validate() {
    let f = token_case(
        "datadog",
        "",
        Mock {
            primary: "/api/v1/validate",
            credential: |r| r.header("dd-api-key").map(str::to_string),
            active: |_| reply(200, json!({"valid": true})),
            revoked: |_| reply(403, json!({"errors": ["Forbidden"]})),
            throttled: too_many,
        },
        None,
    );
    assert!(
        f["identity"]["verified_site"]
            .as_str()
            .unwrap()
            .starts_with("127.0.0.1:")
    );
}

// ---------------------------------------------------------------------------------------------
// Two-part credentials.

/// An AWS access key id (AKIA + 16 base32 characters) derived from `tag`.
fn aws_key_id(tag: &str) -> String {
    const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let id: String = Sha256::digest(tag.as_bytes())
        .iter()
        .take(16)
        .map(|b| B32[(*b % 32) as usize] as char)
        .collect();
    format!("AKIA{id}")
}

/// HMAC-SHA256 written from RFC 2104, independent of keytrace's signer (which uses ring).
fn hmac(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut k = if key.len() > 64 {
        Sha256::digest(key).to_vec()
    } else {
        key.to_vec()
    };
    k.resize(64, 0);
    let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::digest([ipad, msg.to_vec()].concat());
    Sha256::digest([opad, inner.to_vec()].concat()).to_vec()
}

/// Check a request's SigV4 `Authorization` header against `secret`, following the published
/// algorithm step by step from what the server actually received.
fn sigv4_valid(req: &Received, secret: &str) -> bool {
    let Some(auth) = req
        .header("authorization")
        .and_then(|a| a.strip_prefix("AWS4-HMAC-SHA256 "))
    else {
        return false;
    };
    let field = |name: &str| {
        auth.split(", ")
            .find_map(|p| p.strip_prefix(name))
            .unwrap_or_default()
            .to_string()
    };
    let (credential, signed, given) = (
        field("Credential="),
        field("SignedHeaders="),
        field("Signature="),
    );
    let scope: Vec<&str> = credential
        .split_once('/')
        .map(|(_, scope)| scope)
        .unwrap_or_default()
        .split('/')
        .collect();
    let [date, region, service, "aws4_request"] = scope[..] else {
        return false;
    };
    if service != "sts" || !signed.split(';').any(|h| h == "host") {
        return false;
    }
    let amz_date = req.header("x-amz-date").unwrap_or_default();
    let mut canonical = format!("{}\n{}\n\n", req.method, req.path());
    for name in signed.split(';') {
        canonical.push_str(&format!(
            "{name}:{}\n",
            req.header(name).unwrap_or_default().trim()
        ));
    }
    canonical.push_str(&format!(
        "\n{signed}\n{}",
        hex::encode(Sha256::digest(&req.body))
    ));
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{date}/{region}/{service}/aws4_request\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let mut key = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    for part in [region, service, "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    hex::encode(hmac(&key, to_sign.as_bytes())) == given
}

fn sts_error(code: &str, status: u16) -> Reply {
    Reply {
        status,
        headers: vec![("Content-Type", "text/xml".into())],
        body: format!(
            "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code></Error></ErrorResponse>"
        ),
    }
}

/// An STS imitation: key id → (secret, scenario); a request whose SigV4 signature does not
/// verify with the key's secret gets `SignatureDoesNotMatch`, an unknown key id
/// `InvalidClientTokenId`. Returns it with per-key-id attempt counts.
fn sts_server(
    secrets: Arc<HashMap<String, String>>,
    table: HashMap<String, Scenario>,
) -> (Server, Arc<Mutex<HashMap<String, usize>>>) {
    let counts = Arc::new(Mutex::new(HashMap::<String, usize>::new()));
    let c = counts.clone();
    let server = Server::start(move |req| {
        assert_eq!((req.method.as_str(), req.path()), ("POST", "/"));
        assert_eq!(
            String::from_utf8_lossy(&req.body),
            "Action=GetCallerIdentity&Version=2011-06-15"
        );
        let auth = req.header("authorization").unwrap_or_default();
        let id = auth
            .split("Credential=")
            .nth(1)
            .unwrap_or_default()
            .split('/')
            .next()
            .unwrap_or_default()
            .to_string();
        let n = {
            let mut counts = c.lock().unwrap();
            *counts.entry(id.clone()).or_default() += 1;
            counts[&id]
        };
        let Some(scenario) = table.get(&id) else {
            return sts_error("InvalidClientTokenId", 403);
        };
        if !sigv4_valid(req, &secrets[&id]) {
            return sts_error("SignatureDoesNotMatch", 403);
        }
        let ok = || Reply {
            status: 200,
            headers: vec![("Content-Type", "text/xml".into())],
            body: format!(
                "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult>\
                <Arn>arn:aws:iam::123456789012:user/{}</Arn><UserId>AIDAQ7M3ZR</UserId><Account>123456789012</Account>\
                </GetCallerIdentityResult></GetCallerIdentityResponse>",
                scenario.tag()
            ),
        };
        match scenario {
            Scenario::Active => ok(),
            Scenario::Flaky if n > 1 => ok(),
            // STS throttles with HTTP 400 and code Throttling.
            Scenario::Flaky | Scenario::Limited => sts_error("Throttling", 400),
            Scenario::Garbled => raw(200, "<GetCallerIdentityResponse><GetCallerIdentityResult>"),
            Scenario::Revoked => sts_error("InvalidClientTokenId", 403),
        }
    });
    (server, counts)
}

#[test]
fn aws_sts_get_caller_identity_with_a_verified_sigv4_signature() {
    let fx = Fixture::new();
    let mut secrets: HashMap<String, String> = HashMap::new();
    let mut table = HashMap::new();
    for s in ALL {
        let (id, secret) = (
            aws_key_id(s.tag()),
            hex_of(&format!("{}-secret", s.tag()), 40),
        );
        fx.write(
            &format!("src/{}.env", s.tag()),
            format!("aws_access_key_id = {id}\naws_secret_access_key = {secret}\n"),
        );
        secrets.insert(id.clone(), secret);
        table.insert(id, s);
    }
    // A key id whose file holds the wrong secret, and a key id with no secret at all.
    let (mismatch, lonely) = (aws_key_id("mismatch"), aws_key_id("lonely"));
    fx.write(
        "src/mismatch.env",
        format!(
            "aws_access_key_id = {mismatch}\naws_secret_access_key = {}\n",
            hex_of("wrong", 40)
        ),
    );
    secrets.insert(mismatch.clone(), hex_of("right", 40));
    table.insert(mismatch.clone(), Scenario::Active);
    fx.write("src/lonely.env", format!("aws_access_key_id = {lonely}\n"));
    let secrets = Arc::new(secrets);

    let (server, counts) = sts_server(secrets, table);
    let dir = rules(
        &fx,
        &[
            (
                "vt-aws-id",
                "aws",
                "aws_access_key_id",
                r"(?P<secret>AKIA[A-Z2-7]{16})",
            ),
            (
                "vt-aws-secret",
                "aws",
                "aws_secret_access_key",
                r"aws_secret_access_key = (?P<secret>[A-Za-z0-9/+]{40})",
            ),
        ],
    );
    let (code, report) = scan(
        &fx,
        &dir,
        &[
            "--verify",
            "--verify-base-url",
            &format!("aws={}", server.base),
        ],
    );
    assert_eq!(code, 1);
    let counts = counts.lock().unwrap().clone();
    for s in ALL {
        let id = aws_key_id(s.tag());
        let found = with_secret(&report, &id);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0]["verification"],
            s.verdict(),
            "{s:?}: {:#}",
            found[0]
        );
        assert_eq!(counts[&id], s.attempts(), "{s:?} attempts");
    }
    let active = &with_secret(&report, &aws_key_id("active"))[0];
    assert_eq!(active["principal"], "arn:aws:iam::123456789012:user/active");
    assert_eq!(active["identity"]["verified_account"], "123456789012");
    // The secret access key of the pair carries the same verdict.
    let paired = &with_secret(&report, &hex_of("active-secret", 40))[0];
    assert_eq!(paired["verification"], "active");
    let m = &with_secret(&report, &mismatch)[0];
    assert_eq!(m["verification"], "unverifiable");
    assert!(
        m["identity"]["verified_reason"]
            .as_str()
            .unwrap()
            .contains("does not belong")
    );
    let l = &with_secret(&report, &lonely)[0];
    assert_eq!(l["verification"], "unverifiable");
    assert!(
        !counts.contains_key(&lonely),
        "an unpaired key id is never sent"
    );
}

#[test]
fn twilio_account_sid_and_auth_token() {
    let fx = Fixture::new();
    let mut table = HashMap::new();
    let sid = |s: Scenario| format!("AC{}", hex_of(s.tag(), 32));
    for s in ALL {
        fx.write(
            &format!("src/{}.env", s.tag()),
            format!(
                "twilio_sid = \"{}\"\ntwilio_token = \"{}\"\n",
                sid(s),
                hex_of(&format!("{}-token", s.tag()), 32)
            ),
        );
        table.insert(sid(s), s);
    }
    let (server, counts) = mock_server(
        Mock {
            primary: "/2010-04-01/Accounts/",
            credential: |r| {
                let basic = r.header("authorization")?.strip_prefix("Basic ")?;
                let pair = String::from_utf8(STANDARD.decode(basic).ok()?).ok()?;
                let (sid, _token) = pair.split_once(':')?;
                assert_eq!(r.path(), format!("/2010-04-01/Accounts/{sid}.json"));
                Some(sid.to_string())
            },
            active: |r| {
                let sid = r
                    .path()
                    .trim_start_matches("/2010-04-01/Accounts/")
                    .trim_end_matches(".json");
                reply(
                    200,
                    json!({"sid": sid, "friendly_name": "Acme prod", "status": "active", "type": "Full"}),
                )
            },
            revoked: |_| reply(401, json!({"code": 20003, "message": "Authenticate"})),
            throttled: too_many,
        },
        table,
    );
    let dir = rules(
        &fx,
        &[
            (
                "vt-twilio-sid",
                "twilio",
                "twilio_sid",
                r#"twilio_sid = "(?P<secret>AC[0-9a-f]{32})""#,
            ),
            (
                "vt-twilio-token",
                "twilio",
                "twilio_token",
                r#"twilio_token = "(?P<secret>[0-9a-f]{32})""#,
            ),
        ],
    );
    let (_, report) = scan(
        &fx,
        &dir,
        &[
            "--verify",
            "--verify-base-url",
            &format!("twilio={}", server.base),
        ],
    );
    let counts = counts.lock().unwrap().clone();
    for s in ALL {
        let found = &with_secret(&report, &sid(s))[0];
        assert_eq!(found["verification"], s.verdict(), "{s:?}: {found:#}");
        assert_eq!(counts[&sid(s)], s.attempts(), "{s:?}");
    }
    let token = &with_secret(&report, &hex_of("active-token", 32))[0];
    assert_eq!(token["principal"], sid(Scenario::Active));
    assert_eq!(token["identity"]["verified_friendly_name"], "Acme prod");
}

// ---------------------------------------------------------------------------------------------
// GCP service-account keys: the server checks the RS256 assertion with the public key.

struct GcpFixture {
    pem: String,
    public_der: Vec<u8>,
}

fn gcp_key() -> GcpFixture {
    use rsa::pkcs1::EncodeRsaPublicKey;
    use rsa::pkcs8::{EncodePrivateKey, LineEnding};
    loop {
        let key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).expect("rsa key");
        let pem = key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
        // Keep the generated key clear of keytrace's placeholder markers.
        if pem.to_ascii_lowercase().contains("xxxx") {
            continue;
        }
        let public_der = key
            .to_public_key()
            .to_pkcs1_der()
            .unwrap()
            .as_bytes()
            .to_vec();
        return GcpFixture { pem, public_der };
    }
}

fn gcp_server(
    public_der: Vec<u8>,
    table: HashMap<String, Scenario>,
) -> (Server, Arc<Mutex<HashMap<String, usize>>>) {
    let counts = Arc::new(Mutex::new(HashMap::<String, usize>::new()));
    let c = counts.clone();
    let base = Arc::new(Mutex::new(String::new()));
    let b = base.clone();
    let server = Server::start(move |req| {
        assert_eq!((req.method.as_str(), req.path()), ("POST", "/token"));
        let body = String::from_utf8_lossy(&req.body).to_string();
        let form: HashMap<&str, &str> = body
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .collect();
        assert_eq!(
            form["grant_type"],
            "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
        );
        let parts: Vec<&str> = form["assertion"].split('.').collect();
        let claims: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        let header: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header["alg"], "RS256");
        assert_eq!(claims["aud"], format!("{}/token", b.lock().unwrap()));
        assert!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap() <= 3600);
        let email = claims["iss"].as_str().unwrap().to_string();
        let signed = format!("{}.{}", parts[0], parts[1]);
        let sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        let key = ring::signature::UnparsedPublicKey::new(
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            &public_der,
        );
        let bad_signature = reply(
            400,
            json!({"error": "invalid_grant", "error_description": "Invalid JWT Signature."}),
        );
        if key.verify(signed.as_bytes(), &sig).is_err() {
            return bad_signature;
        }
        let n = {
            let mut counts = c.lock().unwrap();
            *counts.entry(email.clone()).or_default() += 1;
            counts[&email]
        };
        let ok = || {
            reply(
                200,
                json!({"access_token": "ya29.test", "expires_in": 3599, "token_type": "Bearer"}),
            )
        };
        match table.get(&email) {
            Some(Scenario::Active) => ok(),
            Some(Scenario::Flaky) if n > 1 => ok(),
            Some(Scenario::Flaky | Scenario::Limited) => too_many(),
            Some(Scenario::Garbled) => raw(200, "<html>"),
            _ => reply(
                400,
                json!({"error": "invalid_grant", "error_description": "Invalid grant: account not found"}),
            ),
        }
    });
    *base.lock().unwrap() = server.base.clone();
    (server, counts)
}

fn sa_email(s: Scenario) -> String {
    format!("{}-sa@vt-proj.iam.gserviceaccount.com", s.tag())
}

#[test]
fn gcp_service_account_key_exchanges_a_signed_assertion() {
    let fx = Fixture::new();
    let key = gcp_key();
    let mut table = HashMap::new();
    for s in ALL {
        let doc = json!({
            "type": "service_account", "project_id": "vt-proj", "private_key_id": "kid1",
            "private_key": key.pem, "client_email": sa_email(s),
            // Never followed: the token endpoint is always the configured one.
            "token_uri": "https://attacker.invalid/token",
        });
        fx.write(
            &format!("src/{}.json", s.tag()),
            serde_json::to_string_pretty(&doc).unwrap(),
        );
        table.insert(sa_email(s), s);
    }
    let (server, counts) = gcp_server(key.public_der, table);
    let dir = rules(
        &fx,
        &[(
            "vt-gcp",
            "gcp",
            "service_account",
            r#"(?s)(?P<secret>\{[^{}]*"type"\s*:\s*"service_account"[^{}]*\})"#,
        )],
    );
    let (_, report) = scan(
        &fx,
        &dir,
        &[
            "--verify",
            "--verify-base-url",
            &format!("gcp={}", server.base),
        ],
    );
    let counts = counts.lock().unwrap().clone();
    let vt: Vec<Value> = vt_findings(&report)
        .into_iter()
        .filter(|f| f["rule_id"] == "vt-gcp")
        .collect();
    assert_eq!(vt.len(), 5, "{report:#}");
    for f in vt {
        let email = f["secret"]
            .as_str()
            .unwrap()
            .split("\"client_email\": \"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let s = ALL.into_iter().find(|s| sa_email(*s) == email).unwrap();
        assert_eq!(f["verification"], s.verdict(), "{s:?}: {f:#}");
        assert_eq!(
            counts.get(&email).copied().unwrap_or(0),
            s.attempts(),
            "{s:?}"
        );
        if s == Scenario::Active {
            assert_eq!(f["principal"], email);
        }
    }
}

/// A finding as attribution leaves it, for driving the library directly.
fn finding(provider: &str, secret: &str, identity: Value) -> keytrace::finding::Finding {
    let mut f = keytrace::finding::Finding {
        rule_id: format!("{provider}-key"),
        rule_name: "test".into(),
        severity: keytrace::rules::Severity::High,
        confidence: keytrace::rules::Confidence::High,
        fails: true,
        location: keytrace::finding::Location {
            path: "k".into(),
            start_line: 1,
            start_column: 1,
            end_line: 1,
            end_column: 2,
        },
        fingerprint: String::new(),
        secret: Some(secret.into()),
        props: keytrace::finding::Properties {
            provider: provider.into(),
            secret_sha256: keytrace::matcher::secret_sha256(secret.as_bytes()),
            ..Default::default()
        },
    };
    if let Value::Object(map) = identity {
        f.props.identity = map.into_iter().collect();
    }
    f
}

fn lib_settings(provider: &str, base: &str) -> keytrace::verify::settings::Settings {
    let args = keytrace::cli::verify::VerifyArgs {
        verify: true,
        verify_retries: 2,
        verify_base_url: vec![format!("{provider}={base}")],
        ..Default::default()
    };
    keytrace::verify::settings::Settings::resolve(&args, None).unwrap()
}

#[test]
fn gcp_private_key_with_attributed_client_email() {
    let key = gcp_key();
    let email = sa_email(Scenario::Active);
    let (server, counts) = gcp_server(
        key.public_der,
        HashMap::from([(email.clone(), Scenario::Active)]),
    );
    // The PEM as it sits inside a JSON file: `\n` escapes, client_email from attribution.
    let escaped = key.pem.replace('\n', "\\n");
    let mut fs = vec![
        finding(
            "private-key",
            &escaped,
            json!({"client_email": email, "private_key_id": "kid1"}),
        ),
        finding("private-key", &escaped, json!({})),
    ];
    let transport =
        keytrace::verify::http::UreqTransport::new(Duration::from_secs(10), None).unwrap();
    keytrace::verify::verify_findings(&lib_settings("gcp", &server.base), &transport, &mut fs);
    assert_eq!(fs[0].props.verification.as_deref(), Some("active"));
    assert_eq!(fs[0].props.principal.as_deref(), Some(email.as_str()));
    assert_eq!(counts.lock().unwrap()[&email], 1);
    // Without the service-account context it is just a private key: nothing to ask.
    assert_eq!(fs[1].props.verification.as_deref(), Some("not-supported"));
}

#[test]
fn dockerhub_token_exchange_with_the_account_name() {
    let table: HashMap<String, Scenario> =
        ALL.iter().map(|&s| (token("dckr_pat_", s), s)).collect();
    let (server, counts) = mock_server(
        Mock {
            primary: "/v2/auth/token",
            credential: |r| {
                assert_eq!(
                    (r.method.as_str(), r.header("content-type")),
                    ("POST", Some("application/json"))
                );
                let body: Value = serde_json::from_slice(&r.body).ok()?;
                assert_eq!(body["identifier"], "dockeruser");
                body["secret"].as_str().map(str::to_string)
            },
            active: |_| reply(200, json!({"access_token": "eyJ.short.lived"})),
            revoked: |_| {
                reply(
                    401,
                    json!({"detail": "Incorrect authentication credentials"}),
                )
            },
            throttled: too_many,
        },
        table,
    );
    let mut fs: Vec<_> = ALL
        .iter()
        .map(|&s| {
            finding(
                "dockerhub",
                &token("dckr_pat_", s),
                json!({"username": "dockeruser"}),
            )
        })
        .collect();
    fs.push(finding(
        "dockerhub",
        &token("dckr_pat_", Scenario::Active).replace("active", "nouser"),
        json!({}),
    ));
    let mut settings = lib_settings("dockerhub", &server.base);
    settings.pacing.backoff = Duration::from_millis(1);
    let transport =
        keytrace::verify::http::UreqTransport::new(Duration::from_secs(10), None).unwrap();
    keytrace::verify::verify_findings(&settings, &transport, &mut fs);
    let counts = counts.lock().unwrap().clone();
    for (f, s) in fs.iter().zip(ALL) {
        assert_eq!(f.props.verification.as_deref(), Some(s.verdict()), "{s:?}");
        assert_eq!(counts[&token("dckr_pat_", s)], s.attempts(), "{s:?}");
    }
    assert_eq!(fs[0].props.principal.as_deref(), Some("dockeruser"));
    assert_eq!(
        fs[5].props.verification.as_deref(),
        Some("unverifiable"),
        "no account name known"
    );
}

// ---------------------------------------------------------------------------------------------
// Safety and reporting.

const EVERY_PROVIDER: [&str; 14] = [
    "aws",
    "gcp",
    "github",
    "gitlab",
    "slack",
    "openai",
    "anthropic",
    "huggingface",
    "stripe",
    "npm",
    "dockerhub",
    "sendgrid",
    "twilio",
    "datadog",
];

/// A fixture with one active npm secret in `src/a.env` and the rule directory that finds it.
fn one_npm_secret() -> (Fixture, String) {
    let fx = Fixture::new();
    fx.write(
        "src/a.env",
        format!("npm_secret = \"{}\"\n", token("npm_", Scenario::Active)),
    );
    let dir = rules(
        &fx,
        &[(
            "vt-npm",
            "npm",
            "npm_secret",
            r#"npm_secret = "(?P<secret>[^"]+)""#,
        )],
    );
    (fx, dir)
}

/// A fixture with one npm and one github secret and a catch-all server for every provider.
fn two_secrets() -> (Fixture, String, Server) {
    let fx = Fixture::new();
    fx.write(
        "src/a.env",
        format!(
            "npm_secret = \"{}\"\ngithub_secret = \"{}\"\n",
            token("npm_", Scenario::Active),
            token("ghp_", Scenario::Revoked)
        ),
    );
    let dir = rules(
        &fx,
        &[
            (
                "vt-npm",
                "npm",
                "npm_secret",
                r#"npm_secret = "(?P<secret>[^"]+)""#,
            ),
            (
                "vt-github",
                "github",
                "github_secret",
                r#"github_secret = "(?P<secret>[^"]+)""#,
            ),
        ],
    );
    let server = Server::start(|req| match req.path() {
        "/-/whoami" => reply(200, json!({"username": "npm-publisher"})),
        _ => reply(401, json!({"message": "Bad credentials"})),
    });
    (fx, dir, server)
}

fn base_url_flags(server: &Server) -> Vec<String> {
    EVERY_PROVIDER
        .iter()
        .flat_map(|p| {
            [
                "--verify-base-url".to_string(),
                format!("{p}={}", server.base),
            ]
        })
        .collect()
}

#[test]
fn without_verify_no_request_is_sent_anywhere() {
    let (fx, dir, server) = two_secrets();
    let flags = base_url_flags(&server);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let (code, report) = scan(&fx, &dir, &flags);
    assert_eq!(code, 1);
    assert_eq!(vt_findings(&report).len(), 2);
    assert!(
        vt_findings(&report)
            .iter()
            .all(|f| f.get("verification").is_none())
    );
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(server.requests().len(), 0, "no request without --verify");
}

#[test]
fn only_verified_keeps_active_findings_and_sarif_carries_the_verdict() {
    let (fx, dir, server) = two_secrets();
    let mut flags = base_url_flags(&server);
    flags.push("--only-verified".into());
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let (_, report) = scan(&fx, &dir, &flags);
    let kept = vt_findings(&report);
    assert_eq!(kept.len(), 1, "{report:#}");
    assert_eq!(kept[0]["rule_id"], "vt-npm");

    let mut args: Vec<&str> = vec![
        "scan", "src", "--rules", &dir, "--format", "sarif", "--verify",
    ];
    args.extend(&flags[..flags.len() - 1]);
    let out = keytrace()
        .args(&args)
        .current_dir(fx.path())
        .env_remove("HTTPS_PROXY")
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let npm = results.iter().find(|r| r["ruleId"] == "vt-npm").unwrap();
    assert_eq!(npm["properties"]["verification"], "active");
    assert_eq!(npm["properties"]["principal"], "npm-publisher");
    let gh = results.iter().find(|r| r["ruleId"] == "vt-github").unwrap();
    assert_eq!(gh["properties"]["verification"], "inactive");
}

#[test]
fn denied_providers_are_not_contacted() {
    let (fx, dir, server) = two_secrets();
    let mut flags = base_url_flags(&server);
    flags.extend([
        "--verify".into(),
        "--verify-deny".into(),
        "npm,github".into(),
    ]);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let (_, report) = scan(&fx, &dir, &flags);
    assert_eq!(server.requests().len(), 0);
    assert!(
        vt_findings(&report)
            .iter()
            .all(|f| f.get("verification").is_none())
    );
}

#[test]
fn bad_verify_flags_are_usage_errors() {
    let (fx, dir, _server) = two_secrets();
    for bad in [
        ["--verify-allow", "acme"],
        ["--verify-base-url", "npm"],
        ["--gitlab-url", "gitlab.internal"],
    ] {
        let out = keytrace()
            .args(["scan", "src", "--rules", &dir, "--verify", bad[0], bad[1]])
            .current_dir(fx.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(bad[0]),
            "{bad:?}"
        );
    }
}

#[test]
fn requests_go_through_the_configured_proxy_flag_or_environment() {
    let (fx, dir) = one_npm_secret();
    // The proxy is the only server; the npm host does not resolve.
    let proxy = Server::start(|req| match req.path() {
        "/-/whoami" => reply(200, json!({"username": "via-proxy"})),
        _ => reply(404, json!({})),
    });
    let base = "npm=http://registry.npm.invalid";
    let (_, report) = scan(
        &fx,
        &dir,
        &[
            "--verify",
            "--verify-base-url",
            base,
            "--verify-proxy",
            &proxy.base,
        ],
    );
    assert_eq!(vt_findings(&report)[0]["principal"], "via-proxy");
    assert_eq!(proxy.requests().len(), 1);

    let out = keytrace()
        .args([
            "scan",
            "src",
            "--rules",
            &dir,
            "--format",
            "json",
            "--verify",
            "--verify-base-url",
            base,
        ])
        .env("HTTPS_PROXY", &proxy.base)
        .current_dir(fx.path())
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(vt_findings(&report)[0]["principal"], "via-proxy");
    assert_eq!(proxy.requests().len(), 2);
}

#[test]
fn a_slow_provider_times_out_as_unverifiable() {
    let (fx, dir) = one_npm_secret();
    let server = Server::start(|_| {
        std::thread::sleep(Duration::from_secs(4));
        reply(200, json!({"username": "too-late"}))
    });
    let start = std::time::Instant::now();
    let base = format!("npm={}", server.base);
    let (code, report) = scan(
        &fx,
        &dir,
        &[
            "--verify",
            "--verify-base-url",
            &base,
            "--verify-timeout",
            "1",
            "--verify-retries",
            "0",
        ],
    );
    assert_eq!(
        code, 1,
        "unverifiable findings are kept and still fail the run"
    );
    let f = &vt_findings(&report)[0];
    assert_eq!(f["verification"], "unverifiable", "{f:#}");
    assert!(f.get("principal").is_none());
    assert!(
        start.elapsed() < Duration::from_secs(4),
        "{:?}",
        start.elapsed()
    );
}
