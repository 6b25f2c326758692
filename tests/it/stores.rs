//! Config stores: structural scans of agent and credential config files (fixtures), the
//! `--config-stores` home scan, and live etcd.

use super::common::{Fixture, acme_rules, acme_token, findings, run, run_json};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

/// A random-looking value that no provider rule matches (for `config-store-named-secret`).
const RANDOM: &str = "Zq8vK3mT9xLp2RwN7bYcQ4";

/// (rule_id, config_key, store, start_line) of every finding, sorted.
fn summary(report: &Value) -> Vec<(String, String, String, u64)> {
    let mut out: Vec<_> = findings(report)
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or_default().to_string(),
                f["config_key"].as_str().unwrap_or_default().to_string(),
                f["store"].as_str().unwrap_or_default().to_string(),
                f["location"]["start_line"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    out.sort();
    out
}

fn row(rule: &str, key: &str, store: &str, line: u64) -> (String, String, String, u64) {
    (rule.into(), key.into(), store.into(), line)
}

/// Scan a fixture holding one file and return its report.
fn scan_one(rel: &str, contents: &str) -> Value {
    let fx = Fixture::new();
    fx.write(rel, contents);
    let rules = acme_rules(&fx);
    let (code, report) = run_json(&["scan", ".", "--rules", &rules, "--no-redact"], fx.path());
    assert!(code <= 1, "exit {code}");
    report
}

#[test]
fn mcp_config_reports_key_path_and_tool() {
    let key = acme_token(1);
    let json = format!(
        r#"{{
  "mcpServers": {{
    "github": {{
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github"],
      "env": {{
        "ACME_KEY": "{key}",
        "GITHUB_TOKEN": "{RANDOM}",
        "OTHER_TOKEN": "${{GITHUB_PAT}}"
      }}
    }},
    "remote": {{ "url": "https://mcp.example.net/sse", "headers": {{ "X-Api-Key": "op://vault/mcp/key" }} }}
  }}
}}"#
    );
    let report = scan_one(".cursor/mcp.json", &json);
    assert_eq!(
        summary(&report),
        vec![
            row(
                "acme-api-key",
                "mcpServers.github.env.ACME_KEY",
                "cursor-mcp",
                7
            ),
            row(
                "generic-token",
                "mcpServers.github.env.GITHUB_TOKEN",
                "cursor-mcp",
                8
            ),
        ]
    );
    let f = findings(&report);
    assert_eq!(f[0]["tool"], "mcp:github (npx)");
    assert_eq!(f[0]["secret"], key.as_str());
    assert_eq!(f[0]["location"]["start_column"], 22);
    assert_eq!(report["references"]["env-var"], 1);
    assert_eq!(report["references"]["1password"], 1);
}

#[test]
fn dotenv_values_are_scanned_by_key() {
    let key = acme_token(2);
    let env = format!(
        "# local\nACME_KEY={key}\nSTRIPE_SECRET=\"{RANDOM}\"\nPORT=8080\nDB_PASSWORD=changeme\n"
    );
    let report = scan_one("app/.env.local", &env);
    assert_eq!(
        summary(&report),
        vec![
            row("acme-api-key", "ACME_KEY", "dotenv", 2),
            row("generic-secret", "STRIPE_SECRET", "dotenv", 3),
        ]
    );
}

#[test]
fn docker_auth_is_decoded_to_its_password() {
    let auth = STANDARD.encode(format!("bob:{RANDOM}"));
    let json = format!(
        "{{\n  \"auths\": {{\n    \"registry.example.io\": {{ \"auth\": \"{auth}\" }}\n  }}\n}}\n"
    );
    let report = scan_one("home/.docker/config.json", &json);
    assert_eq!(
        summary(&report),
        vec![row(
            "config-store-named-secret",
            "auths.registry.example.io.auth",
            "docker-config",
            3
        )]
    );
    assert_eq!(findings(&report)[0]["secret"], RANDOM);
    assert_eq!(
        findings(&report)[0]["identity"]["username"],
        "bob",
        "the account the password opens"
    );
}

#[test]
fn kubeconfig_token_key_data_and_exec_env() {
    let pem = format!(
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA{RANDOM}\n-----END RSA PRIVATE KEY-----\n"
    );
    let yaml = format!(
        "apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    token: {RANDOM}\n\
         - name: dev\n  user:\n    client-key-data: {}\n\
         - name: exec\n  user:\n    exec:\n      command: aws\n      env:\n      - name: ACME_KEY\n        value: {}\n",
        STANDARD.encode(pem),
        acme_token(3)
    );
    let report = scan_one(".kube/config", &yaml);
    assert_eq!(
        summary(&report),
        vec![
            row(
                "acme-api-key",
                "users[2].user.exec.env[0].value",
                "kubeconfig",
                16
            ),
            row(
                "config-store-named-secret",
                "users[1].user.client-key-data",
                "kubeconfig",
                9
            ),
            row("generic-token", "users[0].user.token", "kubeconfig", 6),
        ]
    );
}

#[test]
fn kubernetes_secret_data_is_decoded_and_refs_are_counted() {
    let yaml = [
        "apiVersion: v1",
        "kind: Secret",
        "metadata:",
        "  name: app",
        "data:",
        &format!("  api-key: {}", STANDARD.encode(acme_token(4))),
        &format!("  user: {}", STANDARD.encode("admin")),
        "---",
        "apiVersion: apps/v1",
        "kind: Deployment",
        "spec:",
        "  template:",
        "    spec:",
        "      containers:",
        "      - name: app",
        "        env:",
        "        - name: DB_PASSWORD",
        "          valueFrom:",
        "            secretKeyRef: {name: db, key: pw}",
        "        - name: SERVICE_TOKEN",
        &format!("          value: {RANDOM}"),
    ]
    .join("\n");
    let report = scan_one("deploy/app.yaml", &yaml);
    assert_eq!(
        summary(&report),
        vec![
            row(
                "acme-api-key",
                "[0].data.api-key",
                "kubernetes-secret-manifest",
                6
            ),
            row(
                "generic-token",
                "[1].spec.template.spec.containers[0].env[1].value",
                "kubernetes-manifest",
                21
            ),
        ]
    );
    assert_eq!(report["references"]["kubernetes-secret-ref"], 1);
}

#[test]
fn yaml_that_is_not_kubernetes_is_plain_text() {
    let report = scan_one("conf/app.yaml", &format!("key: {}\n", acme_token(5)));
    let f = findings(&report);
    assert_eq!(f.len(), 1);
    assert!(f[0].get("config_key").is_none());
}

#[test]
fn notebook_cells_and_outputs() {
    let nb = serde_json::json!({
        "cells": [
            {"cell_type": "markdown", "source": ["# title\n"]},
            {"cell_type": "code", "source": ["import acme\n", format!("acme.key = '{}'\n", acme_token(6))],
             "outputs": [
                {"output_type": "stream", "text": [format!("using {}\n", acme_token(7))]},
                {"output_type": "display_data", "data": {"image/png": format!("iVBOR{}", acme_token(8))}}
             ]}
        ]
    });
    let report = scan_one(
        "nb/analysis.ipynb",
        &serde_json::to_string_pretty(&nb).unwrap(),
    );
    let keys: Vec<String> = summary(&report).into_iter().map(|r| r.1).collect();
    assert_eq!(keys, vec!["cells[1].outputs[0].text", "cells[1].source"]);
    assert!(summary(&report).iter().all(|r| r.2 == "jupyter-notebook"));
}

#[test]
fn npmrc_git_credentials_and_aws_credentials() {
    let report = scan_one(
        ".npmrc",
        &format!(
            "registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken={RANDOM}\n"
        ),
    );
    assert_eq!(
        summary(&report),
        vec![row(
            "generic-token",
            "//registry.npmjs.org/:_authToken",
            "npmrc",
            2
        )]
    );
    let report = scan_one(
        ".git-credentials",
        &format!("https://bob:{}@github.com\n", acme_token(9)),
    );
    assert_eq!(
        summary(&report),
        vec![row(
            "acme-api-key",
            "github.com.password",
            "git-credentials",
            1
        )]
    );
    let report = scan_one(
        ".aws/credentials",
        &format!(
            "[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = {RANDOM}/x+Yz\n"
        ),
    );
    assert_eq!(
        summary(&report),
        vec![row(
            "generic-secret",
            "default.aws_secret_access_key",
            "aws-credentials",
            3
        )]
    );
}

#[test]
fn malformed_store_falls_back_to_plain_text_and_is_counted() {
    let report = scan_one(".mcp.json", &format!("{{\"k\": \"{}\"", acme_token(10)));
    let f = findings(&report);
    assert_eq!(f.len(), 1);
    assert!(f[0].get("config_key").is_none());
    assert_eq!(report["coverage"]["skipped"]["parse-fallback"], 1);
}

#[test]
fn sarif_carries_the_named_secret_descriptor() {
    let fx = Fixture::new();
    let auth = STANDARD.encode(format!("bob:{RANDOM}"));
    fx.write(
        ".docker/config.json",
        format!(r#"{{"auths": {{"r.io": {{"auth": "{auth}"}}}}}}"#),
    );
    let rules = acme_rules(&fx);
    let (_, out, _) = run(
        &["scan", ".", "--rules", &rules, "--format", "sarif"],
        fx.path(),
    );
    let sarif: Value = serde_json::from_str(&out).unwrap();
    let driver_rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(
        driver_rules
            .iter()
            .any(|r| r["id"] == "config-store-named-secret"),
        "{driver_rules:?}"
    );
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "config-store-named-secret");
    assert_eq!(result["properties"]["config_key"], "auths.r.io.auth");
    assert_eq!(result["properties"]["store"], "docker-config");
}

#[test]
fn config_stores_scan_a_fake_home() {
    let home = Fixture::new();
    let openai_like = acme_token(11);
    home.write(
        ".config/Claude/claude_desktop_config.json",
        format!(
            r#"{{"mcpServers": {{"acme": {{"command": "uvx", "args": ["acme-mcp"], "env": {{"ACME_API_KEY": "{openai_like}"}}}}}}}}"#
        ),
    );
    let auth = STANDARD.encode(format!("ci-bot:{RANDOM}"));
    home.write(
        ".docker/config.json",
        format!(r#"{{"auths": {{"ghcr.io": {{"auth": "{auth}"}}}}}}"#),
    );
    home.write(
        ".kube/config",
        format!(
            "apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    token: {}\n",
            acme_token(12)
        ),
    );
    home.write("unrelated/.env", format!("KEY={}\n", acme_token(13)));
    let rules = acme_rules(&home);
    let cwd = Fixture::new();
    let home_arg = home.path().display().to_string();
    let (code, out, err) = run(
        &[
            "scan",
            "--config-stores",
            "--home",
            &home_arg,
            "--rules",
            &rules,
            "--format",
            "json",
        ],
        cwd.path(),
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(
            "keytrace: config stores found: ~/.config/Claude/claude_desktop_config.json \
             (claude-desktop), ~/.docker/config.json (docker-config), ~/.kube/config (kubeconfig)\n"
        ),
        "{err}"
    );
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["scan"]["kind"], "config-stores");
    let got: Vec<(String, String, String, String)> = {
        let mut v: Vec<_> = findings(&report)
            .iter()
            .map(|f| {
                (
                    f["location"]["path"].as_str().unwrap().to_string(),
                    f["config_key"].as_str().unwrap().to_string(),
                    f["store"].as_str().unwrap().to_string(),
                    f["source"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let exp = |p: &str, k: &str, s: &str| {
        (
            p.to_string(),
            k.to_string(),
            s.to_string(),
            "config-store".to_string(),
        )
    };
    assert_eq!(
        got,
        vec![
            exp(
                "~/.config/Claude/claude_desktop_config.json",
                "mcpServers.acme.env.ACME_API_KEY",
                "claude-desktop"
            ),
            exp(
                "~/.docker/config.json",
                "auths.ghcr.io.auth",
                "docker-config"
            ),
            exp("~/.kube/config", "users[0].user.token", "kubeconfig"),
        ]
    );
}

#[test]
fn config_stores_missing_home_is_an_error() {
    let fx = Fixture::new();
    let (code, _, err) = run(
        &[
            "scan",
            "--config-stores",
            "--home",
            "/nonexistent/keytrace-home",
        ],
        fx.path(),
    );
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/keytrace-home"), "{err}");
}

/// An etcd to test against: `KEYTRACE_TEST_ETCD` (CI), else one started here, else `None`.
struct Etcd {
    url: String,
    child: Option<std::process::Child>,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for Etcd {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn etcd() -> Option<Etcd> {
    if let Ok(url) = std::env::var("KEYTRACE_TEST_ETCD") {
        return Some(Etcd {
            url,
            child: None,
            _dir: None,
        });
    }
    start_etcd(None)
}

/// A private etcd on free loopback ports (for tests that change server settings, such as auth).
fn start_etcd(tls: Option<&std::path::Path>) -> Option<Etcd> {
    let found = std::process::Command::new("etcd")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but neither KEYTRACE_TEST_ETCD nor an etcd binary is available"
        );
        eprintln!("skipping the etcd test: no KEYTRACE_TEST_ETCD and no etcd binary on PATH");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let (client, peer) = (free_port(), free_port());
    let scheme = if tls.is_some() { "https" } else { "http" };
    let url = format!("{scheme}://127.0.0.1:{client}");
    let peer_url = format!("http://127.0.0.1:{peer}");
    let mut cmd = std::process::Command::new("etcd");
    if let Some(dir) = tls {
        cmd.arg("--cert-file").arg(dir.join("srv.pem"));
        cmd.arg("--key-file").arg(dir.join("srv.key"));
    }
    let child = cmd
        .args(["--name", "kt", "--data-dir"])
        .arg(dir.path().join("data"))
        .args([
            "--listen-client-urls",
            &url,
            "--advertise-client-urls",
            &url,
        ])
        .args(["--listen-peer-urls", &peer_url])
        .args(["--initial-advertise-peer-urls", &peer_url])
        .args(["--initial-cluster", &format!("kt={peer_url}")])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("etcd starts");
    let etcd = Etcd {
        url,
        child: Some(child),
        _dir: Some(dir),
    };
    let agent = match tls {
        Some(dir) => tls_agent(&dir.join("ca.pem")),
        None => ureq::Agent::new_with_defaults(),
    };
    let mut last = String::new();
    for _ in 0..100 {
        match agent.get(format!("{}/health", etcd.url)).call() {
            Ok(_) => return Some(etcd),
            Err(e) => last = e.to_string(),
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("etcd did not come up at {}: {last}", etcd.url);
}

fn etcd_post(base: &str, call: &str, body: Value) -> Value {
    let mut resp = ureq::post(format!("{base}{call}"))
        .send(body.to_string())
        .unwrap_or_else(|e| panic!("{call}: {e}"));
    let text = resp.body_mut().read_to_string().unwrap();
    assert_eq!(resp.status().as_u16(), 200, "{call}: {text}");
    serde_json::from_str(&text).unwrap()
}

fn etcd_put_bytes(base: &str, key: &str, value: &[u8]) {
    let body = serde_json::json!({"key": STANDARD.encode(key), "value": STANDARD.encode(value)});
    etcd_post(base, "/v3/kv/put", body);
}

fn etcd_put_many(base: &str, kvs: &[(String, String)]) {
    for chunk in kvs.chunks(100) {
        let ops: Vec<Value> = chunk
            .iter()
            .map(|(k, v)| {
                serde_json::json!({"request_put": {"key": STANDARD.encode(k), "value": STANDARD.encode(v)}})
            })
            .collect();
        etcd_post(base, "/v3/kv/txn", serde_json::json!({"success": ops}));
    }
}

#[test]
fn etcd_keys_are_scanned_with_exact_findings() {
    let Some(etcd) = etcd() else { return };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let p = format!("/keytrace-test-{}-{nanos}", std::process::id());
    let (key_a, key_b, outside) = (acme_token(20), acme_token(21), acme_token(22));
    let mut kvs = vec![
        (format!("{p}/app/acme"), key_a.clone()),
        (
            format!("{p}/app/.env"),
            format!("ACME_KEY={key_b}\nDB_URL=${{DATABASE_URL}}\n"),
        ),
        (
            format!("{p}/app/vault"),
            "token: vault:secret/data/app#token".to_string(),
        ),
        (
            format!("{p}/app/placeholder"),
            "acme_xxxxxxxxxxxxxxxxxxxxxxxx".to_string(),
        ),
        (format!("{p}x/outside"), outside),
    ];
    // A Kubernetes Secret as the API server stores it: protobuf behind the `k8s\0` magic.
    let key_c = acme_token(23);
    let proto = format!("k8s\0\n\x0c\n\x02v1\x12\x06Secret\x12\x22\n\x03api\x12\x1d{key_c}");
    etcd_put_bytes(
        &etcd.url,
        &format!("{p}/registry/secrets/default/app"),
        proto.as_bytes(),
    );
    // More keys than one page, so that pagination is exercised.
    kvs.extend((0..600).map(|i| (format!("{p}/filler/{i:04}"), format!("value {i}"))));
    etcd_put_many(&etcd.url, &kvs);

    let host = etcd.url.trim_start_matches("http://");
    let target = format!("etcd://{host}{p}/");
    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    let (code, report) = run_json(
        &["scan", &target, "--rules", &rules, "--no-redact"],
        fx.path(),
    );
    assert_eq!(code, 1, "{report}");
    assert_eq!(report["scan"]["kind"], "etcd");
    assert_eq!(report["coverage"]["blobs_scanned"], 605);
    let mut got: Vec<(String, String, String, String)> = findings(&report)
        .iter()
        .map(|f| {
            (
                f["location"]["path"].as_str().unwrap().to_string(),
                f["secret"].as_str().unwrap().to_string(),
                f["config_key"].as_str().unwrap_or_default().to_string(),
                f["source"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    let base = format!("etcd://{host}{p}");
    assert_eq!(
        got,
        vec![
            (
                format!("{base}/app/.env"),
                key_b,
                "ACME_KEY".into(),
                "etcd".into()
            ),
            (
                format!("{base}/app/acme"),
                key_a,
                String::new(),
                "etcd".into()
            ),
            (
                format!("{base}/registry/secrets/default/app"),
                key_c,
                String::new(),
                "etcd".into()
            ),
        ]
    );
    assert_eq!(report["references"]["env-var"], 1);
}

#[test]
fn unreachable_etcd_exits_2_naming_the_address() {
    let fx = Fixture::new();
    let port = free_port();
    let (code, _, err) = run(&["scan", &format!("etcd://127.0.0.1:{port}/x")], fx.path());
    assert_eq!(code, 2);
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
}

#[test]
fn etcd_with_auth_needs_and_uses_the_user() {
    let Some(etcd) = start_etcd(None) else { return };
    let key = acme_token(30);
    etcd_put_many(&etcd.url, &[("/svc/key".to_string(), key.clone())]);
    let u = &etcd.url;
    etcd_post(u, "/v3/auth/role/add", serde_json::json!({"name": "root"}));
    etcd_post(
        u,
        "/v3/auth/user/add",
        serde_json::json!({"name": "root", "password": "pw-123"}),
    );
    etcd_post(
        u,
        "/v3/auth/user/grant",
        serde_json::json!({"user": "root", "role": "root"}),
    );
    etcd_post(u, "/v3/auth/enable", serde_json::json!({}));

    let target = format!("etcd://{}/svc/", u.trim_start_matches("http://"));
    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    let (code, _, err) = run(&["scan", &target, "--rules", &rules], fx.path());
    assert_eq!(
        code, 2,
        "anonymous read of an auth-enabled etcd must fail: {err}"
    );
    assert!(err.contains(u.trim_start_matches("http://")), "{err}");
    let (code, report) = run_json(
        &[
            "scan",
            &target,
            "--rules",
            &rules,
            "--no-redact",
            "--etcd-user",
            "root",
            "--etcd-password",
            "pw-123",
        ],
        fx.path(),
    );
    assert_eq!(code, 1, "{report}");
    let secrets: Vec<Value> = findings(&report)
        .iter()
        .map(|f| f["secret"].clone())
        .collect();
    assert_eq!(secrets, vec![Value::from(key)]);
}

#[test]
fn codex_toml_and_compose_environment_lists() {
    let key = acme_token(40);
    let toml = format!(
        "model = \"o4\"\n\n[mcp_servers.acme]\ncommand = \"acme-mcp\"\nargs = [\"--stdio\"]\nenv = {{ ACME_KEY = \"{key}\" }}\n"
    );
    let report = scan_one(".codex/config.toml", &toml);
    assert_eq!(
        summary(&report),
        vec![row(
            "acme-api-key",
            "mcp_servers.acme.env.ACME_KEY",
            "codex-config",
            6
        )]
    );
    assert_eq!(findings(&report)[0]["tool"], "mcp:acme (acme-mcp)");

    let compose = format!(
        "services:\n  web:\n    image: web\n    environment:\n      - PORT=80\n      - ACME_KEY={}\n",
        acme_token(41)
    );
    let report = scan_one("docker-compose.prod.yml", &compose);
    assert_eq!(
        summary(&report),
        vec![row(
            "acme-api-key",
            "services.web.environment[1]",
            "docker-compose",
            6
        )]
    );
}

/// An HTTP client that trusts the CA in `ca` (PEM).
fn tls_agent(ca: &std::path::Path) -> ureq::Agent {
    let cert = ureq::tls::Certificate::from_pem(&std::fs::read(ca).unwrap()).unwrap();
    ureq::Agent::config_builder()
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::new_with_certs(&[cert]))
                .build(),
        )
        .build()
        .into()
}

/// A CA and a server certificate for 127.0.0.1 made with `openssl`, or `None` without it.
fn make_certs(dir: &std::path::Path) -> Option<()> {
    let ssl = |args: &[&str]| {
        std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    let ok = ssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=kt-ca",
    ]) && ssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "srv.key",
        "-out",
        "srv.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]) && ssl(&[
        "x509",
        "-req",
        "-in",
        "srv.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "srv.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
    ok.then_some(())
}

#[test]
fn etcds_uses_the_given_ca_and_rejects_an_unknown_issuer() {
    let certs = tempfile::tempdir().unwrap();
    if make_certs(certs.path()).is_none() {
        eprintln!("skipping the etcds test: openssl is not available");
        return;
    }
    let Some(etcd) = start_etcd(Some(certs.path())) else {
        return;
    };
    let host = etcd.url.trim_start_matches("https://").to_string();
    let key = acme_token(50);
    let ca = certs.path().join("ca.pem");
    let agent = tls_agent(&ca);
    let body =
        serde_json::json!({"key": STANDARD.encode("/tls/key"), "value": STANDARD.encode(&key)});
    agent
        .post(format!("{}/v3/kv/put", etcd.url))
        .send(body.to_string())
        .expect("put over TLS");

    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    let target = format!("etcds://{host}/tls/");
    let ca_arg = ca.display().to_string();
    let (code, report) = run_json(
        &[
            "scan",
            &target,
            "--rules",
            &rules,
            "--no-redact",
            "--etcd-ca",
            &ca_arg,
        ],
        fx.path(),
    );
    assert_eq!(code, 1, "{report}");
    let f = findings(&report);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["secret"], key.as_str());
    assert_eq!(f[0]["location"]["path"], format!("etcds://{host}/tls/key"));
    let (code, _, err) = run(&["scan", &target, "--rules", &rules], fx.path());
    assert_eq!(
        code, 2,
        "a server signed by an unknown CA must be refused: {err}"
    );
    assert!(err.contains(&host), "{err}");
}

#[test]
fn gcloud_legacy_credential_databases_are_read_without_being_touched() {
    let fx = Fixture::new();
    let home = fx.path().join("home");
    let dir = home.join(".config/gcloud");
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("credentials.db");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute(
            "CREATE TABLE credentials (account_id TEXT PRIMARY KEY, value BLOB)",
            [],
        )
        .unwrap();
        let value = format!(
            r#"{{"type": "authorized_user", "client_id": "x.apps", "refresh_token": "{}"}}"#,
            acme_token(40)
        );
        conn.execute(
            "INSERT INTO credentials VALUES (?1, ?2)",
            ("dev@example.com", value.as_bytes()),
        )
        .unwrap();
    }
    let before: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let modified = std::fs::metadata(&db).unwrap().modified().unwrap();
    let rules = acme_rules(&fx);
    let home_arg = home.display().to_string();
    let (code, report) = run_json(
        &[
            "scan",
            "--config-stores",
            "--home",
            &home_arg,
            "--rules",
            &rules,
        ],
        fx.path(),
    );
    assert_eq!(code, 1, "{report:#}");
    let found: Vec<Value> = findings(&report)
        .into_iter()
        .filter(|f| f["rule_id"] == "acme-api-key")
        .collect();
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(found[0]["config_key"], "credentials[dev@example.com].value");
    assert_eq!(found[0]["store"], "gcloud-credentials-db");
    assert_eq!(found[0]["source"], "config-store");
    let after: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        before, after,
        "no journal or WAL file appears next to the database"
    );
    assert_eq!(
        std::fs::metadata(&db).unwrap().modified().unwrap(),
        modified
    );
}
