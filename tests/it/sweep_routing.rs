//! Routing a sweep's findings: `--split-by-owner DIR` (one SARIF and one JSON per owner) and
//! `--notify-webhook URL` (Slack-compatible JSON to a loopback receiver, bounded retries, and a
//! failed post that loses nothing: the next run sends it).

use super::common::{Fixture, acme_rules, acme_token, git_in};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

fn commit_as(dir: &Path, file: &str, text: &str, who: (&str, &str), day: u32) {
    let path = dir.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    let date = format!("2024-05-{day:02}T10:00:00Z");
    git_in(dir, &["add", "-A"], who.0, who.1, &date);
    git_in(dir, &["commit", "-q", "-m", "change"], who.0, who.1, &date);
}

fn init(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    git_in(
        dir,
        &["init", "-q", "-b", "main"],
        "x",
        "x@example.com",
        "2024-05-01T00:00:00Z",
    );
}

fn sweep(fx: &Fixture, rules: &str, state: &str, extra: &[&str]) -> (i32, Value, String) {
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("keytrace"))
        .args(["sweep", "--repos-dir", "repos", "--state", state])
        .args(["--rules", rules, "--format", "json", "--no-progress"])
        .args(extra)
        .current_dir(fx.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let v = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
    (out.status.code().unwrap_or(-1), v, stderr)
}

fn paths(report: &Value) -> BTreeSet<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["location"]["path"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn split_by_owner_writes_one_sarif_and_json_per_team_or_person() {
    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    let repo = fx.path().join("repos/billing");
    init(&repo);
    let alice = ("Alice", "Alice@Example.com");
    let alice_lower = ("alice", "alice@example.com");
    commit_as(
        &repo,
        ".github/CODEOWNERS",
        "/config/ @acme/payments\n",
        alice,
        1,
    );
    let key = |n| format!("KEY={}\n", acme_token(n));
    commit_as(&repo, "config/prod.env", &key(1), alice, 2);
    commit_as(&repo, "config/stage.env", &key(2), alice_lower, 3);
    commit_as(&repo, "scripts/a.env", &key(3), alice, 4);
    commit_as(&repo, "scripts/b.env", &key(4), alice_lower, 5);
    let (code, report, err) = sweep(&fx, &rules, "s.db", &["--split-by-owner", "owners"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(report["findings"].as_array().unwrap().len(), 4);

    let dir = fx.path().join("owners");
    let index: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("index.json")).unwrap()).unwrap();
    let owners = index["owners"].as_array().unwrap();
    // The team, and Alice once although she committed under two spellings of her address.
    assert_eq!(owners.len(), 2, "{index:#}");
    let team = owners
        .iter()
        .find(|o| o["owner"] == "@acme/payments")
        .unwrap();
    assert_eq!(team["json"], "acme_payments.json");
    assert_eq!(team["sarif"], "acme_payments.sarif");
    let person = owners
        .iter()
        .find(|o| o["owner"] != "@acme/payments")
        .unwrap();
    let file = person["json"].as_str().unwrap();
    assert!(
        file.chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c)),
        "{file}"
    );
    let read = |name: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap()
    };
    let set = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(
        paths(&read("acme_payments.json")),
        set(&["config/prod.env", "config/stage.env"])
    );
    assert_eq!(paths(&read(file)), set(&["scripts/a.env", "scripts/b.env"]));
    let sarif = read("acme_payments.sarif");
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 2);
    let all = std::fs::read_to_string(dir.join(file)).unwrap()
        + &std::fs::read_to_string(dir.join("acme_payments.sarif")).unwrap();
    assert!(!all.contains(&acme_token(1)) && !all.contains(&acme_token(3)));
}

/// A loopback webhook receiver: records each POST body; answers 500 while `failing`, else 200.
fn receiver(failing: Arc<AtomicBool>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/services/T000/B000/hook-secret",
        listener.local_addr().unwrap()
    );
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&bodies);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0usize;
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line.trim() != "" {
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
                line.clear();
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            seen.lock().unwrap().push(String::from_utf8(body).unwrap());
            let status = if failing.load(Ordering::SeqCst) {
                "500 Internal Server Error"
            } else {
                "200 OK"
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
            );
        }
    });
    (url, bodies)
}

/// The finding lines of a posted message (the blocks after the summary).
fn posted_paths(body: &str) -> BTreeSet<String> {
    let v: Value = serde_json::from_str(body).unwrap();
    assert!(v["text"].as_str().unwrap().starts_with("keytrace: "));
    let blocks = v["blocks"].as_array().unwrap();
    let mut out = BTreeSet::new();
    for b in &blocks[1..] {
        assert_eq!(b["type"], "section");
        assert_eq!(b["text"]["type"], "mrkdwn");
        for line in b["text"]["text"].as_str().unwrap().lines() {
            let path = line.split('`').nth(5).unwrap();
            out.insert(path.to_string());
        }
    }
    out
}

#[test]
fn webhook_gets_new_high_findings_once_and_a_failed_post_is_sent_next_run() {
    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    let repo = fx.path().join("repos/api");
    init(&repo);
    let who = ("Bo", "bo@example.com");
    commit_as(&repo, "a.env", &format!("K={}\n", acme_token(11)), who, 1);
    commit_as(&repo, "b.env", &format!("K={}\n", acme_token(12)), who, 2);
    let failing = Arc::new(AtomicBool::new(true));
    let (url, bodies) = receiver(Arc::clone(&failing));
    let hook = ["--notify-webhook", url.as_str()];
    let take = || std::mem::take(&mut *bodies.lock().unwrap());

    // The receiver fails: three attempts, then a warning; the report is written as usual.
    let (code, report, err) = sweep(&fx, &rules, "s.db", &hook);
    assert_eq!(code, 1, "{err}");
    assert_eq!(paths(&report).len(), 2);
    assert!(err.contains("stay unnotified"), "{err}");
    assert!(
        !err.contains("hook-secret"),
        "the webhook URL's secret part: {err}"
    );
    let tries = take();
    assert_eq!(tries.len(), 3, "bounded retries");
    let both: BTreeSet<String> = ["a.env", "b.env"].iter().map(|s| s.to_string()).collect();
    for body in &tries {
        assert_eq!(posted_paths(body), both);
        assert!(!body.contains(&acme_token(11)), "no secret in a notice");
    }

    // Next run (nothing changed, the findings are now `present`): the notice is delivered.
    failing.store(false, Ordering::SeqCst);
    let (_, report, _) = sweep(&fx, &rules, "s.db", &hook);
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["status"] == "present")
    );
    let sent = take();
    assert_eq!(sent.len(), 1);
    assert_eq!(posted_paths(&sent[0]), both);

    // Then nothing more, until a new key arrives: only it is sent.
    sweep(&fx, &rules, "s.db", &hook);
    assert!(take().is_empty(), "nothing is notified twice");
    commit_as(&repo, "c.env", &format!("K={}\n", acme_token(13)), who, 3);
    sweep(&fx, &rules, "s.db", &hook);
    let sent = take();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        posted_paths(&sent[0]),
        BTreeSet::from(["c.env".to_string()])
    );
}
