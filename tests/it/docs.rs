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

#[test]
fn readme_documents_every_subcommand_and_flag() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
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
            if !readme.contains(&flag) {
                missing.push(format!("flag `{flag}` of `keytrace {cmd}`"));
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "README.md does not document:\n{}",
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
