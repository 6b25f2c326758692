//! README documents every command and flag that exists, and starts with the two commands a new
//! user types.

use std::process::Command;

fn help(args: &[&str]) -> String {
    let out = Command::new(assert_cmd::cargo::cargo_bin("keytrace"))
        .args(args)
        .arg("--help")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn long_flags(text: &str) -> Vec<String> {
    let mut flags: Vec<String> = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == ']' || c == '=')
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(|w| {
            w.trim_end_matches(|c: char| !c.is_ascii_alphanumeric())
                .to_string()
        })
        .filter(|w| w != "--help" && w != "--version")
        .collect();
    flags.sort();
    flags.dedup();
    flags
}

/// README names every command; every flag is documented in README or in a page under docs/
/// (README is the front door, details live in docs/).
#[test]
fn readme_documents_every_subcommand_and_flag() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let docs: String = user_docs()
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    let top = help(&[]);
    let commands: Vec<&str> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.contains(&"scan"));
    let mut missing = Vec::new();
    for cmd in &commands {
        if !readme.contains(&format!("keytrace {cmd}")) {
            missing.push(format!("command `keytrace {cmd}`"));
        }
        let mut texts = vec![help(&[cmd])];
        let sub = texts[0].clone();
        for line in sub
            .lines()
            .skip_while(|l| !l.starts_with("Commands:"))
            .skip(1)
            .take_while(|l| l.starts_with("  "))
        {
            if let Some(s) = line.split_whitespace().next().filter(|s| *s != "help") {
                texts.push(help(&[cmd, s]));
            }
        }
        for flag in texts.iter().flat_map(|t| long_flags(t)) {
            if !docs.contains(&flag) {
                missing.push(format!("flag `{flag}` of `keytrace {cmd}`"));
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "README.md and docs/ do not document:\n{}",
        missing.join("\n")
    );
}

#[test]
fn readme_starts_with_the_two_commands() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let block: Vec<&str> = readme
        .lines()
        .skip_while(|l| !l.starts_with("```"))
        .skip(1)
        .take_while(|l| !l.starts_with("```"))
        .collect();
    assert!(
        block[0].starts_with("cargo run --release -- scan "),
        "{block:?}"
    );
    assert!(block[1].starts_with("cargo test"), "{block:?}");
    let ci = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/run")).unwrap();
    assert!(
        ci.lines().any(|l| l.trim() == "cargo test"),
        ".ci/run must run README's test command"
    );
}

/// Markdown files users read: README.md and everything under docs/ and rules/README.md.
fn user_docs() -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("README.md"), root.join("rules/README.md")];
    let mut dirs = vec![root.join("docs")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The targets of inline Markdown links `[text](target)` in `text`.
fn link_targets(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("](") {
        rest = &rest[at + 2..];
        if let Some(end) = rest.find(')') {
            out.push(rest[..end].to_string());
        }
    }
    out
}

/// A relative link in the docs names a file that exists in the repository (a new user clicking
/// it on GitHub or in an editor lands somewhere). Links outside the repository are not allowed
/// in README.md, whose reader may be offline or behind a proxy.
#[test]
fn doc_links_point_at_files_in_the_repository() {
    let readme = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let mut broken = Vec::new();
    for file in user_docs() {
        let text = std::fs::read_to_string(&file).unwrap();
        let base = file.parent().unwrap();
        for target in link_targets(&text) {
            let path = target.split('#').next().unwrap();
            if path.is_empty() {
                continue;
            }
            if path.contains("://") || path.starts_with("mailto:") {
                if file == readme {
                    broken.push(format!("{}: external link {target}", file.display()));
                }
                continue;
            }
            if !base.join(path).exists() {
                broken.push(format!("{}: {target} does not exist", file.display()));
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

/// No snippet tells users to pin keytrace to a release tag that does not exist: a `uses:` of
/// this action or a pre-commit `rev:` is a commit sha, a placeholder (`<sha>`) or a tag the
/// repository has.
#[test]
fn docs_pin_no_version_that_does_not_exist() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let tags = Command::new("git")
        .args(["tag", "--list"])
        .current_dir(root)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let tags: Vec<&str> = tags.lines().collect();
    let acceptable = |pin: &str| {
        let pin = pin.trim().trim_matches(|c| c == '"' || c == '\'');
        pin.starts_with('<')
            || (pin.len() == 40 && pin.bytes().all(|b| b.is_ascii_hexdigit()))
            || tags.contains(&pin)
    };
    let mut wrong = Vec::new();
    for file in user_docs() {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let line = line.split(" #").next().unwrap();
            let pin = if let Some(at) = line.find("keytrace/keytrace@") {
                Some(&line[at + "keytrace/keytrace@".len()..])
            } else {
                line.trim_start()
                    .strip_prefix("rev:")
                    .filter(|_| text.contains("keytrace/keytrace"))
            };
            if let Some(pin) = pin {
                let pin = pin.split_whitespace().next().unwrap_or("");
                if !acceptable(pin) {
                    wrong.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "pins to versions that do not exist:\n{}",
        wrong.join("\n")
    );
}
