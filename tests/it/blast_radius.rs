//! Blast radius (`--blast-radius`) against a loopback server that answers as GitHub, Slack and
//! Hugging Face document it. Every provider's base URL points at the server, so nothing leaves
//! the machine; the server records each request so that the tests can prove which calls were
//! made: none beyond verification without the flag, and only reads with it.

use super::common::{Fixture, findings, github_token, run};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// (method, path with query) of each request received.
type Log = Arc<Mutex<Vec<(String, String)>>>;

/// An answer: status, extra headers, JSON body.
type Answer = (u16, Vec<(&'static str, String)>, String);

/// Start a loopback server answering with `answer(method, path)`.
fn serve(answer: fn(&str, &str) -> Answer) -> (String, Log) {
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
            let path = parts.next().unwrap_or_default().to_string();
            let mut length = 0usize;
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
                if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            seen.lock().unwrap().push((method.clone(), path.clone()));
            let (status, headers, text) = answer(&method, &path);
            let mut head = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
                text.len()
            );
            for (k, v) in headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            let mut s = stream;
            let _ = s.write_all(format!("{head}\r\n{text}").as_bytes());
        }
    });
    (base, log)
}

/// GitHub, Slack and Hugging Face as documented (the subset keytrace reads).
fn providers(method: &str, path: &str) -> Answer {
    let ok = |body: Value| (200, Vec::new(), body.to_string());
    match (method, path) {
        ("GET", "/user") => (
            200,
            vec![("X-OAuth-Scopes", "repo, read:org".into())],
            json!({"login": "octo", "id": 1, "type": "User", "site_admin": false}).to_string(),
        ),
        ("GET", "/user/orgs?per_page=100") => ok(json!([{"login": "acme"}, {"login": "tools"}])),
        ("GET", "/user/repos?per_page=100&page=1") => ok(json!([
            {"full_name": "acme/api", "permissions": {"admin": true, "push": true, "pull": true}},
            {"full_name": "acme/web", "permissions": {"admin": false, "push": true, "pull": true}},
            {"full_name": "tools/x", "permissions": {"admin": false, "push": false, "pull": true}}
        ])),
        ("POST", "/api/auth.test") => (
            200,
            vec![("x-oauth-scopes", "chat:write,channels:read".into())],
            json!({"ok": true, "team": "Acme", "user": "deploybot", "team_id": "T1", "user_id": "U1", "bot_id": "B1"}).to_string(),
        ),
        ("GET", "/api/whoami-v2") => ok(json!({
            "type": "user", "name": "hf-user",
            "orgs": [{"name": "acme-ml", "roleInOrg": "admin"}, {"name": "reader", "roleInOrg": "read"}],
            "auth": {"type": "access_token", "accessToken": {"displayName": "ci", "role": "write"}}
        })),
        _ => (404, Vec::new(), json!({"message": "Not Found"}).to_string()),
    }
}

fn fixture() -> Fixture {
    let fx = Fixture::new();
    let gh = github_token("ghp_", "Zr8TnVb2Lx9KcWp4Hs7Jd1Fg6YaQm3");
    fx.write(
        ".env",
        format!(
            "GITHUB_TOKEN={gh}\nSLACK_BOT_TOKEN=xoxb-5820394716-3094817265-Qm7tZr2KxW9pLv4HcN8sYj3D\nHF_TOKEN=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\n"
        ),
    );
    fx
}

fn scan(fx: &Fixture, base: &str, extra: &[&str]) -> (i32, Vec<Value>, String) {
    let mut args = vec!["scan", ".", "--no-blame", "--format", "json", "--verify"];
    let overrides: Vec<String> = ["github", "slack", "huggingface"]
        .iter()
        .map(|p| format!("{p}={base}"))
        .collect();
    for o in &overrides {
        args.extend(["--verify-base-url", o.as_str()]);
    }
    args.extend(["--verify-rate", "0", "--verify-retries", "0"]);
    args.extend_from_slice(extra);
    let (code, out, err) = run(&args, fx.path());
    let report: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    (code, findings(&report), err)
}

fn by_provider<'a>(fs: &'a [Value], provider: &str) -> &'a Value {
    fs.iter()
        .find(|f| f["provider"] == provider)
        .unwrap_or_else(|| panic!("no {provider} finding: {fs:?}"))
}

#[test]
fn without_the_flag_only_verification_requests_are_sent() {
    let fx = fixture();
    let (base, log) = serve(providers);
    let (_, fs, _) = scan(&fx, &base, &[]);
    let mut sent = log.lock().unwrap().clone();
    sent.sort();
    let want = [
        ("GET", "/api/whoami-v2"),
        ("GET", "/user"),
        ("POST", "/api/auth.test"),
    ];
    let mut want: Vec<(String, String)> = want
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    want.sort();
    assert_eq!(sent, want);
    assert!(fs.iter().all(|f| f.get("blast_radius").is_none()), "{fs:?}");
    assert!(fs.iter().all(|f| f["verification"] == "active"), "{fs:?}");
}

#[test]
fn the_flag_needs_verify() {
    let fx = fixture();
    let (code, _, err) = run(&["scan", ".", "--blast-radius"], fx.path());
    assert_eq!(code, 2);
    assert!(err.contains("required"), "{err}");
}

#[test]
fn github_slack_and_hugging_face_reach_is_mapped_with_reads_only() {
    let fx = fixture();
    let (base, log) = serve(providers);
    let (_, fs, _) = scan(&fx, &base, &["--blast-radius"]);
    let sent = log.lock().unwrap().clone();
    // Only GETs, plus Slack's auth.test (documented read-only); nothing unknown was asked.
    for (method, path) in &sent {
        let read = method == "GET" || (method == "POST" && path == "/api/auth.test");
        assert!(read, "{method} {path}");
        assert_ne!(
            providers(method, path).0,
            404,
            "unexpected call {method} {path}"
        );
    }
    let gh = &by_provider(&fs, "github")["blast_radius"];
    assert_eq!(gh["principal"], "octo");
    assert_eq!(gh["token_type"], "classic-pat");
    assert_eq!(gh["permissions"], json!(["repo", "read:org"]));
    assert_eq!(gh["organizations"], json!(["acme", "tools"]));
    assert_eq!(
        gh["resources"],
        json!({"repositories": 3, "repositories_admin": 1, "repositories_push": 2})
    );
    assert_eq!(gh["admin"], true);
    assert_eq!(gh["write"], true);

    let slack = &by_provider(&fs, "slack")["blast_radius"];
    assert_eq!(slack["principal"], "deploybot");
    assert_eq!(slack["token_type"], "bot");
    assert_eq!(slack["organizations"], json!(["Acme"]));
    assert_eq!(slack["permissions"], json!(["chat:write", "channels:read"]));
    assert_eq!(
        (slack["admin"].clone(), slack["write"].clone()),
        (json!(false), json!(true))
    );

    let hf = &by_provider(&fs, "huggingface")["blast_radius"];
    assert_eq!(hf["principal"], "hf-user");
    assert_eq!(hf["organizations"], json!(["acme-ml", "reader"]));
    assert_eq!(hf["resources"]["organizations_admin"], 1);
    assert_eq!(
        (hf["admin"].clone(), hf["write"].clone()),
        (json!(true), json!(true))
    );

    // The risk score counts admin reach: GitHub (admin) outranks Slack (write only).
    let risk = |p: &str| by_provider(&fs, p)["risk"].as_u64().unwrap();
    assert_eq!(risk("github") - risk("slack"), 10, "{fs:?}");
}

#[test]
fn the_human_report_prints_the_reach_under_the_finding() {
    let fx = fixture();
    let (base, _) = serve(providers);
    let gh = format!("github={base}");
    let slack = format!("slack={base}");
    let hf = format!("huggingface={base}");
    let (_, out, _) = run(
        &[
            "scan",
            ".",
            "--no-blame",
            "--verify",
            "--blast-radius",
            "--verify-rate",
            "0",
            "--verify-base-url",
            &gh,
            "--verify-base-url",
            &slack,
            "--verify-base-url",
            &hf,
        ],
        fx.path(),
    );
    assert!(
        out.contains("reach      admin yes, write yes, as octo, type classic-pat"),
        "{out}"
    );
    assert!(
        out.contains("repositories 3, repositories_admin 1, repositories_push 2"),
        "{out}"
    );
}
