//! Helpers shared by keytrace's fuzz targets: a reader that splits the fuzzer's bytes into
//! fields, the embedded rule set (built once per process), and findings to feed the
//! attribution and policy stages.
//!
//! Targets take text through `String::from_utf8_lossy` wherever the real entry point takes
//! `&str`: invalid bytes then still reach the parser as U+FFFD instead of being thrown away.

use keytrace::finding::{Finding, Location, Properties, SourceKind};
use keytrace::matcher::RuleSet;
use keytrace::rules::{Confidence, Severity};
use std::sync::OnceLock;

/// Reads fields off the front of a fuzz input; every read succeeds (missing bytes read as 0).
pub struct Input<'a> {
    rest: &'a [u8],
}

impl<'a> Input<'a> {
    pub fn new(data: &'a [u8]) -> Input<'a> {
        Input { rest: data }
    }

    pub fn u8(&mut self) -> u8 {
        let (first, rest) = self
            .rest
            .split_first()
            .map_or((0, &[][..]), |(b, r)| (*b, r));
        self.rest = rest;
        first
    }

    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }

    /// Bytes up to (not including) the next `stop` byte, or everything left.
    pub fn until(&mut self, stop: u8) -> &'a [u8] {
        match self.rest.iter().position(|&b| b == stop) {
            Some(i) => {
                let (head, tail) = self.rest.split_at(i);
                self.rest = &tail[1..];
                head
            }
            None => std::mem::take(&mut self.rest),
        }
    }

    /// Everything not read yet.
    pub fn rest(self) -> &'a [u8] {
        self.rest
    }
}

/// One of `items`, chosen by `byte`.
pub fn pick<T: Copy>(items: &[T], byte: u8) -> T {
    items[usize::from(byte) % items.len()]
}

/// The rule set a default scan uses (embedded rules plus the generic detector), built once.
pub fn embedded_set() -> &'static RuleSet {
    static SET: OnceLock<RuleSet> = OnceLock::new();
    SET.get_or_init(|| {
        let rules = keytrace::rules::embedded_rules().expect("embedded rules parse");
        RuleSet::new(rules, false).expect("embedded rules build")
    })
}

/// A finding as the scanner would hand it to attribution and policy (secret still in clear).
pub fn finding(rule_id: &str, provider: &str, path: &str, secret: &str) -> Finding {
    Finding {
        rule_id: rule_id.to_string(),
        rule_name: rule_id.to_string(),
        severity: Severity::High,
        confidence: Confidence::High,
        fails: true,
        location: Location {
            path: path.to_string(),
            start_line: 1,
            start_column: 1,
            end_line: 1,
            end_column: 1 + secret.chars().count(),
        },
        fingerprint: keytrace::finding::location_fingerprint(rule_id, "00", path, ""),
        secret: Some(secret.to_string()),
        props: Properties {
            provider: provider.to_string(),
            category: "cloud".to_string(),
            long_lived: true,
            redacted: keytrace::finding::redact(secret),
            secret_sha256: "00".to_string(),
            source: SourceKind::File,
            ..Properties::default()
        },
    }
}

/// A handful of findings with varied rule ids, providers and paths.
pub fn sample_findings() -> Vec<Finding> {
    vec![
        finding(
            "aws-access-key-id",
            "aws",
            "infra/prod/main.tf",
            "AKIA4URR22OVTU7ALGDG",
        ),
        finding(
            "openai-project-key",
            "openai",
            "ml/train.py",
            "sk-proj-Ab3kQ9vLx2RmT7",
        ),
        finding(
            "generic-password",
            "generic",
            "src/app/settings.py",
            "hunter22",
        ),
        finding("github-classic-pat", "github", ".env", "ghp_x"),
        finding(
            "slack-webhook",
            "slack",
            "docs/README.md",
            "https://hooks.slack.com/x",
        ),
    ]
}

/// Paths to ask an owners map about, as scans produce them.
pub const PATHS: &[&str] = &[
    "README.md",
    "src/main.rs",
    "docs/a/b/c.md",
    "infra/prod/main.tf",
    ".github/workflows/ci.yml",
    "a",
    "a/b",
    "dir/",
    "./x/y.py",
    "/abs/path.txt",
    "win\\style\\path.txt",
    "ünï/cødé.json",
    "*",
    "[x]",
];

/// Invariants every finding of a scan must hold, whatever the input: 1-based positions that
/// do not run backwards, a fixed-form fingerprint, and a redaction that does not give the
/// secret away.
pub fn check_findings(findings: &[Finding]) {
    for f in findings {
        let l = &f.location;
        assert!(
            l.start_line >= 1 && l.start_column >= 1,
            "0 in a 1-based start: {l:?}"
        );
        assert!(
            l.end_line >= 1 && l.end_column >= 1,
            "0 in a 1-based end: {l:?}"
        );
        assert!(
            l.start_line <= l.end_line,
            "span ends on an earlier line: {l:?}"
        );
        assert_eq!(f.fingerprint.len(), 32, "fingerprint length");
        assert!(
            f.fingerprint.bytes().all(|b| b.is_ascii_hexdigit()),
            "fingerprint not hex"
        );
        if let Some(secret) = &f.secret
            && secret.chars().count() >= 4
        {
            assert!(
                !f.props.redacted.contains(secret.as_str()),
                "redacted form of rule {} holds the whole secret",
                f.rule_id
            );
        }
    }
}

/// With `KEYTRACE_FUZZ_LEAKS=1`: no coverage note may hold a found secret in clear text (the
/// notes go into every report, redacted or not). Off by default while a known leak (a parse
/// error quoting the offending line) is being fixed.
pub fn check_notes(findings: &[Finding], coverage: &keytrace::coverage::Coverage) {
    static ON: OnceLock<bool> = OnceLock::new();
    if !*ON.get_or_init(|| std::env::var_os("KEYTRACE_FUZZ_LEAKS").is_some_and(|v| v == "1")) {
        return;
    }
    let notes = coverage.snapshot().notes;
    for f in findings {
        let Some(secret) = f.secret.as_deref().filter(|s| s.len() >= 8) else {
            continue;
        };
        for note in &notes {
            assert!(
                !note.contains(secret),
                "a coverage note carries the secret of a {} finding",
                f.rule_id
            );
        }
    }
}

/// Lines of a name list (`#` comments and blank lines skipped).
fn list(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// File names whose kind steers detection (code vs config, test and docs paths, stores):
/// `file_names.txt`.
pub fn file_names() -> &'static [&'static str] {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    NAMES.get_or_init(|| list(include_str!("../file_names.txt")).collect())
}

/// File names of every config store: `store_paths.txt`, then any store suffix of the registry
/// that the list lacks (so a new store is fuzzed before the list is updated).
pub fn store_paths() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names: Vec<String> = list(include_str!("../store_paths.txt"))
            .map(str::to_string)
            .collect();
        for store in keytrace::source::config_stores::registry::STORES {
            for suffix in store.suffixes {
                let name = format!("home/{suffix}");
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        names
    })
}

/// The file name a scan target gives its blob: one of [`file_names`] for most first bytes; for
/// bytes ≥ 0xF0 the name is read from the input up to a newline (arbitrary bytes, lossily).
pub fn file_name(input: &mut Input<'_>) -> String {
    let b = input.u8();
    if b < 0xF0 {
        pick(file_names(), b).to_string()
    } else {
        String::from_utf8_lossy(input.until(b'\n')).into_owned()
    }
}

/// Scan `bytes` named `path` as a directory or history scan does (binary sniffing, structured
/// config-store parsing with its plain-text fallback, every embedded rule and the generic
/// detector), then check the findings' invariants and that no coverage note quotes a secret.
pub fn scan_and_check(path: &str, bytes: &[u8], source: keytrace::finding::SourceKind) {
    let set = embedded_set();
    let mut matcher = set.matcher();
    let origin = keytrace::blob::Origin {
        path: path.to_string(),
        source,
        store: None,
    };
    let coverage = keytrace::coverage::Coverage::default();
    let found = keytrace::pipeline::scan_bytes(
        set,
        &mut matcher,
        bytes,
        &origin,
        &coverage,
        &keytrace::source::config_stores::structured_scan,
    );
    check_findings(&found);
    check_notes(&found, &coverage);
}
