//! Blast radius (`--blast-radius`) for GitLab, Stripe and npm against one loopback server that
//! answers as each provider documents it (the subset keytrace reads). Every provider's base URL
//! points at the server, so nothing leaves the machine; the server records each request so the
//! tests can prove which calls were made: none beyond verification without the flag, and only
//! reads with it.

use super::common::{Fixture, findings, github_token, run};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    /// Path with query.
    target: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map_or("", |(_, v)| v.as_str())
    }
}

type Log = Arc<Mutex<Vec<Seen>>>;

/// Status, extra headers, JSON body.
type Answer = (u16, Vec<(&'static str, String)>, String);

/// Start a loopback server answering with `answer(request)`.
fn serve(answer: fn(&Seen) -> Answer) -> (String, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let log: Log = Arc::new(Mutex::new(Vec::new()));
    let seen = log.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut first = String::new();
            if reader.read_line(&mut first).is_err() {
                continue;
            }
            let mut parts = first.split_whitespace();
            let method = parts.next().unwrap_or_default().to_string();
            let target = parts.next().unwrap_or_default().to_string();
            let mut headers = Vec::new();
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
                if let Some((k, v)) = h.trim_end().split_once(':') {
                    headers.push((k.trim().to_string(), v.trim().to_string()));
                }
            }
            let length = headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let req = Seen {
                method,
                target,
                headers,
                body: String::from_utf8_lossy(&body).into_owned(),
            };
            seen.lock().unwrap().push(req.clone());
            let (status, extra, text) = answer(&req);
            let mut head = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
                text.len()
            );
            for (k, v) in extra {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            let mut s = stream;
            let _ = s.write_all(format!("{head}\r\n{text}").as_bytes());
        }
    });
    (base, log)
}

const GITLAB_TOKEN: &str = "glpat-Zr8TnVb2Lx9KcWp4Hs7J";
const STRIPE_SECRET: &str = "sk_live_51Qm7tZr2KxW9pLv4HcN8sYj3D";
const STRIPE_RESTRICTED: &str = "rk_live_51Hs7Jd1Fg6YaQm3Zr8TnVb2Lx";
/// An npm token with a valid checksum (the rule checks it).
fn npm_token() -> String {
    github_token("npm_", "Q7m3Zr8TnVb2Lx9KcWp4Hs7JdXe5Tq")
}

fn not_found() -> Answer {
    (
        404,
        Vec::new(),
        json!({"message": "404 Not Found"}).to_string(),
    )
}

/// GitLab, Stripe and npm as documented (the subset keytrace reads).
fn providers(req: &Seen) -> Answer {
    let ok = |body: Value| (200, Vec::new(), body.to_string());
    let gitlab = req.header("PRIVATE-TOKEN") == GITLAB_TOKEN;
    let bearer = req.header("Authorization");
    match (req.method.as_str(), req.target.as_str()) {
        // GitLab: the token, its user, then groups by minimum access level, paginated.
        ("GET", "/api/v4/personal_access_tokens/self") if gitlab => ok(json!({
            "id": 4, "name": "deploy", "revoked": false, "active": true,
            "created_at": "2026-01-05T10:00:00.000Z", "scopes": ["api", "read_user"],
            "user_id": 17, "last_used_at": null, "expires_at": "2027-01-05"
        })),
        ("GET", "/api/v4/user") if gitlab => ok(json!({
            "id": 17, "username": "release-bot-owner", "name": "R", "state": "active",
            "bot": false, "is_admin": false
        })),
        ("GET", "/api/v4/groups?min_access_level=50&per_page=100") if gitlab => (
            200,
            vec![
                ("X-Total", "1".into()),
                ("X-Total-Pages", "1".into()),
                ("X-Page", "1".into()),
                ("X-Per-Page", "100".into()),
                ("X-Next-Page", String::new()),
            ],
            json!([{"id": 1, "name": "acme", "full_path": "acme"}]).to_string(),
        ),
        ("GET", "/api/v4/groups?min_access_level=40&per_page=100") if gitlab => (
            200,
            vec![
                ("X-Total", "3".into()),
                ("X-Total-Pages", "1".into()),
                ("X-Page", "1".into()),
                ("X-Next-Page", String::new()),
            ],
            json!([
                {"id": 1, "name": "acme", "full_path": "acme"},
                {"id": 2, "name": "infra", "full_path": "acme/infra"},
                {"id": 3, "name": "tools", "full_path": "tools"}
            ])
            .to_string(),
        ),
        // Stripe: the full secret key reads its account; the restricted key may not.
        ("GET", "/v1/account") if bearer == format!("Bearer {STRIPE_SECRET}") => ok(json!({
            "id": "acct_1AcmeLive", "object": "account", "country": "DE",
            "email": "billing@acme.test", "charges_enabled": true, "payouts_enabled": true,
            "settings": {"dashboard": {"display_name": "Acme GmbH"}}
        })),
        ("GET", "/v1/account") if bearer == format!("Bearer {STRIPE_RESTRICTED}") => (
            403,
            Vec::new(),
            json!({"error": {"type": "invalid_request_error",
                "message": "The provided key 'rk_live_***' does not have the required permissions for this endpoint on account 'acct_1AcmeLive'."}})
            .to_string(),
        ),
        // npm: whoami, the user's tokens, and the packages the user can access.
        ("GET", "/-/whoami") if bearer == format!("Bearer {}", npm_token()) => {
            ok(json!({"username": "pubbot"}))
        }
        ("GET", "/-/npm/v1/tokens") if bearer == format!("Bearer {}", npm_token()) => ok(json!({
            "objects": [
                {"token": "npm_Q7", "key": npm_key(&npm_token()), "cidr_whitelist": ["10.0.0.0/8"],
                 "readonly": false, "automation": true,
                 "created": "2026-01-01T00:00:00.000Z", "updated": "2026-01-01T00:00:00.000Z"},
                {"token": "npm_Zz", "key": "00", "cidr_whitelist": null, "readonly": true,
                 "automation": false, "created": "2025-01-01T00:00:00.000Z",
                 "updated": "2025-01-01T00:00:00.000Z"}
            ],
            "total": 2, "urls": {}
        })),
        // `pubbot` is a user, not an org: the org listing is 404 and the user listing answers.
        ("GET", "/-/org/pubbot/package") => not_found(),
        ("GET", "/-/user/pubbot/package") if bearer == format!("Bearer {}", npm_token()) => {
            ok(json!({
                "left-pad-ng": "read-write", "@acme/cli": "read-write", "@acme/docs": "read-only"
            }))
        }
        _ => not_found(),
    }
}

/// The registry's `key` for a token: the hex SHA-512 of the token.
fn npm_key(token: &str) -> String {
    use sha2::{Digest, Sha512};
    hex::encode(Sha512::digest(token.as_bytes()))
}

fn fixture() -> Fixture {
    let fx = Fixture::new();
    fx.write(
        ".env",
        format!(
            "GITLAB_TOKEN={GITLAB_TOKEN}\nSTRIPE_SECRET_KEY={STRIPE_SECRET}\n\
             STRIPE_RESTRICTED_KEY={STRIPE_RESTRICTED}\nNPM_TOKEN={}\n",
            npm_token()
        ),
    );
    fx
}

fn args<'a>(base: &'a [String], format: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["scan", ".", "--no-blame", "--format", format, "--verify"];
    for o in base {
        args.extend(["--verify-base-url", o.as_str()]);
    }
    args.extend(["--verify-rate", "0", "--verify-retries", "0"]);
    args.extend_from_slice(extra);
    args
}

fn overrides(base: &str) -> Vec<String> {
    ["gitlab", "stripe", "npm"]
        .iter()
        .map(|p| format!("{p}={base}"))
        .collect()
}

fn scan(fx: &Fixture, base: &str, extra: &[&str]) -> Vec<Value> {
    let o = overrides(base);
    let (_, out, err) = run(&args(&o, "json", extra), fx.path());
    let report: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    findings(&report)
}

/// The finding of `rule` (reports redact secrets, so findings are picked by rule).
fn by_rule<'a>(fs: &'a [Value], rule: &str) -> &'a Value {
    fs.iter()
        .find(|f| f["rule_id"] == rule)
        .unwrap_or_else(|| panic!("no {rule} finding: {fs:?}"))
}

fn requests(log: &Log) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = log
        .lock()
        .unwrap()
        .iter()
        .map(|r| (r.method.clone(), r.target.clone()))
        .collect();
    v.sort();
    v
}

#[test]
fn without_the_flag_gitlab_stripe_and_npm_get_verification_requests_only() {
    let fx = fixture();
    let (base, log) = serve(providers);
    let fs = scan(&fx, &base, &[]);
    let want: Vec<(String, String)> = [
        ("GET", "/-/whoami"),
        ("GET", "/api/v4/personal_access_tokens/self"),
        ("GET", "/api/v4/user"),
        ("GET", "/v1/account"),
        ("GET", "/v1/account"),
    ]
    .iter()
    .map(|(m, p)| (m.to_string(), p.to_string()))
    .collect();
    assert_eq!(requests(&log), want);
    assert!(fs.iter().all(|f| f.get("blast_radius").is_none()), "{fs:?}");
    assert_eq!(fs.len(), 4, "{fs:?}");
    assert!(fs.iter().all(|f| f["verification"] == "active"), "{fs:?}");
}

#[test]
fn gitlab_stripe_and_npm_reach_is_mapped_with_reads_only() {
    let fx = fixture();
    let (base, log) = serve(providers);
    let fs = scan(&fx, &base, &["--blast-radius"]);
    for r in log.lock().unwrap().iter() {
        assert_eq!(r.method, "GET", "{r:?}");
        assert!(r.body.is_empty(), "{r:?}");
        // Only the org listing is expected to miss (npm falls back to the user listing).
        if providers(r).0 == 404 {
            assert_eq!(r.target, "/-/org/pubbot/package", "unexpected call {r:?}");
        }
    }
    let sent = requests(&log);
    for path in [
        "/api/v4/groups?min_access_level=50&per_page=100",
        "/api/v4/groups?min_access_level=40&per_page=100",
        "/-/npm/v1/tokens",
        "/-/user/pubbot/package",
    ] {
        assert!(
            sent.iter().any(|(_, p)| p == path),
            "{path} not called: {sent:?}"
        );
    }

    let gl = &by_rule(&fs, "gitlab-pat")["blast_radius"];
    assert_eq!(gl["principal"], "release-bot-owner");
    assert_eq!(gl["token_type"], "personal-access-token");
    assert_eq!(gl["expires_at"], "2027-01-05");
    assert_eq!(gl["permissions"], json!(["api", "read_user"]));
    assert_eq!(gl["organizations"], json!(["acme", "acme/infra", "tools"]));
    assert_eq!(
        gl["resources"],
        json!({"groups_owner": 1, "groups_maintainer": 3})
    );
    assert_eq!((&gl["admin"], &gl["write"]), (&json!(true), &json!(true)));

    let sk = &by_rule(&fs, "stripe-secret-key")["blast_radius"];
    assert_eq!(sk["principal"], "acct_1AcmeLive");
    assert_eq!(sk["token_type"], "secret-key");
    assert_eq!(sk["organizations"], json!(["Acme GmbH"]));
    assert_eq!(sk["resources"], json!({"live_mode": 1}));
    assert_eq!((&sk["admin"], &sk["write"]), (&json!(true), &json!(true)));

    let rk = &by_rule(&fs, "stripe-restricted-key")["blast_radius"];
    assert_eq!(rk["token_type"], "restricted-key");
    assert_eq!(rk["resources"], json!({"live_mode": 1}));
    assert_eq!(rk["admin"], false);
    assert!(rk.get("write").is_none(), "{rk}");
    let limits = rk["limitations"].to_string();
    assert!(limits.contains("not listable"), "{limits}");
    assert!(limits.contains("HTTP 403"), "{limits}");

    let npm = &by_rule(&fs, "npm-access-token")["blast_radius"];
    assert_eq!(npm["principal"], "pubbot");
    assert_eq!(npm["token_type"], "automation");
    assert_eq!(npm["permissions"], json!(["publish", "cidr:10.0.0.0/8"]));
    assert_eq!(
        npm["resources"],
        json!({"packages": 3, "packages_writable": 2})
    );
    assert_eq!(
        (&npm["admin"], &npm["write"]),
        (&json!(false), &json!(true))
    );
}

#[test]
fn the_reach_of_the_new_providers_is_in_sarif_and_the_human_report() {
    let fx = fixture();
    let (base, _) = serve(providers);
    let o = overrides(&base);
    let (_, out, err) = run(&args(&o, "sarif", &["--blast-radius"]), fx.path());
    let sarif: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let gl = results
        .iter()
        .find(|r| r["ruleId"] == "gitlab-pat")
        .expect("a GitLab result");
    assert_eq!(
        gl["properties"]["blast_radius"]["resources"]["groups_owner"], 1,
        "{gl}"
    );

    let (_, out, _) = run(&args(&o, "human", &["--blast-radius"]), fx.path());
    assert!(
        out.contains("admin yes, write yes, as release-bot-owner, type personal-access-token, expires 2027-01-05"),
        "{out}"
    );
    assert!(out.contains("groups_maintainer 3, groups_owner 1"), "{out}");
    assert!(out.contains("packages 3, packages_writable 2"), "{out}");
}

// ---------------------------------------------------------------------------------------------
// AWS: STS and IAM Query API actions, SigV4-signed POSTs with a form body.

const AWS_KEY_ID: &str = "AKIA4Q7M3ZRXTNVB2LXK";
const AWS_SECRET: &str = "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";

fn aws_xml(action: &str, result: &str) -> Answer {
    let ns = if action == "GetCallerIdentity" {
        "https://sts.amazonaws.com/doc/2011-06-15/"
    } else {
        "https://iam.amazonaws.com/doc/2010-05-08/"
    };
    let body = format!(
        "<{action}Response xmlns=\"{ns}\"><{action}Result>{result}</{action}Result>\
         <ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata></{action}Response>"
    );
    (200, vec![("Content-Type", "text/xml".into())], body)
}

/// The form field `name` of a Query API body.
fn form(body: &str, name: &str) -> String {
    body.split('&')
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
        .unwrap_or_default()
        .to_string()
}

/// An IAM user `deployer` with a read-only managed policy, one inline policy on S3, and the
/// `admins` group that has AdministratorAccess attached.
fn aws(req: &Seen) -> Answer {
    if req.method != "POST" || req.target != "/" {
        return not_found();
    }
    let policy = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A%2A%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Aartifacts%2F%2A%22%7D%5D%7D";
    let user = form(&req.body, "UserName");
    match (form(&req.body, "Action").as_str(), user.as_str()) {
        ("GetCallerIdentity", _) => aws_xml(
            "GetCallerIdentity",
            "<Arn>arn:aws:iam::123456789012:user/ci/deployer</Arn><UserId>AIDAJQABLZS4A3QDU576Q</UserId><Account>123456789012</Account>",
        ),
        ("ListAttachedUserPolicies", "deployer") => aws_xml(
            "ListAttachedUserPolicies",
            "<AttachedPolicies><member><PolicyName>ReadOnlyAccess</PolicyName>\
             <PolicyArn>arn:aws:iam::aws:policy/ReadOnlyAccess</PolicyArn></member></AttachedPolicies>\
             <IsTruncated>false</IsTruncated>",
        ),
        ("ListUserPolicies", "deployer") => aws_xml(
            "ListUserPolicies",
            "<PolicyNames><member>artifacts-write</member></PolicyNames><IsTruncated>false</IsTruncated>",
        ),
        ("GetUserPolicy", "deployer") if form(&req.body, "PolicyName") == "artifacts-write" => {
            aws_xml(
                "GetUserPolicy",
                &format!(
                    "<UserName>deployer</UserName><PolicyName>artifacts-write</PolicyName><PolicyDocument>{policy}</PolicyDocument>"
                ),
            )
        }
        ("ListGroupsForUser", "deployer") => aws_xml(
            "ListGroupsForUser",
            "<Groups><member><Path>/</Path><GroupName>admins</GroupName><GroupId>AGPAJQABLZS4A3QDU576Q</GroupId>\
             <Arn>arn:aws:iam::123456789012:group/admins</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate></member></Groups>\
             <IsTruncated>false</IsTruncated>",
        ),
        ("ListAttachedGroupPolicies", _) if form(&req.body, "GroupName") == "admins" => aws_xml(
            "ListAttachedGroupPolicies",
            "<AttachedPolicies><member><PolicyName>AdministratorAccess</PolicyName>\
             <PolicyArn>arn:aws:iam::aws:policy/AdministratorAccess</PolicyArn></member></AttachedPolicies>\
             <IsTruncated>false</IsTruncated>",
        ),
        _ => not_found(),
    }
}

fn aws_scan(extra: &[&str]) -> (Vec<Value>, Vec<Seen>) {
    let fx = Fixture::new();
    fx.write(
        ".env",
        format!("AWS_ACCESS_KEY_ID={AWS_KEY_ID}\nAWS_SECRET_ACCESS_KEY={AWS_SECRET}\n"),
    );
    let (base, log) = serve(aws);
    let o = vec![format!("aws={base}")];
    let (_, out, err) = run(&args(&o, "json", extra), fx.path());
    let report: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    let sent = log.lock().unwrap().clone();
    (findings(&report), sent)
}

#[test]
fn without_the_flag_aws_gets_get_caller_identity_only() {
    let (fs, sent) = aws_scan(&[]);
    let actions: Vec<String> = sent.iter().map(|r| form(&r.body, "Action")).collect();
    assert_eq!(actions, vec!["GetCallerIdentity"], "{sent:?}");
    assert!(fs.iter().all(|f| f.get("blast_radius").is_none()), "{fs:?}");
}

#[test]
fn aws_reach_reads_user_group_and_inline_policies_with_signed_list_and_get_actions() {
    let (fs, sent) = aws_scan(&["--blast-radius"]);
    for r in &sent {
        let action = form(&r.body, "Action");
        assert_eq!(r.method, "POST", "{r:?}");
        let read = action == "GetCallerIdentity"
            || action.starts_with("List")
            || action.starts_with("Get");
        assert!(read, "not a read action: {action}");
        assert_ne!(aws(r).0, 404, "unexpected call {r:?}");
        // Signed for the right service with the key id found next to the secret.
        let service = if action == "GetCallerIdentity" {
            "sts"
        } else {
            "iam"
        };
        let auth = r.header("Authorization");
        assert!(
            auth.starts_with(&format!("AWS4-HMAC-SHA256 Credential={AWS_KEY_ID}/"))
                && auth.contains(&format!("/us-east-1/{service}/aws4_request"))
                && auth.contains("Signature="),
            "{auth}"
        );
        assert!(!r.header("X-Amz-Date").is_empty(), "{r:?}");
    }
    let mut actions: Vec<String> = sent.iter().map(|r| form(&r.body, "Action")).collect();
    actions.sort();
    assert_eq!(
        actions,
        vec![
            "GetCallerIdentity",
            "GetCallerIdentity",
            "GetUserPolicy",
            "ListAttachedGroupPolicies",
            "ListAttachedUserPolicies",
            "ListGroupsForUser",
            "ListUserPolicies",
        ]
    );
    let f = fs
        .iter()
        .find(|f| f.get("blast_radius").is_some())
        .unwrap_or_else(|| panic!("no blast radius: {fs:?}"));
    let b = &f["blast_radius"];
    assert_eq!(b["principal"], "arn:aws:iam::123456789012:user/ci/deployer");
    assert_eq!(b["token_type"], "iam-user");
    assert_eq!(b["organizations"], json!(["123456789012", "group:admins"]));
    assert_eq!(
        b["permissions"],
        json!([
            "ReadOnlyAccess",
            "inline:artifacts-write",
            "group:admins:AdministratorAccess"
        ])
    );
    assert_eq!(
        b["resources"],
        json!({"attached_policies": 1, "inline_policies": 1, "groups": 1})
    );
    assert_eq!((&b["admin"], &b["write"]), (&json!(true), &json!(true)));
    // Both halves of the key carry the reach.
    let with_reach = fs
        .iter()
        .filter(|f| f.get("blast_radius").is_some())
        .count();
    assert_eq!(with_reach, 2, "{fs:?}");
}
