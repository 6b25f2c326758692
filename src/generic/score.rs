//! Confidence of a generic finding, from four independent signals: how explicit the syntax is,
//! how unambiguous the name is, how random the value looks, and what kind of file it is in.
//!
//! Points: syntax 2 (3 for URL user info and decoded Basic auth, where the format itself says
//! "this is a password"), +1 for an unambiguous name, +0..2 for the value's shape, −2 in tests,
//! examples, fixtures and documentation. 5 or more is high, 3–4 medium, less is low. Weak default
//! passwords are always low.

use super::names::Kind;
use super::{Raw, Syntax};
use crate::matcher::entropy::shannon_entropy;
use crate::rules::Confidence;

/// What the file's name says about how to read unquoted values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Source code: an unquoted value is an expression (`password = get_password()`).
    Code,
    /// Configuration, shell, env files and everything else: an unquoted value is a literal.
    Config,
    /// Prose (Markdown, reStructuredText, AsciiDoc, plain text): read as configuration, except
    /// that a backquote opens a code span, not a string. A name in backquotes is a mention of
    /// the name (`` `DB_PASSWORD` ``), not a key.
    Prose,
}

const CODE_EXTENSIONS: &[&str] = &[
    "py", "pyw", "js", "mjs", "cjs", "jsx", "ts", "tsx", "mts", "java", "kt", "kts", "scala",
    "groovy", "gradle", "go", "rb", "php", "cs", "vb", "fs", "c", "h", "cc", "cpp", "hpp", "cxx",
    "rs", "swift", "m", "mm", "dart", "lua", "pl", "pm", "r", "ex", "exs", "erl", "clj", "cljs",
    "tf", "hcl", "jl", "vue", "svelte",
];

const PROSE_EXTENSIONS: &[&str] = &["md", "markdown", "mdx", "rst", "adoc", "asciidoc", "txt"];

/// Classify a path by its extension.
pub fn file_kind(path: &str) -> FileKind {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext {
        Some(e) if CODE_EXTENSIONS.contains(&e.as_str()) => FileKind::Code,
        Some(e) if PROSE_EXTENSIONS.contains(&e.as_str()) => FileKind::Prose,
        _ => FileKind::Config,
    }
}

/// A line longer than this is generated (minified JavaScript, a bundle, a data dump): its
/// generic findings are reported at `low` confidence.
pub const GENERATED_LINE: usize = 4096;

/// Directories of third-party and generated code, and of translation catalogues: generic
/// findings there are someone else's test values, examples and prose far more often than a
/// credential of the scanned project, so they are reported at `low` confidence (hidden at the
/// default `--confidence medium`). Provider rules are not affected.
const VENDORED_DIRS: &[&str] = &[
    "node_modules",
    "bower_components",
    "jspm_packages",
    "site-packages",
    "dist-packages",
    "vendor",
    "venv",
    ".venv",
    "virtualenv",
    ".tox",
    "third_party",
    "third-party",
    "thirdparty",
    "pods",
    "locale",
    "locales",
    "i18n",
    "l10n",
    "translations",
];

/// File name endings of generated code and translation catalogues.
const GENERATED_SUFFIXES: &[&str] = &[
    ".min.js",
    ".min.mjs",
    ".min.css",
    "-min.js",
    ".bundle.js",
    ".chunk.js",
    ".js.map",
    ".po",
    ".pot",
    ".mo",
    ".xliff",
    ".xlf",
];

/// Vendored, generated and translation paths (see [`VENDORED_DIRS`], [`GENERATED_SUFFIXES`]).
pub fn is_vendored_or_generated(path: &str) -> bool {
    let lower = path.to_ascii_lowercase().replace('\\', "/");
    let mut parts: Vec<&str> = lower.split('/').collect();
    let file = parts.pop().unwrap_or_default();
    parts
        .iter()
        .any(|p| VENDORED_DIRS.contains(p) || p.ends_with(".lproj"))
        || GENERATED_SUFFIXES.iter().any(|s| file.ends_with(s))
}

/// Paths whose credentials are usually fake or documentation: tests, fixtures, examples, docs,
/// Markdown.
pub fn is_test_or_docs(path: &str) -> bool {
    let lower = path.to_ascii_lowercase().replace('\\', "/");
    let dirs = [
        "test",
        "tests",
        "spec",
        "specs",
        "__tests__",
        "testdata",
        "fixtures",
        "fixture",
        "examples",
        "example",
        "docs",
        "doc",
        "samples",
        "sample",
        "demo",
        "mocks",
    ];
    let mut parts = lower.split('/').collect::<Vec<_>>();
    let file = parts.pop().unwrap_or_default();
    if parts.iter().any(|p| dirs.contains(p)) {
        return true;
    }
    let stem = file.split('.').next().unwrap_or_default();
    file.ends_with(".md")
        || file.ends_with(".rst")
        || file.ends_with(".adoc")
        || stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem.ends_with("_spec")
        || file.contains(".test.")
        || file.contains(".spec.")
        || file.contains(".example")
        || file.contains(".sample")
}

/// 0, 1 or 2 points for how random a value looks.
pub fn shape_points(value: &str) -> i32 {
    let len = value.chars().count();
    let classes = [
        value.bytes().any(|b| b.is_ascii_lowercase()),
        value.bytes().any(|b| b.is_ascii_uppercase()),
        value.bytes().any(|b| b.is_ascii_digit()),
        value.bytes().any(|b| !b.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|&&c| c)
    .count();
    let entropy = shannon_entropy(value.as_bytes());
    if (len >= 16 && entropy >= 3.5 && classes >= 2) || (len >= 8 && classes >= 3) {
        2
    } else if len >= 6 && classes >= 2 {
        1
    } else {
        0
    }
}

/// The confidence of a kept candidate (see the module doc).
pub fn confidence(raw: &Raw, value: &str, test_like: bool) -> Confidence {
    let syntax = match raw.syntax {
        Syntax::Url | Syntax::Basic => 3,
        _ => 2,
    };
    let shape = shape_points(value);
    // A secret, unlike a password, is rarely a plain word: `X-Secret: typed` is test data more
    // often than not.
    let plain_secret = raw.class.kind == Kind::Secret && shape == 0;
    let score = syntax + i32::from(raw.class.strong) + shape
        - if test_like { 2 } else { 0 }
        - i32::from(plain_secret);
    match score {
        s if s >= 5 => Confidence::High,
        3 | 4 => Confidence::Medium,
        _ => Confidence::Low,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_kinds() {
        assert_eq!(file_kind("src/app.py"), FileKind::Code);
        assert_eq!(file_kind("main.tf"), FileKind::Code);
        assert_eq!(file_kind(".env"), FileKind::Config);
        assert_eq!(file_kind("config/app.yaml"), FileKind::Config);
        assert_eq!(file_kind("Dockerfile"), FileKind::Config);
    }

    #[test]
    fn test_and_docs_paths() {
        for p in [
            "tests/db.py",
            "src/test_db.py",
            "pkg/db_test.go",
            "web/app.test.ts",
            "examples/config.yaml",
            "README.md",
            "spec/fixtures/users.yml",
            ".env.example",
        ] {
            assert!(is_test_or_docs(p), "{p}");
        }
        for p in [
            "src/db.py",
            "config/prod.yaml",
            "contest/app.py",
            "latest.json",
        ] {
            assert!(!is_test_or_docs(p), "{p}");
        }
    }

    #[test]
    fn vendored_and_generated_paths() {
        for p in [
            "node_modules/left-pad/index.js",
            "web/node_modules/a/b/c.js",
            "venv/lib/python3.11/site-packages/requests/auth.py",
            ".venv/bin/activate",
            "vendor/github.com/x/y.go",
            "third_party/zlib/zconf.h",
            "static/app.min.js",
            "locale/de/LC_MESSAGES/django.po",
            "src/i18n/fr.json",
            "ios/App/en.lproj/Localizable.strings",
        ] {
            assert!(is_vendored_or_generated(p), "{p}");
        }
        for p in [
            "src/vendors.rs",
            "app/venv_setup.py",
            "config/locale.yaml",
            "src/admin.js",
            "docs/po.md",
        ] {
            assert!(!is_vendored_or_generated(p), "{p}");
        }
    }

    #[test]
    fn prose_files() {
        assert_eq!(file_kind("README.md"), FileKind::Prose);
        assert_eq!(file_kind("docs/a.rst"), FileKind::Prose);
        assert_eq!(file_kind("notes.txt"), FileKind::Prose);
    }

    #[test]
    fn shapes() {
        assert_eq!(shape_points("hunter"), 0);
        assert_eq!(shape_points("hunter2"), 1);
        assert_eq!(shape_points("Tr0ub4dor&3"), 2);
        assert_eq!(shape_points("q8Lw2xZv9kTn4mRp"), 2);
    }
}
