//! Issue 13, reports under hostile input: control characters in names never reach the terminal
//! raw, the HTML report escapes every value, redaction reveals nothing of short secrets and
//! little of long ones in every format, and `--no-redact` files are private to their owner.

use super::common::{Fixture, git_in, run};
use serde_json::Value;
use std::collections::BTreeSet;

/// The first example of rule `id` in the embedded rule file `rules/<file>.toml`.
fn rule_example(file: &str, id: &str) -> String {
    let path = format!("{}/rules/{file}.toml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let rules = keytrace::rules::parse_rule_file(&path, &text).unwrap();
    let rule = rules.iter().find(|r| r.id == id).expect("rule exists");
    rule.examples[0].clone()
}

const PASSWORD: &str = "Zq8#mLv2";

/// A tree with several kinds of secret: an OpenAI key, a GitHub token, an RSA private key and
/// an 8-character password.
fn secrets_tree() -> Fixture {
    let fx = Fixture::new();
    fx.write(
        "app/.env",
        format!(
            "{}\n{}\n",
            rule_example("openai", "openai-project-api-key"),
            rule_example("github", "github-classic-pat"),
        ),
    );
    fx.write(
        "keys/id_rsa",
        rule_example("private-key", "private-key-rsa"),
    );
    fx.write("db.ini", format!("[db]\npassword={PASSWORD}\n"));
    // An MCP server whose command line holds its token: the finding's `tool` quotes it.
    let oauth = rule_example("github", "github-oauth-token");
    let oauth = oauth.split_once('=').unwrap().1;
    fx.write(
        ".mcp.json",
        format!(r#"{{"mcpServers": {{"gh": {{"command": "npx", "args": ["gh-mcp", "--token", "{oauth}"]}}}}}}"#),
    );
    fx
}

/// The clear-text secrets of a scan by `secret_sha256`, learnt from a `--no-redact` JSON report.
fn clear_secrets(fx: &Fixture) -> Vec<(String, String)> {
    let (code, out, err) = run(&["scan", ".", "--format", "json", "--no-redact"], fx.path());
    assert_eq!(code, 1, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["secret_sha256"].as_str().unwrap().to_string(),
                f["secret"]
                    .as_str()
                    .expect("--no-redact shows it")
                    .to_string(),
            )
        })
        .collect()
}

/// Pieces of a secret that no redacted output may hold: the secret, and every line of it
/// longer than 12 characters that is not a PEM armour line.
fn pieces(secret: &str) -> Vec<&str> {
    let mut out = vec![secret];
    out.extend(
        secret
            .lines()
            .map(str::trim)
            .filter(|l| l.chars().count() > 12 && !l.starts_with("-----")),
    );
    out
}

fn assert_no_secret(what: &str, text: &str, secrets: &[(String, String)]) {
    for (sha, secret) in secrets {
        for piece in pieces(secret) {
            assert!(
                !text.contains(piece),
                "{what} leaks secret {sha} ({piece:?})"
            );
        }
    }
}

/// The shown form of every finding of a JSON report shows at most a quarter of its secret
/// and at most 12 characters; the 8-character password shows none of its characters.
fn assert_redacted_forms(what: &str, report: &Value, secrets: &[(String, String)]) {
    let found: Vec<&Value> = report["findings"].as_array().unwrap().iter().collect();
    for f in found {
        let rule = f["rule_id"].as_str().unwrap();
        let redacted = f["redacted"].as_str().unwrap();
        let shown = redacted.replace('…', "");
        let (_, secret) = secrets
            .iter()
            .find(|(sha, _)| f["secret_sha256"] == sha.as_str())
            .unwrap_or_else(|| panic!("{what}: unknown finding {rule}"));
        if secret.starts_with("-----BEGIN ") {
            assert!(redacted.starts_with("-----BEGIN "), "{what}: {redacted}");
            assert!(!redacted.contains('\n'), "{what}: {redacted}");
            continue;
        }
        let n = secret.chars().count();
        assert!(
            shown.chars().count() <= n / 4,
            "{what}: {rule} shows {redacted}"
        );
        assert!(
            shown.chars().count() <= 12,
            "{what}: {rule} shows {redacted}"
        );
        if secret == PASSWORD {
            assert!(
                !shown.chars().any(|c| PASSWORD.contains(c)),
                "{what}: the password shows {redacted}"
            );
        }
    }
}

#[test]
fn no_format_reveals_a_secret_and_short_passwords_show_nothing() {
    let fx = secrets_tree();
    let secrets = clear_secrets(&fx);
    let (_, out, _) = run(&["scan", ".", "--format", "json"], fx.path());
    let report: Value = serde_json::from_str(&out).unwrap();
    let rules: BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    for want in [
        "openai-project-api-key",
        "github-classic-pat",
        "github-oauth-token",
        "private-key-rsa",
        "generic-password",
    ] {
        assert!(rules.contains(want), "{want} not found: {rules:?}");
    }
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["tool"].as_str().is_some_and(|t| t.starts_with("mcp:gh"))),
        "the MCP finding names its tool"
    );
    assert_redacted_forms("json", &report, &secrets);
    assert!(
        secrets.iter().any(|(_, s)| s == PASSWORD),
        "the password is found: {secrets:?}"
    );

    for format in ["human", "json", "jsonl", "sarif"] {
        let (code, out, err) = run(&["scan", ".", "--format", format], fx.path());
        assert_eq!(code, 1, "{err}");
        assert_no_secret(format, &out, &secrets);
        assert_no_secret(&format!("{format} stderr"), &err, &secrets);
        let file = format!("out.{format}");
        let (_, _, err) = run(&["scan", ".", "--format", format, "-o", &file], fx.path());
        let written = std::fs::read_to_string(fx.path().join(&file)).unwrap();
        std::fs::remove_file(fx.path().join(&file)).unwrap();
        assert_no_secret(&file, &written, &secrets);
        assert_no_secret(&format!("{file} stderr"), &err, &secrets);
    }
    let (_, out, _) = run(&["scan", ".", "--color", "never"], fx.path());
    let line = out
        .lines()
        .find(|l| l.contains("generic-password"))
        .unwrap_or_else(|| panic!("no password line in {out}"));
    let shown = line.rsplit("  ").next().unwrap();
    assert!(
        !shown.chars().any(|c| PASSWORD.contains(c)),
        "human shows {shown}"
    );
}

#[test]
fn merged_and_html_reports_are_redacted_even_from_no_redact_shards() {
    let fx = secrets_tree();
    let secrets = clear_secrets(&fx);
    let shards = Fixture::new();
    let json = shards.path().join("shard.json");
    let sarif = shards.path().join("shard.sarif");
    for (format, file) in [("json", &json), ("sarif", &sarif)] {
        let file = file.to_str().unwrap();
        let (code, _, err) = run(
            &["scan", ".", "--no-redact", "--format", format, "-o", file],
            fx.path(),
        );
        assert_eq!(code, 1, "{err}");
    }
    for shard in [&json, &sarif] {
        let shard = shard.to_str().unwrap();
        for format in ["human", "json", "jsonl", "sarif"] {
            let (_, out, err) = run(
                &["merge", shard, "--format", format, "--html", "m.html"],
                shards.path(),
            );
            let what = format!("merge {shard} --format {format}");
            assert_no_secret(&what, &out, &secrets);
            assert_no_secret(&what, &err, &secrets);
            let html = std::fs::read_to_string(shards.path().join("m.html")).unwrap();
            assert_no_secret(&format!("{what} --html"), &html, &secrets);
            if format == "json" {
                assert_redacted_forms(&what, &serde_json::from_str(&out).unwrap(), &secrets);
            }
        }
    }
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn no_redact_report_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let fx = secrets_tree();
    let out = Fixture::new();
    let at = |name: &str| out.path().join(name);
    let arg = |name: &str| at(name).to_str().unwrap().to_string();

    let (code, _, err) = run(
        &[
            "scan",
            ".",
            "--no-redact",
            "--format",
            "json",
            "-o",
            &arg("clear.json"),
        ],
        fx.path(),
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(mode(&at("clear.json")), 0o600);

    // An existing, world-readable file is narrowed before the secrets go in.
    std::fs::write(at("old.json"), "old").unwrap();
    std::fs::set_permissions(at("old.json"), std::fs::Permissions::from_mode(0o644)).unwrap();
    run(
        &["scan", ".", "--no-redact", "-o", &arg("old.json")],
        fx.path(),
    );
    assert_eq!(mode(&at("old.json")), 0o600);
    assert!(
        std::fs::read_to_string(at("old.json"))
            .unwrap()
            .contains(PASSWORD)
    );

    // Redacted reports keep the ordinary, umask-based mode.
    std::fs::write(at("reference"), "").unwrap();
    run(
        &["scan", ".", "--format", "json", "-o", &arg("redacted.json")],
        fx.path(),
    );
    assert_eq!(mode(&at("redacted.json")), mode(&at("reference")));
}

/// The bytes of an ESC, so the sources hold no raw control characters.
const ESC: char = '\u{1b}';

#[test]
fn control_characters_in_file_names_and_keys_are_escaped() {
    let fx = Fixture::new();
    let github = rule_example("github", "github-classic-pat");
    let name = format!("a{ESC}[31mred\nb.env");
    fx.write(&name, format!("{github}\n"));
    fx.write(
        ".env",
        format!(
            "{ESC}[2JKEY_{ESC}]0;pwn\u{7}TOKEN={}\n",
            rule_example("openai", "openai-project-api-key")
                .split_once('=')
                .unwrap()
                .1
                .trim_matches('"')
        ),
    );
    let (code, out, err) = run(&["scan", ".", "--color", "never"], fx.path());
    assert_eq!(code, 1, "{err}");
    assert!(!out.contains(ESC), "raw ESC in the human report:\n{out}");
    assert!(!out.contains('\u{7}') && !out.contains('\r'));
    assert!(out.contains("a\\x1b[31mred\\nb.env"), "{out}");
    assert!(out.contains("\\x1b[2JKEY_\\x1b]0;pwn\\x07TOKEN"), "{out}");
    assert!(
        !out.lines().any(|l| l.starts_with("b.env")),
        "the newline in the name broke the line:\n{out}"
    );

    // With colour, the only escape sequences are the report's own styling.
    let (_, out, _) = run(&["scan", ".", "--color", "always"], fx.path());
    assert!(!out.contains(&format!("{ESC}[31mred")), "{out}");
    assert!(!out.contains(&format!("{ESC}[2J")) && !out.contains(&format!("{ESC}]0;")));

    // The one-line summary on standard error stays one line.
    let (_, _, err) = run(
        &["scan", ".", "--format", "json", "-o", "r.json"],
        fx.path(),
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!err.contains(ESC));
}

#[test]
fn author_and_owner_names_from_git_are_escaped() {
    let fx = Fixture::new();
    fx.write(
        "a.env",
        format!("{}\n", rule_example("github", "github-classic-pat")),
    );
    fx.git(&["init", "-q", "."]);
    fx.git(&["add", "a.env"]);
    let name = format!("Mal{ESC}[2Jlory");
    let email = format!("m{ESC}]0;pwn\u{7}@example.com");
    git_in(
        fx.path(),
        &["commit", "-qm", "add"],
        &name,
        &email,
        "2024-01-01T00:00:00Z",
    );
    let (code, out, err) = run(&["scan", ".", "--color", "never"], fx.path());
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("Mal\\x1b[2Jlory"), "{out}");
    assert!(out.contains("m\\x1b]0;pwn\\x07@example.com"), "{out}");
    assert!(!out.contains(ESC) && !out.contains('\u{7}'), "{out}");

    // `report owners` rebuilds the owners table from a saved report: escaped too.
    run(
        &["scan", ".", "--format", "json", "-o", "r.json"],
        fx.path(),
    );
    let (_, out, _) = run(&["report", "owners", "r.json"], fx.path());
    assert!(out.contains("m\\x1b]0;pwn\\x07@example.com"), "{out}");
    assert!(!out.contains(ESC), "{out}");
}

#[test]
fn html_report_escapes_markup_in_file_names_and_keys() {
    let fx = Fixture::new();
    let openai = rule_example("openai", "openai-project-api-key");
    let secret = openai.split_once('=').unwrap().1.trim_matches('"');
    fx.write(
        "<img src=x onerror=alert(1)>/.env",
        format!("<script>API_KEY={secret}\n"),
    );
    let (code, _, err) = run(
        &["scan", ".", "--format", "json", "-o", "r.json"],
        fx.path(),
    );
    assert_eq!(code, 1, "{err}");
    let (_, _, err) = run(
        &["merge", "r.json", "--html", "r.html", "-o", "m.txt"],
        fx.path(),
    );
    let html =
        std::fs::read_to_string(fx.path().join("r.html")).unwrap_or_else(|_| panic!("{err}"));
    assert_eq!(
        html.matches("<script").count(),
        1,
        "only the report's own script: {html}"
    );
    assert!(html.contains("<script>\n(function () {"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;/.env"),
        "the file name is shown, escaped"
    );
    assert!(
        html.contains("&lt;script&gt;API_KEY"),
        "the key name is shown, escaped"
    );
}
