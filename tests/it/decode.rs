//! Secrets through encodings (issue 17): each encoding is decoded by the real binary, and the
//! reported path, line and column point at the encoded text in the original file.

use super::common::{Fixture, findings, github_token, run_json};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::Value;

/// A GitHub classic token with a valid checksum, different for each `n`.
fn token(n: u8) -> String {
    let body: String = (0..30)
        .map(|i: u32| {
            let alphabet = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
            let x = (i + 7)
                .wrapping_mul(2_654_435_761)
                .rotate_left(u32::from(n) + 3)
                ^ u32::from(n);
            alphabet[(x % alphabet.len() as u32) as usize] as char
        })
        .collect();
    github_token("ghp_", &body)
}

/// A random-looking RSA private key body (PKCS#1 prefix, xorshift bytes), 64-column lines.
fn pem_lines(seed: u64) -> Vec<String> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut der = vec![
        0x30, 0x82, 0x04, 0xa4, 0x02, 0x01, 0x00, 0x02, 0x82, 0x01, 0x01, 0x00,
    ];
    der.extend((0..700).map(|_| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 24) as u8
    }));
    let body = STANDARD.encode(der);
    let mut lines = vec!["-----BEGIN RSA PRIVATE KEY-----".to_string()];
    lines.extend(
        body.as_bytes()
            .chunks(64)
            .map(|c| String::from_utf8(c.to_vec()).unwrap()),
    );
    lines.push("-----END RSA PRIVATE KEY-----".to_string());
    lines
}

fn scan(fx: &Fixture) -> Value {
    let (code, report) = run_json(&["scan", ".", "--no-redact"], fx.path());
    assert!(code <= 1, "exit {code}: {report}");
    report
}

/// 1-based (line, column) of byte `offset` in ASCII `text`.
fn position(text: &str, offset: usize) -> (u64, u64) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = offset - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line as u64, column as u64)
}

/// (start line, start column, end line, end column) of the first `needle` in `text`.
fn span_of(text: &str, needle: &str) -> (u64, u64, u64, u64) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in text"));
    let (l0, c0) = position(text, at);
    let (l1, c1) = position(text, at + needle.len());
    (l0, c0, l1, c1)
}

fn location(f: &Value) -> (u64, u64, u64, u64) {
    let l = &f["location"];
    let n = |k: &str| l[k].as_u64().unwrap();
    (
        n("start_line"),
        n("start_column"),
        n("end_line"),
        n("end_column"),
    )
}

fn decoded(f: &Value) -> Vec<String> {
    f["decoded"]
        .as_array()
        .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

/// The findings of `rule` in `path`.
fn of_rule(report: &Value, rule: &str, path: &str) -> Vec<Value> {
    findings(report)
        .into_iter()
        .filter(|f| f["rule_id"] == rule && f["location"]["path"] == path)
        .collect()
}

/// The single finding of `rule` in a one-file fixture, which must be at `needle` exactly and
/// carry the decoding chain `chain`.
fn assert_one_at(rel: &str, text: &str, rule: &str, needle: &str, chain: &[&str]) -> Value {
    let fx = Fixture::new();
    fx.write(rel, text);
    let report = scan(&fx);
    let found = of_rule(&report, rule, rel);
    assert_eq!(found.len(), 1, "{rule} in {text}\n{report:#}");
    assert_eq!(location(&found[0]), span_of(text, needle), "{text}");
    assert_eq!(decoded(&found[0]), chain);
    found[0].clone()
}

#[test]
fn base64_in_a_ci_variable_is_reported_at_the_encoded_value() {
    let tok = token(1);
    let encoded = STANDARD.encode(&tok);
    let text = format!("variables:\n  DEPLOY_TOKEN_B64: \"{encoded}\"\n");
    let f = assert_one_at(
        "ci/vars.yml",
        &text,
        "github-classic-pat",
        &encoded,
        &["base64"],
    );
    assert_eq!(f["secret"], tok);
}

#[test]
fn base64_data_uri_and_kubernetes_style_env_payload() {
    let tok = token(2);
    let encoded = STANDARD.encode(format!("GITHUB_TOKEN={tok}\nLOG_LEVEL=debug\n"));
    let text = format!("<a href=\"data:text/plain;base64,{encoded}\">env</a>\n");
    let fx = Fixture::new();
    fx.write("page.html", &text);
    let report = scan(&fx);
    let found = of_rule(&report, "github-classic-pat", "page.html");
    assert_eq!(found.len(), 1, "{report:#}");
    // Inside a longer payload the location is the part of the run that encodes the token.
    let (line, start, end_line, end) = location(&found[0]);
    let (_, run_start, _, run_end) = span_of(&text, &encoded);
    assert_eq!((line, end_line), (1, 1));
    assert!(
        start > run_start && end < run_end,
        "{start}..{end} in {run_start}..{run_end}"
    );
    assert_eq!(decoded(&found[0]), ["base64"]);
}

#[test]
fn base64url_is_recognised_by_its_alphabet() {
    let tok = token(3);
    // Pad the text until its base64url form uses `-` or `_`.
    let (plain, encoded) = (0..64)
        .map(|n| {
            let plain = format!("{}{tok}", "?".repeat(n));
            let encoded = URL_SAFE_NO_PAD.encode(&plain);
            (plain, encoded)
        })
        .find(|(_, e)| e.contains('-') || e.contains('_'))
        .unwrap();
    assert!(plain.ends_with(&tok));
    let text = format!("callback?state={encoded}&x=1\n");
    let fx = Fixture::new();
    fx.write("notes/url.txt", &text);
    let report = scan(&fx);
    let found = of_rule(&report, "github-classic-pat", "notes/url.txt");
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(decoded(&found[0]), ["base64url"]);
    let (_, start, _, end) = location(&found[0]);
    let (_, run_start, _, run_end) = span_of(&text, &encoded);
    assert!(start >= run_start && end <= run_end);
}

#[test]
fn base64_inside_base64_lists_both_decodings() {
    let inner = STANDARD.encode(format!("token: {}", token(4)));
    let outer = STANDARD.encode(format!("config={inner}"));
    let text = format!("blob: {outer}\n");
    let fx = Fixture::new();
    fx.write("dump.txt", &text);
    let report = scan(&fx);
    let found = of_rule(&report, "github-classic-pat", "dump.txt");
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(decoded(&found[0]), ["base64", "base64"]);
    let (_, start, _, end) = location(&found[0]);
    let (_, run_start, _, run_end) = span_of(&text, &outer);
    assert!(start >= run_start && end <= run_end, "{start}..{end}");
}

#[test]
fn percent_encoding_in_a_url_and_a_form_body() {
    let tok = token(5);
    let encoded = tok.replace('_', "%5F");
    let text = format!("POST /login\n\nuser=bob&token={encoded}&next=%2Fhome\n");
    assert_one_at(
        "req.http",
        &text,
        "github-classic-pat",
        &encoded,
        &["percent"],
    );
}

#[test]
fn html_entities() {
    let tok = token(6);
    let encoded = tok.replace('_', "&#95;");
    let text = format!("<meta name=\"token\" content=\"{encoded}\">\n");
    assert_one_at(
        "index.html",
        &text,
        "github-classic-pat",
        &encoded,
        &["html-entity"],
    );
}

#[test]
fn json_unicode_and_c_hex_escapes() {
    let tok = token(7);
    let json = tok.replace('_', "\\u005f");
    let text = format!("{{\n  \"token\": \"{json}\"\n}}\n");
    assert_one_at(
        "settings.json",
        &text,
        "github-classic-pat",
        &json,
        &["string-escape"],
    );
    let c = tok.replace('_', "\\x5f");
    let text = format!("static const char *T = \"{c}\";\n");
    assert_one_at(
        "src/t.c",
        &text,
        "github-classic-pat",
        &c,
        &["string-escape"],
    );
}

#[test]
fn a_newline_escape_running_into_a_key_is_undone() {
    let tok = token(8);
    let text = format!("{{\"env\": \"A=1\\n{tok}\\nB=2\"}}\n");
    // As written, `n` before the key leaves no word boundary: only the decoded text matches.
    assert_one_at(
        "job.json",
        &text,
        "github-classic-pat",
        &tok,
        &["string-escape"],
    );
}

#[test]
fn concatenated_literals_across_lines_point_from_first_to_last_piece() {
    let tok = token(9);
    let (a, b) = tok.split_at(14);
    let java = format!("class C {{\n  String t = \"{a}\" +\n      \"{b}\";\n}}\n");
    let f = assert_one_at(
        "C.java",
        &java,
        "github-classic-pat",
        &format!("{a}\" +\n      \"{b}"),
        &["concatenation"],
    );
    assert_eq!(f["secret"], tok);
    let python = format!("TOKEN = (\n    \"{a}\"\n    \"{b}\"\n)\n");
    assert_one_at(
        "t.py",
        &python,
        "github-classic-pat",
        &format!("{a}\"\n    \"{b}"),
        &["concatenation"],
    );
    let c = format!("#define T \"{a}\" \"{b}\"\n");
    assert_one_at(
        "t.h",
        &c,
        "github-classic-pat",
        &format!("{a}\" \"{b}"),
        &["concatenation"],
    );
}

#[test]
fn quoted_printable_soft_breaks_in_a_mail() {
    let tok = token(10);
    let (a, b) = tok.split_at(20);
    let encoded = format!("{}=\n{b}", a.replace('_', "=5F"));
    let text = format!(
        "Subject: creds\nContent-Transfer-Encoding: quoted-printable\n\nhere it is: {encoded}\nbye\n"
    );
    assert_one_at(
        "mail.eml",
        &text,
        "github-classic-pat",
        &encoded,
        &["quoted-printable"],
    );
}

#[test]
fn a_secret_found_as_written_and_decoded_is_reported_once() {
    let tok = token(11);
    // The raw line has the key; the `\u` escape makes the line a decoding candidate too.
    let text = format!("{{\"a\": \"x\\u002dy\", \"token\": \"{tok}\"}}\n");
    let fx = Fixture::new();
    fx.write("both.json", &text);
    let report = scan(&fx);
    let found = of_rule(&report, "github-classic-pat", "both.json");
    assert_eq!(found.len(), 1, "{report:#}");
    assert!(decoded(&found[0]).is_empty(), "kept as written");
    assert_eq!(location(&found[0]), span_of(&text, &tok));
}

#[test]
fn decoded_is_a_sarif_result_property() {
    let fx = Fixture::new();
    fx.write("vars.txt", format!("T={}\n", STANDARD.encode(token(12))));
    let (_, stdout, _) = super::common::run(&["scan", ".", "--format", "sarif"], fx.path());
    let sarif: Value = serde_json::from_str(&stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "github-classic-pat");
    assert_eq!(
        result["properties"]["decoded"],
        serde_json::json!(["base64"])
    );
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 1);
    assert_eq!(region["startColumn"], 3);
}

// PEM private keys in every shape.

fn whole_confidence(report: &Value) -> String {
    key_finding(report, "keys/whole.pem")["confidence"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The single private-key finding of `rel` in `report`.
fn key_finding(report: &Value, rel: &str) -> Value {
    let found: Vec<Value> = findings(report)
        .into_iter()
        .filter(|f| f["category"] == "private-key" && f["location"]["path"] == rel)
        .collect();
    assert_eq!(found.len(), 1, "{rel}: {report:#}");
    found[0].clone()
}

#[test]
fn one_pem_key_in_every_shape_is_found_once_each_with_one_digest() {
    let lines = pem_lines(1);
    let fx = Fixture::new();
    let file = lines.join("\n") + "\n";
    fx.write("k/plain.pem", &file);
    let escaped = format!("{{\"private_key\": \"{}\\n\"}}\n", lines.join("\\n"));
    fx.write("k/escaped.json", &escaped);
    let commented = lines.iter().map(|l| format!("# {l}\n")).collect::<String>();
    fx.write("k/commented.sh", format!("#!/bin/sh\n{commented}echo hi\n"));
    let logged = lines
        .iter()
        .enumerate()
        .map(|(i, l)| format!("2024-05-01T12:00:{:02}Z app[web.1]: {l}\n", i % 60))
        .collect::<String>();
    fx.write("k/app.log", &logged);
    let quoted = lines
        .iter()
        .map(|l| format!("    \"{l}\\n\""))
        .collect::<Vec<_>>()
        .join(" +\n");
    fx.write(
        "k/Key.java",
        format!("class Key {{\n  static String K =\n{quoted};\n}}\n"),
    );
    let wrapped = STANDARD.encode(&file);
    fx.write("k/tls.txt", format!("TLS_KEY_B64={wrapped}\n"));
    let report = scan(&fx);

    let cases = [
        ("k/plain.pem", vec![]),
        ("k/escaped.json", vec![]),
        ("k/commented.sh", vec!["line-prefix"]),
        ("k/app.log", vec!["line-prefix"]),
        ("k/Key.java", vec!["concatenation"]),
        ("k/tls.txt", vec!["base64"]),
    ];
    let mut digests = Vec::new();
    for (rel, chain) in cases {
        let f = key_finding(&report, rel);
        assert_eq!(f["rule_id"], "private-key-rsa", "{rel}");
        assert_eq!(decoded(&f), chain, "{rel}");
        digests.push(f["secret_sha256"].as_str().unwrap().to_string());
    }
    assert!(digests.windows(2).all(|w| w[0] == w[1]), "{digests:?}");

    // Locations: the BEGIN line to the END line of each file's own text.
    let f = key_finding(&report, "k/commented.sh");
    let (l0, c0, l1, _) = location(&f);
    assert_eq!((l0, c0), (2, 3), "after the `# ` marker");
    assert_eq!(l1, 1 + lines.len() as u64);
    let f = key_finding(&report, "k/Key.java");
    let (l0, c0, l1, _) = location(&f);
    assert_eq!((l0, c0), (3, 6));
    assert_eq!(l1, 2 + lines.len() as u64);
    let f = key_finding(&report, "k/tls.txt");
    let (_, c0, _, c1) = location(&f);
    // The key is all of the payload but its final line break: the whole run, to the group.
    let run_end = 13 + wrapped.len();
    assert_eq!(c0, 13);
    assert!(
        (run_end - 4..=run_end).contains(&(c1 as usize)),
        "{c1} vs {run_end}"
    );
}

#[test]
fn a_key_cut_off_is_reported_at_lower_confidence_and_a_whole_one_is_not() {
    let lines = pem_lines(2);
    let fx = Fixture::new();
    fx.write(
        "logs/boot.log",
        format!(
            "loading\n{}\n{}\n{}\n[message truncated]\n",
            lines[0], lines[1], lines[2]
        ),
    );
    fx.write("keys/whole.pem", lines.join("\n") + "\n");
    let report = scan(&fx);
    let cut = key_finding(&report, "logs/boot.log");
    assert_eq!(cut["rule_id"], "private-key-truncated");
    assert_eq!(cut["confidence"], "medium");
    assert_eq!(whole_confidence(&report), "high");
    assert_eq!(location(&cut).0, 2);
    let whole = key_finding(&report, "keys/whole.pem");
    assert_eq!(whole["rule_id"], "private-key-rsa");
}

#[test]
fn a_kubernetes_secret_key_is_one_finding_whether_parsed_or_matched_as_text() {
    let lines = pem_lines(3);
    let block = lines
        .iter()
        .map(|l| format!("    {l}\n"))
        .collect::<String>();
    let manifest = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: tls\ntype: kubernetes.io/tls\nstringData:\n  tls.key: |\n{block}"
    );
    let encoded = STANDARD.encode(lines.join("\n") + "\n");
    let data = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: tls2\ntype: kubernetes.io/tls\ndata:\n  tls.key: {encoded}\n"
    );
    let fx = Fixture::new();
    fx.write("deploy/tls.yaml", &manifest);
    fx.write("deploy/tls-data.yaml", &data);
    fx.write("keys/tls.key", lines.join("\n") + "\n");
    let report = scan(&fx);
    let text = key_finding(&report, "deploy/tls.yaml");
    assert_eq!(location(&text).0, 8, "the BEGIN line of the block");
    assert_eq!(text["config_key"], "stringData.tls.key");
    let data_key = key_finding(&report, "deploy/tls-data.yaml");
    assert_eq!(location(&data_key).0, 7);
    let plain = key_finding(&report, "keys/tls.key");
    assert_eq!(text["secret_sha256"], plain["secret_sha256"]);
    assert_eq!(data_key["secret_sha256"], plain["secret_sha256"]);
}

#[test]
fn decoding_limits_are_counted_and_the_scan_goes_on() {
    // More candidate spans than one blob's budget: the rest is counted, the scan finishes.
    let line = STANDARD.encode("user=svc role=reader region=eu-west-1");
    let many = format!("{line}\n").repeat(5000);
    let deep = STANDARD.encode(STANDARD.encode(STANDARD.encode(format!("t={}", token(13)))));
    let fx = Fixture::new();
    fx.write("many.txt", &many);
    fx.write("deep.txt", format!("x: {deep}\n"));
    let report = scan(&fx);
    let skipped = &report["coverage"]["skipped"];
    assert!(
        skipped["decode-budget"].as_u64().unwrap_or(0) > 0,
        "{skipped}"
    );
    assert_eq!(
        skipped["decode-depth"].as_u64().unwrap_or(0),
        1,
        "{skipped}"
    );
}
