//! Hostile input for the generic detector and the config-store scans (issue 13): bytes that
//! crashed the lexer, command lines that hung it, clear text in MCP `tool` properties and parse
//! notes, and config-store value look-ups that were quadratic.

use super::common::{Fixture, acme_rules, acme_token, findings, keytrace, run, run_json};
use std::time::{Duration, Instant};

/// Scan `input` from standard input with a deadline; the exit code (`None` when killed).
fn scan_stdin(input: &[u8], secs: u64) -> Option<i32> {
    let out = keytrace()
        .args(["scan", "-"])
        .write_stdin(input.to_vec())
        .timeout(Duration::from_secs(secs))
        .output()
        .expect("keytrace runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("internal error"), "{stderr}");
    out.status.code()
}

#[test]
fn regression_generic_lexer_survives_invalid_utf8_after_a_sibling_key() {
    // `name:` makes `PASS` a sibling name; its `val` key was searched in a lossy copy of the
    // line whose offsets, applied to the raw bytes, ran past the end.
    let fx = Fixture::new();
    fx.write("a.txt", b"name:PASS\xd0\xd0val");
    fx.write(
        "b.sql",
        b"CREATE USER x IDENTIFIED \xd0\xd0\xd0 BY 'Xy9zQ8wLp2'",
    );
    let (code, _, stderr) = run(&["scan", "."], fx.path());
    assert!(code <= 1, "exit {code}: {stderr}");
    assert!(!stderr.contains("internal error"), "{stderr}");
}

#[test]
fn regression_command_line_splitter_ends_on_cr_and_form_feed() {
    for input in [
        &b"docker a\rb\n"[..],
        b"curl -s x\rcurl y\r",
        b"mysql \x0c",
        b"mysql \x0b-pXy9zQ8wL\r\n",
    ] {
        let code = scan_stdin(input, 60);
        assert!(
            matches!(code, Some(0 | 1)),
            "{:?}: exit {code:?} (killed at the deadline when None)",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn long_lines_of_credential_names_finish() {
    // Shapes that made the detector quadratic; small here (a debug build, where placing each
    // finding on a long line still costs a pass over the line), timed by hand in release
    // (examples/shapes_bench.rs).
    for unit in [
        "password=",
        "password=x ",
        "\"api_key\": \"",
        "docker login -p ",
        "name=\"password\" ",
    ] {
        let input = unit.repeat((64 << 10) / unit.len());
        let start = Instant::now();
        let code = scan_stdin(input.as_bytes(), 120);
        assert!(matches!(code, Some(0 | 1)), "{unit:?}: exit {code:?}");
        eprintln!("{unit:?}: {:?}", start.elapsed());
    }
}

/// Every output format of a redacted scan of `dir`, stdout and stderr together.
fn all_outputs(dir: &std::path::Path, rules: &str) -> String {
    let mut all = String::new();
    for format in ["json", "sarif", "human", "jsonl"] {
        let (code, stdout, stderr) = run(&["scan", ".", "--rules", rules, "--format", format], dir);
        assert!(code <= 1, "{format}: exit {code}: {stderr}");
        all.push_str(&stdout);
        all.push_str(&stderr);
    }
    all
}

#[test]
fn regression_mcp_tool_property_names_the_program_not_its_arguments() {
    let (in_args, in_url, in_command) = (acme_token(71), acme_token(72), acme_token(73));
    let fx = Fixture::new();
    let json = format!(
        r#"{{
  "mcpServers": {{
    "gh": {{
      "command": "/usr/local/bin/npx",
      "args": ["-y", "@acme/server", "--api-key", "{in_args}"],
      "env": {{ "ACME_KEY": "{}" }}
    }},
    "remote": {{ "url": "https://mcp.acme.test/sse?key={in_url}", "headers": {{ "X-Api-Key": "{}" }} }},
    "inline": {{ "command": "ACME_KEY={in_command} acme-mcp --stdio", "env": {{ "A_TOKEN": "{}" }} }}
  }}
}}"#,
        acme_token(74),
        acme_token(75),
        acme_token(76),
    );
    fx.write(".cursor/mcp.json", &json);
    let rules = acme_rules(&fx);
    let (code, report) = run_json(&["scan", ".", "--rules", &rules], fx.path());
    assert_eq!(code, 1);
    let mut tools: Vec<String> = findings(&report)
        .iter()
        .filter_map(|f| f["tool"].as_str().map(str::to_string))
        .collect();
    tools.sort();
    tools.dedup();
    assert_eq!(
        tools,
        [
            "mcp:gh (npx)",
            "mcp:inline (acme-mcp)",
            "mcp:remote (remote)"
        ]
    );
    let out = all_outputs(fx.path(), &rules);
    for token in [&in_args, &in_url, &in_command] {
        assert!(!out.contains(token.as_str()), "{token} shown in clear");
        // Not even its random part.
        assert!(!out.contains(&token[5..]), "{token} shown in clear");
    }
}

#[test]
fn regression_parse_error_notes_carry_no_source_text() {
    let token = acme_token(81);
    let fx = Fixture::new();
    // Line 3 does not parse (an unquoted value); the old note quoted it, token and all.
    fx.write(
        ".codex/config.toml",
        format!("model = \"o4\"\n[mcp_servers.acme]\ntoken = {token} trailing\n"),
    );
    let rules = acme_rules(&fx);
    let (code, report) = run_json(&["scan", ".", "--rules", &rules], fx.path());
    assert_eq!(code, 1, "the plain-text fallback still finds the token");
    let notes = report["coverage"]["notes"].to_string();
    assert!(notes.contains("config.toml"), "{notes}");
    assert!(notes.contains("line 3"), "{notes}");
    let out = all_outputs(fx.path(), &rules);
    assert!(!out.contains(&token[5..]), "token shown in clear:\n{out}");
}

/// A `terraform.tfstate` of `resources` resources whose attributes hold escaped JSON policies,
/// numbers and repeated values, with an Acme token in every `every`th resource. Returns the
/// text and (token, 1-based line) of each token.
fn tfstate(resources: usize, every: usize) -> (String, Vec<(String, usize)>) {
    let mut text = String::from("{\n  \"version\": 4,\n  \"resources\": [\n");
    let mut planted = Vec::new();
    for i in 0..resources {
        let secret = (i % every == 0).then(|| acme_token(1000 + i as u32));
        text.push_str(&format!(
            "    {{\n      \"mode\": \"managed\",\n      \"type\": \"aws_iam_policy\",\n      \
             \"name\": \"p{i}\",\n      \"instances\": [\n        {{\n          \
             \"attributes\": {{\n            \"id\": \"arn:aws:iam::123456789012:policy/p{i}\",\n            \
             \"policy\": \"{{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{{\\\"Effect\\\":\\\"Allow\\\",\\\"Resource\\\":\\\"arn:aws:s3:::b{i}/*\\\"}}]}}\",\n            \
             \"tags\": {{ \"team\": \"platform\", \"n\": {i} }},\n"
        ));
        if let Some(s) = &secret {
            let line = text.matches('\n').count() + 1;
            text.push_str(&format!("            \"api_token\": \"{s}\",\n"));
            planted.push((s.clone(), line));
        }
        text.push_str("            \"path\": \"/\"\n          }\n        }\n      ]\n    }");
        text.push_str(if i + 1 < resources { ",\n" } else { "\n" });
    }
    text.push_str("  ]\n}\n");
    (text, planted)
}

#[test]
fn tfstate_values_are_found_at_their_lines() {
    let (text, planted) = tfstate(300, 37);
    let fx = Fixture::new();
    fx.write("infra/terraform.tfstate", &text);
    let rules = acme_rules(&fx);
    let (code, report) = run_json(&["scan", ".", "--rules", &rules, "--no-redact"], fx.path());
    assert_eq!(code, 1);
    let mut got: Vec<(String, usize, String)> = findings(&report)
        .iter()
        .filter(|f| f["rule_id"] == "acme-api-key")
        .map(|f| {
            (
                f["secret"].as_str().unwrap().to_string(),
                f["location"]["start_line"].as_u64().unwrap() as usize,
                f["config_key"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    got.sort();
    let mut want: Vec<(String, usize, String)> = planted
        .iter()
        .enumerate()
        .map(|(k, (s, line))| {
            let i = k * 37;
            (
                s.clone(),
                *line,
                format!("resources[{i}].instances[0].attributes.api_token"),
            )
        })
        .collect();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn a_two_megabyte_tfstate_is_scanned_in_linear_time() {
    let (text, planted) = tfstate(4800, 500);
    assert!(text.len() > 2 << 20, "{} bytes", text.len());
    let fx = Fixture::new();
    fx.write("terraform.tfstate", &text);
    let rules = acme_rules(&fx);
    let start = Instant::now();
    let out = keytrace()
        .args(["scan", ".", "--rules", &rules, "--format", "json"])
        .current_dir(fx.path())
        .timeout(Duration::from_secs(120))
        .output()
        .expect("keytrace runs");
    assert_eq!(out.status.code(), Some(1), "killed at the deadline?");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let keyed = findings(&report)
        .iter()
        .filter(|f| {
            f["config_key"]
                .as_str()
                .is_some_and(|k| k.ends_with("api_token"))
        })
        .count();
    assert_eq!(keyed, planted.len());
    eprintln!("2 MB tfstate: {:?}", start.elapsed());
}
