//! Detector-level tests: descriptors' own examples, spans, suppression and overlap handling.
//! The broad table of syntaxes lives in tests/data/generic_cases.toml (tests/it/generic.rs).

use super::*;
use crate::generic::eval;

fn origin(path: &str) -> Origin {
    Origin {
        path: path.to_string(),
        ..Origin::default()
    }
}

fn secrets(text: &str, path: &str) -> Vec<(String, String)> {
    generic_findings(text.as_bytes(), &origin(path))
        .into_iter()
        .map(|f| (f.rule_id, f.secret.unwrap_or_default()))
        .collect()
}

#[test]
fn every_descriptor_example_behaves_through_the_detector() {
    for rule in descriptors() {
        for ex in &rule.examples {
            let got = secrets(ex, "config/app.conf");
            assert!(
                got.iter().any(|(id, _)| *id == rule.id),
                "{}: example {ex:?} gave {got:?}",
                rule.id
            );
        }
        for ex in &rule.negative_examples {
            let got = secrets(ex, "config/app.conf");
            assert!(got.is_empty(), "{}: negative {ex:?} gave {got:?}", rule.id);
        }
        assert_eq!(rule.category, "generic");
        crate::matcher::RuleSet::new(vec![rule.clone()], true)
            .expect("descriptor pattern compiles");
    }
}

#[test]
fn rule_ids_are_unique_and_kebab_case() {
    let all = descriptors();
    crate::rules::check_unique_ids(&all).unwrap();
    assert_eq!(all.len(), GenericRule::ALL.len());
    for r in &all {
        assert!(r.id.starts_with("generic-"));
        assert!(r.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
    }
}

#[test]
fn finding_points_at_the_value_and_carries_generic_properties() {
    let text = "# db\nDB_PASSWORD=\"Vq7xPz2kLm9!\"\n";
    let f = &generic_findings(text.as_bytes(), &origin("deploy/.env"))[0];
    assert_eq!(f.rule_id, "generic-password");
    assert_eq!(f.secret.as_deref(), Some("Vq7xPz2kLm9!"));
    assert_eq!((f.location.start_line, f.location.start_column), (2, 14));
    assert_eq!(f.location.end_column, 26);
    assert!(f.props.generic);
    assert_eq!(f.props.category, "generic");
    assert_eq!(f.props.provider, "generic");
    assert_eq!(f.props.secret_sha256, secret_sha256(b"Vq7xPz2kLm9!"));
    assert_eq!(
        f.fingerprint,
        location_fingerprint(
            "generic-password",
            &f.props.secret_sha256,
            "deploy/.env",
            ""
        )
    );
    assert!(f.props.suppressed_by.is_none());
}

#[test]
fn inline_allow_suppresses() {
    let text = "password = 'Vq7xPz2kLm9!'  # keytrace:allow\n";
    let f = &generic_findings(text.as_bytes(), &origin("app.py"))[0];
    assert_eq!(
        f.props.suppressed_by.as_deref(),
        Some("inline:keytrace:allow")
    );
}

#[test]
fn taken_spans_drop_overlapping_generic_findings() {
    let text = "api_key = 'Vq7xPz2kLm9Rt4Wn'\npassword = 'Zx8cVb7nM6qW'\n";
    let o = origin("app.py");
    assert_eq!(generic_findings(text.as_bytes(), &o).len(), 2);
    let start = text.find("Vq7").unwrap();
    let taken: Vec<Range<usize>> = std::iter::once(start..start + 4).collect();
    let left = generic_findings_at(text.as_bytes(), &o, &keyword_hits(text.as_bytes()), &taken).0;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].rule_id, "generic-password");
}

#[test]
fn weak_defaults_are_low_and_marked() {
    let f = &generic_findings(b"POSTGRES_PASSWORD=changeme\n", &origin(".env"))[0];
    assert_eq!(f.rule_id, "generic-weak-default-password");
    assert_eq!(f.confidence, Confidence::Low);
    assert!(f.props.weak_default);
}

#[test]
fn basic_auth_and_url_carry_the_username() {
    let f = &generic_findings(
        b"Authorization: Basic YWRtaW46VnE3IXhQejJrTG05\n",
        &origin("a.http"),
    )[0];
    assert_eq!(f.rule_id, "generic-basic-auth");
    assert_eq!(f.props.identity["username"], "admin");
    let f = &generic_findings(
        b"url = \"mysql://app:Vq7xPz2kLm9@db:3306/x\"\n",
        &origin("a.py"),
    )[0];
    assert_eq!(f.rule_id, "generic-url-credentials");
    assert_eq!(f.secret.as_deref(), Some("Vq7xPz2kLm9"));
    assert_eq!(f.props.identity["username"], "app");
}

#[test]
fn minified_lines_and_odd_bytes_do_not_panic() {
    let mut big = "a".repeat(100_000);
    for i in 0..2000 {
        big.push_str(&format!(";password=Xy{i}z9Q;token:\"'"));
    }
    let _ = candidates(big.as_bytes(), "min.js");
    let _ = candidates(b"\xff\xfepassword=\xff\xfe", "x.env");
    let _ = candidates(b"password", "x.env");
    let _ = candidates(b"://@:", "x.env");
    let _ = candidates(b"Basic ", "x.env");
    let _ = candidates(b"mysql -p", "x.sh");
    let _ = candidates(b"<password>", "x.xml");
    let _ = candidates(b"name=\"password\"", "x.xml");
    let _ = candidates(b"- name: PASSWORD\n", "x.yaml");
}

#[test]
fn shared_keyword_pass_feeds_the_same_candidates_as_a_standalone_one() {
    let rules = crate::rules::embedded_rules().unwrap();
    let set = crate::matcher::RuleSet::new(rules.clone(), false).unwrap();
    let text = "mysqli_connect('db', 'app', 'Qm4zK8wLp2xR');\n\
                export SECRET_KEY=Kx9mQ2vLp7zRw4\n\
                curl -u deploy:Tz4wq8Lm1Rx https://ci.corp.io\n\
                GRANT ALL ON db.* TO 'app'@'%' IDENTIFIED BY 'Wq8zX3cV7bNp';\n";
    let mut m = set.matcher();
    m.scan(text.as_bytes());
    let shared: Vec<_> = candidates_at(text.as_bytes(), "deploy.sh", m.generic_hits())
        .into_iter()
        .map(|c| (c.span, c.rule))
        .collect();
    let alone: Vec<_> = candidates(text.as_bytes(), "deploy.sh")
        .into_iter()
        .map(|c| (c.span, c.rule))
        .collect();
    assert_eq!(shared.len(), 4, "{shared:?}");
    assert_eq!(shared, alone);

    let provider_only = crate::matcher::RuleSet::provider_only(rules, false).unwrap();
    let mut m = provider_only.matcher();
    m.scan(text.as_bytes());
    assert!(m.generic_hits().is_empty());
}

#[test]
fn hits_are_read_leftmost_first_like_a_non_overlapping_search() {
    // `mysqli` and `mysql` start at the same byte; `secret` and `key` sit in one name.
    let hits = keyword_hits(b"mysqli_connect(); db_secret_key = 1");
    let starts: Vec<_> = hits.iter().map(|h| h.span.start).collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "{starts:?}");
    let first = &hits[0];
    assert_eq!(first.span, 0..6, "mysqli outranks mysql: {hits:?}");
}

#[test]
fn a_bare_key_is_not_a_prefilter_hit_but_a_qualified_one_is() {
    assert!(keyword_hits(b"for key in keys: keyword(KeyError, PROPERTYKEY)").is_empty());
    for name in [
        "apiKey",
        "API_KEY",
        "x-api-key",
        "app.secret.key",
        "signingkey",
        "SshKey",
    ] {
        assert!(
            !keyword_hits(name.as_bytes()).is_empty(),
            "{name} must reach the lexer"
        );
    }
}

/// Run `f` on another thread and fail if it panics or takes longer than `secs` seconds: a
/// detector loop that stops advancing shows up as a failure, not as a test run that never ends.
fn within(secs: u64, f: impl FnOnce() + Send + 'static) {
    let (tx, rx) = std::sync::mpsc::channel();
    let worker = std::thread::spawn(move || {
        f();
        let _ = tx.send(());
    });
    match rx.recv_timeout(std::time::Duration::from_secs(secs)) {
        Ok(()) => worker.join().expect("worker"),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            // The worker panicked: re-raise its panic here.
            worker.join().expect("the detector panicked");
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("the generic detector did not finish within {secs} s")
        }
    }
}

/// Every generic-positive line of the case table.
fn positive_lines() -> Vec<(String, &'static str)> {
    let cases = eval::parse_cases(include_str!("../../tests/data/generic_cases.toml"))
        .expect("case table parses");
    cases
        .into_iter()
        .filter(|c| c.expect == eval::Expect::Finding)
        .map(|c| (c.line, eval::path_for(&c.lang)))
        .collect()
}

/// Candidates, then findings with their locations (one keyword pass feeds both).
fn scan_all_ways(bytes: &[u8], path: &str) {
    let _ = generic_findings(bytes, &origin(path));
}

#[test]
fn regression_lossy_offsets_on_invalid_utf8_do_not_panic() {
    // Issue 13: a sibling `value` key searched in a lossy copy of the line gave offsets three
    // bytes per invalid byte too far, and indexing the raw bytes with them panicked.
    scan_all_ways(b"name:PASS\xd0\xd0val", "a.txt");
    scan_all_ways(b"name=password \xff\xff\xff\xffvalue", "a.txt");
    // `IDENTIFIED BY` was searched in a lossy copy too.
    scan_all_ways(b"IDENTIFIED \xd0\xd0\xd0 by 'x'", "a.sql");
    scan_all_ways(
        b"create user \xe2\x82 IDENTIFIED \xf0\x9f by 'Xy9zQ8wL'",
        "a.sql",
    );
}

#[test]
fn invalid_utf8_inserted_anywhere_in_positive_lines_never_panics() {
    within(300, || {
        // Two-byte sequences that are never valid UTF-8 (lone continuation bytes, truncated and
        // overlong leads, bytes UTF-8 never uses), and one valid two-byte character.
        let odd: &[u8] = &[0x80, 0xbf, 0xc0, 0xc3, 0xd0, 0xe2, 0xed, 0xf0, 0xf8, 0xff];
        let mut pairs: Vec<[u8; 2]> = Vec::new();
        for &a in odd {
            for &b in odd {
                pairs.push([a, b]);
            }
        }
        pairs.push([0xc3, 0xa9]);
        let lines = positive_lines();
        for (n, (line, path)) in lines.iter().enumerate() {
            let line = line.as_bytes();
            // Every pair in a sample of lines; a few pairs in all of them.
            let sample: &[[u8; 2]] = if n % 24 == 0 { &pairs } else { &pairs[..4] };
            for at in 0..=line.len() {
                for pair in sample {
                    let mut b = line[..at].to_vec();
                    b.extend_from_slice(pair);
                    b.extend_from_slice(&line[at..]);
                    scan_all_ways(&b, path);
                }
            }
        }
    });
}

#[test]
fn control_bytes_anywhere_in_positive_lines_never_hang() {
    // Issue 13: `docker a\rb` looped forever (a bare CR ended a word but was not skipped as
    // a blank). Whitespace and control bytes at every position of every positive line.
    within(300, || {
        for (line, path) in positive_lines() {
            let line = line.as_bytes();
            for at in 0..=line.len() {
                for c in [0u8, b'\t', b'\n', 0x0b, 0x0c, b'\r', 0x1b, 0x7f] {
                    let mut b = line[..at].to_vec();
                    b.push(c);
                    b.extend_from_slice(&line[at..]);
                    scan_all_ways(&b, path);
                }
            }
        }
    });
}

#[test]
fn regression_command_lines_with_bare_cr_form_feed_and_vt_end() {
    within(30, || {
        for text in [
            &b"docker a\rb\n"[..],
            b"curl -s x\rcurl y\r",
            b"mysql \x0c",
            b"mysql \x0b-pXy9zQ8wL",
            b"sshpass \r\r\r-p\rXy9zQ8wL",
            b"docker login\r-p\rXy9zQ8wL\r",
        ] {
            scan_all_ways(text, "run.sh");
        }
    });
    // A form feed or CR separates words like a space does.
    let got = secrets("sshpass\r-p\x0cXy9zQ8wL ssh host\n", "run.sh");
    assert_eq!(
        got,
        vec![("generic-cli-password".into(), "Xy9zQ8wL".into())]
    );
}
