//! Code that reads the environment, one pattern per language, run only over files where the
//! aho-corasick prefilter found a finding name: Python `os.environ["X"]`, `os.environ.get("X")`,
//! `os.getenv("X")`; JavaScript/TypeScript `process.env.X`, `process.env["X"]`,
//! `import.meta.env.X`, `Deno.env.get("X")`; Rust `std::env::var("X")`, `env!("X")`,
//! `option_env!("X")`; Go `os.Getenv("X")`, `os.LookupEnv("X")`; Java/Kotlin
//! `System.getenv("X")`; Ruby `ENV["X"]`, `ENV.fetch("X")`.

use super::Consumer;
use super::index::{FileCtx, Sink};
use super::lines::line_at;
use regex::Regex;
use std::sync::LazyLock;

/// A language whose environment reads are recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Python,
    JavaScript,
    Rust,
    Go,
    Java,
    Ruby,
}

impl Language {
    /// The language of a lower-case file name, by extension.
    pub fn of(lower_name: &str) -> Option<Language> {
        let ext = lower_name.rsplit_once('.')?.1;
        Some(match ext {
            "py" => Language::Python,
            "js" | "mjs" | "cjs" | "jsx" | "ts" | "mts" | "cts" | "tsx" => Language::JavaScript,
            "rs" => Language::Rust,
            "go" => Language::Go,
            "java" | "kt" | "kts" | "scala" | "groovy" => Language::Java,
            "rb" => Language::Ruby,
            _ => return None,
        })
    }

    fn kind(self) -> &'static str {
        match self {
            Language::Python => "code-python",
            Language::JavaScript => "code-javascript",
            Language::Rust => "code-rust",
            Language::Go => "code-go",
            Language::Java => "code-java",
            Language::Ruby => "code-ruby",
        }
    }

    fn pattern(self) -> &'static Regex {
        static PYTHON: LazyLock<Regex> = LazyLock::new(|| {
            re(
                r#"(?:\benviron\s*\[|\benviron\.get\s*\(|\bos\.getenv\s*\(|\bgetenv\s*\()\s*["']([A-Za-z_][A-Za-z0-9_]*)["']"#,
            )
        });
        static JS: LazyLock<Regex> = LazyLock::new(|| {
            re(
                r#"(?:\b(?:process|import\.meta)\.env(?:\.|\[\s*["'`])|\bDeno\.env\.get\(\s*["'])([A-Za-z_][A-Za-z0-9_]*)"#,
            )
        });
        static RUST: LazyLock<Regex> = LazyLock::new(|| {
            re(
                r#"(?:\benv::var(?:_os)?\s*\(|\b(?:option_)?env!\s*\()\s*"([A-Za-z_][A-Za-z0-9_]*)""#,
            )
        });
        static GO: LazyLock<Regex> =
            LazyLock::new(|| re(r#"\bos\.(?:Getenv|LookupEnv)\(\s*"([A-Za-z_][A-Za-z0-9_]*)""#));
        static JAVA: LazyLock<Regex> =
            LazyLock::new(|| re(r#"\bSystem\.getenv\(\s*"([A-Za-z_][A-Za-z0-9_]*)""#));
        static RUBY: LazyLock<Regex> =
            LazyLock::new(|| re(r#"\bENV(?:\[\s*|\.fetch\(\s*)["']([A-Za-z_][A-Za-z0-9_]*)["']"#));
        match self {
            Language::Python => &PYTHON,
            Language::JavaScript => &JS,
            Language::Rust => &RUST,
            Language::Go => &GO,
            Language::Java => &JAVA,
            Language::Ruby => &RUBY,
        }
    }
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("environment-read regex")
}

pub fn scan(lang: Language, ctx: &FileCtx, sink: &mut Sink) {
    for c in lang.pattern().captures_iter(ctx.text) {
        let m = c.get(1).expect("group 1 always takes part");
        if !ctx.present.contains(m.as_str()) {
            continue;
        }
        sink.push(Consumer {
            path: ctx.rel.to_string(),
            line: line_at(ctx.text, m.start()),
            kind: lang.kind().into(),
            name: m.as_str().to_string(),
            workload: None,
        });
    }
}
