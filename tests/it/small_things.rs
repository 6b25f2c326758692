//! Issue 14, "small things a user notices": help headings, the refs of history findings,
//! redaction of short secrets, the keyed secret digest, and test-URL / RFC example credentials.

use super::common::{Fixture, findings, git_in, github_token, keytrace, run, run_json};
use clap::CommandFactory;

/// Every command path of the CLI (`["scan"]`, `["rules", "list"]`, ...), read from clap, so a
/// new subcommand is covered without editing this test.
fn command_paths() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
        for sub in cmd.get_subcommands() {
            if sub.get_name() == "help" {
                continue;
            }
            let mut path = prefix.to_vec();
            path.push(sub.get_name().to_string());
            out.push(path.clone());
            walk(sub, &path, out);
        }
    }
    let mut out = vec![Vec::new()];
    walk(&keytrace::cli::Cli::command(), &[], &mut out);
    out
}

#[test]
fn help_of_every_subcommand_is_snapshotted() {
    let fx = Fixture::new();
    let paths = command_paths();
    assert!(paths.len() > 8, "{paths:?}");
    for path in paths {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let out = keytrace()
            .args(&args)
            .current_dir(fx.path())
            .env("COLUMNS", "100")
            .output()
            .expect("keytrace runs");
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let text = String::from_utf8(out.stdout).expect("help is UTF-8");
        let name = if path.is_empty() {
            "help".to_string()
        } else {
            format!("help_{}", path.join("_").replace('-', "_"))
        };
        insta::assert_snapshot!(name, text);
    }
}

/// The `scan` subcommand as clap sees it.
fn scan_command() -> clap::Command {
    let mut cli = keytrace::cli::Cli::command();
    cli.build();
    cli.find_subcommand("scan").expect("scan").clone()
}

#[test]
fn only_verification_flags_sit_under_the_verification_heading() {
    use clap::Args;
    let verify_ids: Vec<String> =
        keytrace::cli::verify::VerifyArgs::augment_args(clap::Command::new("v"))
            .get_arguments()
            .map(|a| a.get_id().to_string())
            .collect();
    assert!(verify_ids.iter().any(|id| id == "verify"), "{verify_ids:?}");
    let scan = scan_command();
    let mut under_verification = Vec::new();
    for arg in scan.get_arguments() {
        let id = arg.get_id().to_string();
        let heading = arg.get_help_heading();
        if heading == Some(keytrace::cli::verify::HEADING) {
            under_verification.push(id.clone());
            assert!(
                verify_ids.contains(&id),
                "`--{id}` is listed under the verification heading"
            );
        } else {
            assert!(!verify_ids.contains(&id), "`--{id}` left its heading");
        }
        // Every option sits under a heading of its own: the untitled "Options" group holds only
        // help and version (positional targets are listed apart).
        if heading.is_none() && !arg.is_positional() {
            assert!(
                matches!(id.as_str(), "help" | "version"),
                "`--{id}` of scan has no help heading"
            );
        }
    }
    under_verification.sort();
    let mut expected = verify_ids.clone();
    expected.sort();
    assert_eq!(under_verification, expected);
    for id in [
        "rules",
        "threads",
        "max_file_size",
        "respect_gitignore",
        "confidence",
    ] {
        let arg = scan
            .get_arguments()
            .find(|a| a.get_id() == id)
            .unwrap_or_else(|| panic!("scan has --{id}"));
        assert_eq!(arg.get_help_heading(), Some("Detection"), "--{id}");
    }
}

/// A repository whose first commit holds a token, reached by 14 branches and 25 tags whose
/// alphabetical order is not their date order.
fn repo_with_many_refs(fx: &Fixture) -> (usize, usize) {
    let token = github_token("ghp_", "Qm3Zr8TnVb2Lx9KcWp4Hs7Jd1Fg6Ya");
    fx.git(&["init", "-q", "-b", "main"]);
    fx.write("config.env", format!("GITHUB_TOKEN={token}\n"));
    fx.git(&["add", "."]);
    fx.git(&["commit", "-qm", "first"]);
    let tags = 25;
    for i in 1..=tags {
        fx.write("notes.txt", format!("release {i}\n"));
        let date = format!("2024-02-{i:02}T00:00:00Z");
        git_in(
            fx.path(),
            &["add", "."],
            "Alice",
            "alice@example.com",
            &date,
        );
        git_in(
            fx.path(),
            &["commit", "-qm", &format!("release {i}")],
            "Alice",
            "alice@example.com",
            &date,
        );
        fx.git(&["tag", &format!("v1.{i}")]);
    }
    let mut branches = 1;
    for i in 1..=12 {
        fx.git(&["branch", &format!("feature-{i:02}")]);
        branches += 1;
    }
    fx.git(&["checkout", "-q", "-b", "work"]);
    branches += 1;
    (branches, tags)
}

#[test]
fn history_refs_keep_head_default_branches_and_newest_tags_and_count_the_rest() {
    let fx = Fixture::new();
    let (branches, tags) = repo_with_many_refs(&fx);
    let (code, report) = run_json(&["scan", "--history", "."], fx.path());
    assert_eq!(code, 1, "{report}");
    let all = findings(&report);
    let f = all
        .iter()
        .find(|f| f["rule_id"].as_str().unwrap_or("").starts_with("github"))
        .unwrap_or_else(|| panic!("no GitHub finding: {report}"));
    let refs: Vec<&str> = f["refs"]
        .as_array()
        .expect("refs")
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    let listed = refs.len();
    assert_eq!(
        f["refs_omitted"].as_u64(),
        Some((branches + tags - listed) as u64),
        "{f}"
    );
    assert!(listed < branches + tags);
    let mut expected = vec!["work".to_string(), "main".to_string()];
    expected.extend((1..=12).map(|i| format!("feature-{i:02}")));
    let newest_tags = (1..=tags).rev().map(|i| format!("tags/v1.{i}"));
    expected.extend(newest_tags.take(listed - expected.len()));
    assert_eq!(refs, expected);

    let (_, human, _) = run(&["scan", "--history", "."], fx.path());
    let omitted = branches + tags - listed;
    assert!(human.contains(&format!("and {omitted} more")), "{human}");
}

/// Short passwords (4 to 8 characters), each in its own file.
fn short_password_fixture() -> (Fixture, Vec<String>) {
    let fx = Fixture::new();
    let full = "Zq8!mLwK";
    let secrets: Vec<String> = (4..=full.len()).map(|n| full[..n].to_string()).collect();
    for (i, s) in secrets.iter().enumerate() {
        fx.write(&format!("svc{i}/app.env"), format!("DB_PASSWORD={s}\n"));
    }
    (fx, secrets)
}

/// Every run of two or more characters of `secret`.
fn runs_of(secret: &str) -> Vec<String> {
    let chars: Vec<char> = secret.chars().collect();
    let mut out = Vec::new();
    for len in 2..=chars.len() {
        for w in chars.windows(len) {
            out.push(w.iter().collect());
        }
    }
    out
}

#[test]
fn secrets_of_eight_characters_or_fewer_show_nothing_of_themselves_in_any_format() {
    let (fx, secrets) = short_password_fixture();
    let (code, report) = run_json(&["scan", ".", "--confidence", "low"], fx.path());
    assert_eq!(code, 1, "{report}");
    let all = findings(&report);
    assert_eq!(all.len(), secrets.len(), "{report}");
    for f in &all {
        // Nothing but the ellipsis: not a character of the secret, not even its length.
        assert_eq!(f["redacted"].as_str(), Some("…"), "{f}");
    }
    let (_, sarif, _) = run(
        &["scan", ".", "--confidence", "low", "-f", "sarif"],
        fx.path(),
    );
    let sarif_json: serde_json::Value = serde_json::from_str(&sarif).expect("SARIF is JSON");
    let results = sarif_json["runs"][0]["results"]
        .as_array()
        .expect("results");
    assert_eq!(results.len(), secrets.len());
    for r in results {
        assert_eq!(r["properties"]["redacted"].as_str(), Some("…"), "{r}");
    }
    let (_, human, _) = run(&["scan", ".", "--confidence", "low"], fx.path());
    let json_text = serde_json::to_string(&report).unwrap();
    for s in &secrets {
        for run in runs_of(s) {
            for (name, text) in [("json", &json_text), ("sarif", &sarif), ("human", &human)] {
                assert!(
                    !text.contains(&run),
                    "{name} shows `{run}` of a secret:\n{text}"
                );
            }
        }
    }
}
