//! Issue 13, hostile input at the edges the scanner owns: targets that are not regular files,
//! files swapped for FIFOs, UTF-16 text, non-UTF-8 names, absurd flags and one-line errors.

use super::common::{Fixture, findings, keytrace, run, run_json};
use std::time::Duration;

/// An OpenAI project key that the embedded rule reports.
fn openai_key() -> String {
    format!(
        "sk-proj-{}T3BlbkFJ{}",
        "Ab3kQ9vLx2RmT7pWz4Nc8sYhJ1fG5dKe0uVbXq6tLr2Mw9f", "Zq8Lm2Xc7Vb4Nn1Kd5Rt9Yw3Hg6J"
    )
}

/// Exactly one line on stderr, naming `what`, and exit 2.
fn assert_one_line_error(code: i32, stderr: &str, what: &str) {
    assert_eq!(code, 2, "stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "not one line: {stderr:?}");
    assert!(stderr.starts_with("keytrace: error: "), "{stderr}");
    assert!(stderr.contains(what), "{stderr} should name {what}");
}

#[cfg(unix)]
fn mkfifo(path: &std::path::Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs")
        .success();
    assert!(ok, "mkfifo failed");
}

#[cfg(unix)]
#[test]
fn special_targets_are_errors_never_an_empty_clean_scan() {
    let fx = Fixture::new();
    mkfifo(&fx.path().join("pipe"));
    std::os::unix::fs::symlink("nowhere", fx.path().join("dangling")).unwrap();
    for (target, why) in [
        ("pipe", "FIFO"),
        ("dangling", "broken symbolic link"),
        ("/dev/zero", "character device"),
        ("/proc/self", "virtual file system"),
        ("missing.txt", "no such file"),
    ] {
        let out = keytrace()
            .args(["scan", target])
            .current_dir(fx.path())
            .timeout(Duration::from_secs(20))
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_one_line_error(out.status.code().unwrap_or(-1), &stderr, why);
        assert!(stderr.contains(target), "{stderr} should name {target}");
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_inside_a_tree_is_skipped_and_counted_and_the_scan_goes_on() {
    let fx = Fixture::new();
    fx.write("app/.env", format!("OPENAI_API_KEY={}\n", openai_key()));
    mkfifo(&fx.path().join("app/pipe"));
    let out = keytrace()
        .args(["scan", ".", "-f", "json"])
        .current_dir(fx.path())
        .timeout(Duration::from_secs(20))
        .output()
        .expect("runs");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(report["coverage"]["skipped"]["special-file"], 1);
    assert_eq!(findings(&report).len(), 1);
}

#[cfg(unix)]
#[test]
fn a_file_swapped_for_a_fifo_after_listing_is_refused_without_blocking() {
    let fx = Fixture::new();
    mkfifo(&fx.path().join("pipe"));
    let read =
        keytrace::source::fs::read_bounded(&fx.path().join("pipe"), 1 << 20).expect_err("fifo");
    assert_eq!(read, keytrace::source::fs::ReadRefusal::Special);
    std::os::unix::fs::symlink("pipe", fx.path().join("link")).unwrap();
    let read = keytrace::source::fs::read_bounded(&fx.path().join("link"), 1 << 20);
    assert_eq!(read, Err(keytrace::source::fs::ReadRefusal::Symlink));
    fx.write("big", vec![b'a'; 2048]);
    let read = keytrace::source::fs::read_bounded(&fx.path().join("big"), 1024);
    assert_eq!(read, Err(keytrace::source::fs::ReadRefusal::TooLarge));
}

#[cfg(unix)]
#[test]
fn a_symlink_named_as_the_target_is_followed_and_shown_by_its_name() {
    let fx = Fixture::new();
    fx.write("real/.env", format!("OPENAI_API_KEY={}\n", openai_key()));
    std::os::unix::fs::symlink("real/.env", fx.path().join("linked.env")).unwrap();
    let (code, report) = run_json(&["scan", "linked.env"], fx.path());
    assert_eq!(code, 1);
    let found = findings(&report);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["location"]["path"], "linked.env");
}

#[test]
fn standard_input_is_read_at_most_to_the_size_limit() {
    let out = keytrace()
        .args(["scan", "-", "--max-file-size", "1K"])
        .write_stdin(vec![b'x'; 4096])
        .timeout(Duration::from_secs(20))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_one_line_error(out.status.code().unwrap_or(-1), &stderr, "--max-file-size");
}

#[test]
fn utf16_text_files_are_decoded_and_located_like_the_original() {
    let fx = Fixture::new();
    let text = format!("# settings\r\nOPENAI_API_KEY={}\r\n", openai_key());
    for (name, bom) in [("with-bom.env", true), ("no-bom.env", false)] {
        let mut bytes: Vec<u8> = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        fx.write(name, bytes);
    }
    let (code, report) = run_json(&["scan", "."], fx.path());
    assert_eq!(code, 1);
    let found = findings(&report);
    assert_eq!(found.len(), 2, "{found:#?}");
    for f in &found {
        assert_eq!(f["rule_id"], "openai-project-api-key");
        assert_eq!(f["location"]["start_line"], 2);
        assert_eq!(f["location"]["start_column"], "OPENAI_API_KEY=".len() + 1);
    }
    assert_eq!(report["coverage"]["utf16_decoded"], 2);
}

/// A UTF-16 byte-order mark in front of ASCII text (a stray BOM, or one put there to hide a
/// key) must not make keytrace read the file as UTF-16 only: decoded, the ASCII pairs are CJK
/// characters and the key vanished. The bytes are matched as they are too.
#[test]
fn a_utf16_byte_order_mark_before_ascii_hides_no_key() {
    let fx = Fixture::new();
    for (name, bom) in [("le.env", [0xFF, 0xFE]), ("be.env", [0xFE, 0xFF])] {
        let mut bytes = bom.to_vec();
        bytes.extend(format!("# odd\rOPENAI_API_KEY={}\n", openai_key()).bytes());
        fx.write(name, bytes);
    }
    let (code, report) = run_json(&["scan", "."], fx.path());
    assert_eq!(code, 1, "{report}");
    let found = findings(&report);
    let mut paths: Vec<&str> = found
        .iter()
        .filter(|f| f["rule_id"] == "openai-project-api-key")
        .map(|f| f["location"]["path"].as_str().unwrap())
        .collect();
    paths.sort();
    assert_eq!(paths, ["be.env", "le.env"], "{found:#?}");
}

#[cfg(unix)]
#[test]
fn names_that_differ_only_in_invalid_bytes_keep_their_own_findings() {
    use std::os::unix::ffi::OsStrExt;
    let fx = Fixture::new();
    let body = format!("OPENAI_API_KEY={}\n", openai_key());
    for raw in [&b"a\xd0.env"[..], &b"a\xd1.env"[..]] {
        let name = std::ffi::OsStr::from_bytes(raw);
        std::fs::write(fx.path().join(name), &body).unwrap();
    }
    let (code, report) = run_json(&["scan", "."], fx.path());
    assert_eq!(code, 1);
    let mut paths: Vec<String> = findings(&report)
        .iter()
        .map(|f| f["location"]["path"].as_str().unwrap().to_string())
        .collect();
    paths.sort();
    assert_eq!(paths, ["a\\xd0.env", "a\\xd1.env"]);
}

#[test]
fn absurd_thread_counts_and_unknown_flags_are_one_line_errors() {
    let fx = Fixture::new();
    let (code, _, stderr) = run(&["scan", ".", "-j", "99999999999"], fx.path());
    assert_one_line_error(code, &stderr, "--threads");
    let (code, _, stderr) = run(&["scan", ".", "--no-such-flag"], fx.path());
    assert_one_line_error(code, &stderr, "--no-such-flag");
    // The largest accepted request starts no more workers than the machine can use.
    fx.write("a.txt", "nothing here\n");
    let (code, _, stderr) = run(&["scan", "a.txt", "-j", "1024"], fx.path());
    assert_eq!(code, 0, "{stderr}");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    assert_eq!(keytrace::pipeline::effective_threads(1024), cores * 4);
}

#[test]
fn many_findings_on_one_long_line_have_increasing_exact_columns() {
    let fx = Fixture::new();
    let key = openai_key();
    let unit = format!("é {key} ");
    let line = unit.repeat(2000);
    fx.write("min.js", &line);
    let (code, report) = run_json(&["scan", "min.js"], fx.path());
    assert_eq!(code, 1);
    // One secret, one finding per location: columns step by the unit's UTF-16 length.
    let found = findings(&report);
    let step = unit.encode_utf16().count() as u64;
    let mut columns: Vec<u64> = found
        .iter()
        .map(|f| f["location"]["start_column"].as_u64().unwrap())
        .collect();
    columns.sort();
    assert_eq!(columns.len(), 2000);
    for (i, c) in columns.iter().enumerate() {
        assert_eq!(*c, 3 + i as u64 * step);
    }
}

#[test]
fn a_blob_past_the_generic_candidate_limit_is_reported_and_counted() {
    let fx = Fixture::new();
    let limit = keytrace::generic::MAX_CANDIDATES;
    let body: String = (0..limit + 50)
        .map(|i| format!("SERVICE_{i}_PASSWORD=Zq8{i:06}Lm2Xc7Vb4Nn\n"))
        .collect();
    fx.write("dump.env", body);
    let (code, report) = run_json(&["scan", "dump.env"], fx.path());
    assert_eq!(code, 1);
    assert_eq!(report["coverage"]["skipped"]["generic-limit"], 1);
    assert_eq!(findings(&report).len(), limit);
}

#[test]
fn a_store_file_over_the_structured_limit_is_scanned_as_plain_text() {
    let fx = Fixture::new();
    let filler = "x".repeat(keytrace::source::config_stores::MAX_STRUCTURED_BYTES);
    fx.write(
        "terraform.tfstate",
        format!(
            "{{\"version\":4,\"pad\":\"{filler}\",\"outputs\":{{\"k\":{{\"value\":\"{}\"}}}}}}\n",
            openai_key()
        ),
    );
    let (code, report) = run_json(&["scan", "terraform.tfstate"], fx.path());
    assert_eq!(code, 1);
    assert_eq!(report["coverage"]["skipped"]["parse-fallback"], 1);
    let found = findings(&report);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["rule_id"], "openai-project-api-key");
}

#[test]
fn a_blob_of_nothing_but_keywords_is_capped_and_counted() {
    let fx = Fixture::new();
    let hits = keytrace::matcher::MAX_GENERIC_HITS;
    fx.write("soup.txt", "password= ".repeat(hits + 10));
    let (_, report) = run_json(&["scan", "soup.txt", "--max-file-size", "1G"], fx.path());
    assert_eq!(report["coverage"]["skipped"]["generic-limit"], 1);
}
