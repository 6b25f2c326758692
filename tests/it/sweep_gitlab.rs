//! `keytrace sweep --gitlab-group` against a mock GitLab REST API on loopback: a group listed
//! over three pages (`Link`, then `X-Next-Page` alone), subgroups included, archived projects
//! and forks filtered, a 429 with `Retry-After` waited out, and a 401 reported as one line
//! with exit 2. The same server serves the projects' `http_url_to_repo` from local bare
//! repositories over git's dumb HTTP protocol, so the clone really goes through the URL the
//! API gave and the test sees the credentials git sent.

use super::common::{Fixture, acme_rules, acme_token, findings, git_in};
use base64::Engine;
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const TOKEN: &str = "glpat-mockTokenForTests01";

/// (request target, Authorization header) of each request the mock received.
type RequestLog = Arc<Mutex<Vec<(String, String)>>>;

/// A repository with one commit holding an Acme key, then a bare copy of it under
/// `served/<project>.git` ready for dumb HTTP.
fn bare_project(fx: &Fixture, served: &Path, project: &str, n: u32) {
    let work = fx.path().join("work").join(project.replace('/', "_"));
    std::fs::create_dir_all(&work).unwrap();
    let (who, mail, date) = ("Alice", "alice@example.com", "2024-02-01T12:00:00Z");
    git_in(&work, &["init", "-q", "-b", "main"], who, mail, date);
    std::fs::write(work.join("k.env"), format!("K={}\n", acme_token(n))).unwrap();
    git_in(&work, &["add", "-A"], who, mail, date);
    git_in(&work, &["commit", "-q", "-m", "add"], who, mail, date);
    let bare = served.join(format!("{project}.git"));
    std::fs::create_dir_all(bare.parent().unwrap()).unwrap();
    git_in(
        fx.path(),
        &[
            "clone",
            "-q",
            "--bare",
            &work.display().to_string(),
            &bare.display().to_string(),
        ],
        who,
        mail,
        date,
    );
    git_in(&bare, &["update-server-info"], who, mail, date);
}

fn project(base: &str, path: &str, archived: bool, fork: bool) -> Value {
    let mut p = json!({
        "id": path.len(),
        "path_with_namespace": path,
        "http_url_to_repo": format!("{base}/{path}.git"),
        "archived": archived,
    });
    if fork {
        p["forked_from_project"] = json!({"id": 1, "path_with_namespace": "upstream/lib"});
    }
    p
}

/// The mock's answer to one request: status line, extra headers, body.
fn answer(
    target: &str,
    base: &str,
    served: &Path,
    hits: &mut HashMap<String, usize>,
) -> (String, String, Vec<u8>) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let params: HashMap<&str, &str> = query.split('&').filter_map(|p| p.split_once('=')).collect();
    let json_ok =
        |v: Value, headers: String| ("200 OK".to_string(), headers, v.to_string().into_bytes());
    if path == "/api/v4/groups/acme/projects" {
        let n = hits.entry(target.to_string()).or_default();
        *n += 1;
        let subgroups = params.get("include_subgroups") == Some(&"true");
        let next = |page: u32| {
            format!(
                "Link: <{base}/api/v4/groups/acme/projects?{}&page={page}>; rel=\"next\"\r\nX-Next-Page: {page}\r\n",
                query
                    .split('&')
                    .filter(|p| !p.starts_with("page="))
                    .collect::<Vec<_>>()
                    .join("&")
            )
        };
        return match params.get("page").copied() {
            Some("1") => json_ok(
                json!([
                    project(base, "acme/api", false, false),
                    project(base, "acme/old", true, false),
                    project(base, "acme/forked", false, true),
                ]),
                next(2),
            ),
            // Page 2 is rate limited the first time it is asked for.
            Some("2") if *n == 1 => (
                "429 Too Many Requests".to_string(),
                "Retry-After: 1\r\nRateLimit-Remaining: 0\r\n".to_string(),
                br#"{"message":"Retry later"}"#.to_vec(),
            ),
            // Only X-Next-Page here: no Link header.
            Some("2") => json_ok(
                json!([project(base, "acme/web", false, false)]),
                "X-Next-Page: 3\r\n".to_string(),
            ),
            Some("3") if subgroups => json_ok(
                json!([project(base, "acme/platform/svc", false, false)]),
                "X-Next-Page: \r\n".to_string(),
            ),
            Some("3") => json_ok(json!([]), "X-Next-Page: \r\n".to_string()),
            _ => (
                "400 Bad Request".to_string(),
                String::new(),
                br#"{"error":"page"}"#.to_vec(),
            ),
        };
    }
    if path.starts_with("/api/v4/groups/") {
        return (
            "401 Unauthorized".to_string(),
            String::new(),
            br#"{"message":"401 Unauthorized"}"#.to_vec(),
        );
    }
    // git's dumb HTTP protocol: files of the bare repositories.
    let rel = path.trim_start_matches('/');
    let file = served.join(rel);
    match std::fs::read(&file) {
        Ok(bytes) if !rel.contains("..") && file.is_file() => {
            ("200 OK".to_string(), String::new(), bytes)
        }
        _ => ("404 Not Found".to_string(), String::new(), Vec::new()),
    }
}

fn serve_one(
    stream: TcpStream,
    base: &str,
    served: &Path,
    log: &RequestLog,
    hits: &Mutex<HashMap<String, usize>>,
) {
    let mut stream = stream;
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let target = line.split_whitespace().nth(1).unwrap_or("").to_string();
    let mut auth = String::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':')
            && k.eq_ignore_ascii_case("authorization")
        {
            auth = v.trim().to_string();
        }
    }
    log.lock().unwrap().push((target.clone(), auth));
    let (status, headers, body) = answer(&target, base, served, &mut hits.lock().unwrap());
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\n{headers}Connection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(&body);
}

/// The mock GitLab on loopback (one thread per connection: git fetches in parallel).
fn mock_gitlab(served: PathBuf) -> (String, RequestLog) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let log: RequestLog = Arc::new(Mutex::new(Vec::new()));
    let hits = Arc::new(Mutex::new(HashMap::new()));
    let (b, l) = (base.clone(), Arc::clone(&log));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let (b, served, l, hits) =
                (b.clone(), served.clone(), Arc::clone(&l), Arc::clone(&hits));
            std::thread::spawn(move || serve_one(stream, &b, &served, &l, &hits));
        }
    });
    (base, log)
}

fn sweep(fx: &Fixture, api: &str, group: &str, extra: &[&str]) -> (i32, String, String) {
    let rules = acme_rules(fx);
    let state = fx.path().join("st/state.db").display().to_string();
    let mut args = vec![
        "sweep",
        "--gitlab-group",
        group,
        "--api-url",
        api,
        "--state",
        &state,
        "--rules",
        &rules,
        "--format",
        "json",
        "--no-progress",
    ];
    args.extend(extra);
    let out = super::common::keytrace()
        .args(&args)
        .current_dir(fx.path())
        .env("GITLAB_TOKEN", TOKEN)
        .env_remove("GITHUB_TOKEN")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `group/…/project` of every repository in the report (identity without host and port).
fn projects(report: &Value) -> BTreeSet<String> {
    report["sweep"]["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let id = r["identity"].as_str().unwrap();
            id.split_once('/').unwrap().1.to_string()
        })
        .collect()
}

#[test]
fn gitlab_group_is_listed_over_pages_with_subgroups_and_a_rate_limit_then_cloned_with_the_token() {
    let fx = Fixture::new();
    let served = fx.path().join("served");
    for (i, p) in [
        "acme/api",
        "acme/old",
        "acme/forked",
        "acme/web",
        "acme/platform/svc",
    ]
    .iter()
    .enumerate()
    {
        bare_project(&fx, &served, p, 20 + i as u32);
    }
    let (base, log) = mock_gitlab(served);
    let api = format!("{base}/api/v4");

    let (code, out, err) = sweep(&fx, &api, "acme", &[]);
    assert_eq!(code, 1, "findings fail the run: {err}");
    let report: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    assert_eq!(
        projects(&report),
        ["acme/api", "acme/web", "acme/platform/svc"]
            .map(String::from)
            .into(),
        "archived and forked projects are skipped; the subgroup's project is swept"
    );
    for r in report["sweep"]["repositories"].as_array().unwrap() {
        assert_eq!(r["outcome"], "scanned", "{r}");
    }
    let found: BTreeSet<String> = findings(&report)
        .iter()
        .map(|f| {
            f["repository"]
                .as_str()
                .unwrap()
                .split_once('/')
                .unwrap()
                .1
                .to_string()
        })
        .collect();
    assert_eq!(
        found,
        ["acme/api", "acme/web", "acme/platform/svc"]
            .map(String::from)
            .into()
    );
    assert!(
        err.contains("GitLab API rate limit reached; waiting 1 s"),
        "{err}"
    );
    assert!(
        !out.contains(TOKEN) && !err.contains(TOKEN),
        "the token is never printed"
    );

    let requests = log.lock().unwrap().clone();
    let api_calls: Vec<&(String, String)> = requests
        .iter()
        .filter(|(t, _)| t.starts_with("/api/"))
        .collect();
    let pages: Vec<String> = api_calls
        .iter()
        .map(|(t, _)| t.rsplit('&').next().unwrap().to_string())
        .collect();
    assert_eq!(
        pages,
        ["page=1", "page=2", "page=2", "page=3"],
        "{api_calls:?}"
    );
    assert!(
        api_calls[0]
            .0
            .starts_with("/api/v4/groups/acme/projects?include_subgroups=true&"),
        "{}",
        api_calls[0].0
    );
    for (target, auth) in &api_calls {
        assert_eq!(auth, &format!("Bearer {TOKEN}"), "{target}");
    }
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("oauth2:{TOKEN}"))
    );
    let git_calls: Vec<&(String, String)> = requests
        .iter()
        .filter(|(t, _)| !t.starts_with("/api/"))
        .collect();
    for p in [
        "/acme/api.git/",
        "/acme/web.git/",
        "/acme/platform/svc.git/",
    ] {
        assert!(
            git_calls
                .iter()
                .any(|(t, _)| t.starts_with(&format!("{p}info/refs"))),
            "{p} cloned from http_url_to_repo: {git_calls:?}"
        );
    }
    assert!(
        !git_calls
            .iter()
            .any(|(t, _)| t.starts_with("/acme/old.git") || t.starts_with("/acme/forked.git")),
        "{git_calls:?}"
    );
    for (target, auth) in &git_calls {
        assert_eq!(auth, &basic, "git sends the token as a header: {target}");
    }

    // With archived projects and forks asked for, the two skipped ones join.
    let (_, out, err) = sweep(
        &fx,
        &api,
        "acme",
        &["--include-archived", "--include-forks"],
    );
    let all: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    assert_eq!(
        projects(&all),
        [
            "acme/api",
            "acme/old",
            "acme/forked",
            "acme/web",
            "acme/platform/svc"
        ]
        .map(String::from)
        .into()
    );
}

#[test]
fn a_rejected_token_is_one_clear_line_and_exit_2() {
    let fx = Fixture::new();
    let (base, log) = mock_gitlab(fx.path().join("served"));
    let (code, out, err) = sweep(&fx, &format!("{base}/api/v4"), "denied/team", &[]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "{out}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("keytrace: error: GitLab API ")
            && err.contains("/api/v4/groups/denied%2Fteam/projects?")
            && err.contains("HTTP 401: 401 Unauthorized")
            && err.contains("GITLAB_TOKEN"),
        "{err}"
    );
    assert!(!err.contains(TOKEN));
    assert_eq!(log.lock().unwrap().len(), 1, "a 401 is not retried");
}
