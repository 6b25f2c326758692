//! CODEOWNERS semantics, case by case. The cases follow the examples and rules described in
//! GitHub's "About code owners" page (CODEOWNERS syntax, example file, syntax exceptions) and
//! GitLab's code owners reference (sections, escaping), written out here as small files.

use super::*;

fn owners(text: &str, path: &str) -> Option<Vec<String>> {
    Codeowners::parse(text).owners_for(path)
}

fn first(text: &str, path: &str) -> Option<String> {
    owners(text, path).and_then(|o| o.first().cloned())
}

fn v(items: &[&str]) -> Option<Vec<String>> {
    Some(items.iter().map(|s| s.to_string()).collect())
}

#[test]
fn star_is_the_default_owner_of_everything() {
    let f = "* @global-owner1 @global-owner2\n";
    assert_eq!(
        owners(f, "README.md"),
        v(&["@global-owner1", "@global-owner2"])
    );
    assert_eq!(first(f, "a/b/c/deep.rs").as_deref(), Some("@global-owner1"));
}

#[test]
fn no_matching_line_is_none() {
    assert_eq!(owners("*.js @js-owner\n", "main.go"), None);
    assert_eq!(owners("", "main.go"), None);
}

#[test]
fn last_matching_line_wins() {
    let f = "* @global\n*.js @js-owner\n";
    assert_eq!(owners(f, "app/index.js"), v(&["@js-owner"]));
    assert_eq!(owners(f, "app/index.css"), v(&["@global"]));
    // Reversed order: the later `*` line wins for everything.
    let g = "*.js @js-owner\n* @global\n";
    assert_eq!(owners(g, "app/index.js"), v(&["@global"]));
}

#[test]
fn extension_pattern_matches_at_any_depth() {
    let f = "*.go docs@example.com\n";
    assert_eq!(first(f, "main.go").as_deref(), Some("docs@example.com"));
    assert_eq!(
        first(f, "cmd/tool/main.go").as_deref(),
        Some("docs@example.com")
    );
    assert_eq!(first(f, "main.gox"), None);
}

#[test]
fn team_owners_are_kept_verbatim() {
    let f = "*.txt @octo-org/octocats\n";
    assert_eq!(owners(f, "notes/a.txt"), v(&["@octo-org/octocats"]));
}

#[test]
fn inline_comment_ends_the_owner_list() {
    let f = "*.js @js-owner #This is an inline comment.\n";
    assert_eq!(owners(f, "x.js"), v(&["@js-owner"]));
    assert!(Codeowners::parse(f).problems().is_empty());
}

#[test]
fn anchored_directory_owns_everything_below_it() {
    let f = "/build/logs/ @doctocat\n";
    assert_eq!(first(f, "build/logs/a.log").as_deref(), Some("@doctocat"));
    assert_eq!(
        first(f, "build/logs/2024/01/a.log").as_deref(),
        Some("@doctocat")
    );
    assert_eq!(first(f, "src/build/logs/a.log"), None);
    assert_eq!(first(f, "build/logs.txt"), None);
}

#[test]
fn trailing_slash_does_not_match_a_file_of_that_name() {
    let f = "logs/ @ops\n";
    assert_eq!(first(f, "logs"), None);
    assert_eq!(first(f, "logs/today.txt").as_deref(), Some("@ops"));
}

#[test]
fn docs_star_matches_files_directly_in_docs_only() {
    let f = "docs/* docs@example.com\n";
    assert_eq!(
        first(f, "docs/getting-started.md").as_deref(),
        Some("docs@example.com")
    );
    assert_eq!(first(f, "docs/build-app/troubleshooting.md"), None);
}

#[test]
fn pattern_with_a_middle_slash_is_anchored_to_the_root() {
    let f = "docs/* @docs\n";
    assert_eq!(first(f, "site/docs/index.md"), None);
    let g = "src/config @cfg\n";
    assert_eq!(first(g, "src/config/app.toml").as_deref(), Some("@cfg"));
    assert_eq!(first(g, "lib/src/config/app.toml"), None);
}

#[test]
fn unanchored_directory_matches_anywhere() {
    let f = "apps/ @octocat\n";
    assert_eq!(first(f, "apps/web/index.ts").as_deref(), Some("@octocat"));
    assert_eq!(
        first(f, "services/apps/api/main.rs").as_deref(),
        Some("@octocat")
    );
    assert_eq!(first(f, "myapps/x.rs"), None);
}

#[test]
fn leading_slash_directory_is_root_only() {
    let f = "/docs/ @doctocat\n";
    assert_eq!(first(f, "docs/a/b.md").as_deref(), Some("@doctocat"));
    assert_eq!(first(f, "src/docs/a.md"), None);
}

#[test]
fn several_owners_on_one_line_all_count_in_order() {
    let f = "/scripts/ @doctocat @octocat\n";
    assert_eq!(
        owners(f, "scripts/deploy.sh"),
        v(&["@doctocat", "@octocat"])
    );
}

#[test]
fn double_star_prefix_matches_a_directory_at_any_depth() {
    let f = "**/logs @octocat\n";
    for p in [
        "build/logs/a",
        "scripts/logs/b",
        "deeply/nested/logs/c",
        "logs/d",
    ] {
        assert_eq!(first(f, p).as_deref(), Some("@octocat"), "{p}");
    }
    assert_eq!(first(f, "build/catalogs/a"), None);
}

#[test]
fn single_star_does_not_cross_a_slash() {
    let f = "/apps/*/config.yml @cfg\n";
    assert_eq!(first(f, "apps/web/config.yml").as_deref(), Some("@cfg"));
    assert_eq!(first(f, "apps/web/nested/config.yml"), None);
}

#[test]
fn double_star_in_the_middle_crosses_slashes() {
    let f = "/apps/**/config.yml @cfg\n";
    assert_eq!(first(f, "apps/config.yml").as_deref(), Some("@cfg"));
    assert_eq!(
        first(f, "apps/web/nested/config.yml").as_deref(),
        Some("@cfg")
    );
    assert_eq!(first(f, "other/web/config.yml"), None);
}

#[test]
fn trailing_double_star_owns_everything_inside() {
    let f = "/docs/** @docs\n";
    assert_eq!(first(f, "docs/a/b/c.md").as_deref(), Some("@docs"));
    assert_eq!(first(f, "docsx/a.md"), None);
}

#[test]
fn a_line_without_owners_unassigns_the_path() {
    let f = "/apps/ @octocat\n/apps/github\n";
    assert_eq!(owners(f, "apps/github/a.rb"), Some(vec![]));
    assert_eq!(owners(f, "apps/github"), Some(vec![]));
    assert_eq!(owners(f, "apps/web/a.rb"), v(&["@octocat"]));
}

#[test]
fn a_later_line_can_reassign_a_subdirectory() {
    let f = "/apps/ @octocat\n/apps/github @doctocat\n";
    assert_eq!(owners(f, "apps/github/a.rb"), v(&["@doctocat"]));
}

#[test]
fn anchored_name_without_trailing_slash_matches_file_or_directory() {
    let f = "/docs @doctocat\n";
    assert_eq!(first(f, "docs").as_deref(), Some("@doctocat"));
    assert_eq!(first(f, "docs/x/y.md").as_deref(), Some("@doctocat"));
    assert_eq!(first(f, "a/docs"), None);
}

#[test]
fn bare_file_name_matches_at_any_depth() {
    let f = "Makefile @build\n";
    assert_eq!(first(f, "Makefile").as_deref(), Some("@build"));
    assert_eq!(first(f, "sub/dir/Makefile").as_deref(), Some("@build"));
    assert_eq!(first(f, "Makefile.in"), None);
}

#[test]
fn matching_is_case_sensitive() {
    let f = "/Docs/ @docs\n";
    assert_eq!(first(f, "docs/a.md"), None);
    assert_eq!(first(f, "Docs/a.md").as_deref(), Some("@docs"));
}

#[test]
fn comments_and_blank_lines_are_ignored() {
    let f = "# a comment\n\n   \n  # indented comment\n*.rs @rust\n";
    let c = Codeowners::parse(f);
    assert!(c.problems().is_empty(), "{:?}", c.problems());
    assert_eq!(c.owners_for("src/lib.rs"), Some(vec!["@rust".to_string()]));
}

#[test]
fn escaped_hash_is_a_pattern_not_a_comment() {
    let f = "\\#file_with_pound.rb @pound\n";
    assert_eq!(first(f, "#file_with_pound.rb").as_deref(), Some("@pound"));
    assert_eq!(
        first(f, "lib/#file_with_pound.rb").as_deref(),
        Some("@pound")
    );
}

#[test]
fn escaped_spaces_belong_to_the_pattern() {
    let f = "path\\ with\\ spaces/ @space-owner\n";
    assert_eq!(
        first(f, "path with spaces/a.txt").as_deref(),
        Some("@space-owner")
    );
}

#[test]
fn emails_users_and_teams_are_owners_other_words_are_not() {
    let f = "LICENSE @legal this does not match janedoe@gitlab.com\n";
    let c = Codeowners::parse(f);
    assert_eq!(
        c.owners_for("LICENSE"),
        Some(vec!["@legal".to_string(), "janedoe@gitlab.com".to_string()])
    );
    assert_eq!(c.problems().len(), 4, "{:?}", c.problems());
    assert!(c.problems().iter().all(|p| p.line == 1));
}

#[test]
fn a_line_with_only_invalid_owners_is_skipped_not_an_unassignment() {
    let f = "* @global\n/src/ nobody\n";
    let c = Codeowners::parse(f);
    assert_eq!(c.owners_for("src/a.rs"), Some(vec!["@global".to_string()]));
    assert_eq!(c.problems()[0].line, 2);
}

#[test]
fn negation_is_unsupported_and_recorded_with_its_line() {
    let f = "* @global\n!secret.txt @nobody\n";
    let c = Codeowners::parse(f);
    assert_eq!(
        c.owners_for("secret.txt"),
        Some(vec!["@global".to_string()])
    );
    assert_eq!(c.problems().len(), 1);
    assert_eq!(c.problems()[0].line, 2);
}

#[test]
fn brackets_are_literal_not_a_character_class() {
    let f = "/file[1].txt @lit\n";
    assert_eq!(first(f, "file[1].txt").as_deref(), Some("@lit"));
    assert_eq!(first(f, "file1.txt"), None);
}

#[test]
fn gitlab_sections_are_read_and_rules_still_apply_in_file_order() {
    let f = "\
* @global

[Documentation]
docs/ @docs-team

^[Optional Section]
*.md @md-owner

[Database][2] @db-team
/db/
/db/migrations/ @dba
";
    let c = Codeowners::parse(f);
    assert!(c.problems().is_empty(), "{:?}", c.problems());
    assert_eq!(
        c.owners_for("docs/guide.txt"),
        Some(vec!["@docs-team".to_string()])
    );
    assert_eq!(
        c.owners_for("docs/guide.md"),
        Some(vec!["@md-owner".to_string()])
    );
    // A pattern without owners in a section with default owners gets the defaults.
    assert_eq!(
        c.owners_for("db/schema.sql"),
        Some(vec!["@db-team".to_string()])
    );
    assert_eq!(
        c.owners_for("db/migrations/1.sql"),
        Some(vec!["@dba".to_string()])
    );
    assert_eq!(
        c.owners_for("src/main.rs"),
        Some(vec!["@global".to_string()])
    );
}

#[test]
fn paths_are_normalised_before_matching() {
    let f = "/src/ @core\n";
    assert_eq!(first(f, "./src/a.rs").as_deref(), Some("@core"));
    assert_eq!(first(f, "/src/a.rs").as_deref(), Some("@core"));
    assert_eq!(first(f, "src\\a.rs").as_deref(), Some("@core"));
}

#[test]
fn root_star_matches_root_files_only() {
    let f = "/* @root-files\n";
    assert_eq!(first(f, "README.md").as_deref(), Some("@root-files"));
    assert_eq!(first(f, "src/lib.rs"), None);
}

#[test]
fn question_mark_matches_one_character_within_a_segment() {
    let f = "/v?/ @versions\n";
    assert_eq!(first(f, "v1/a").as_deref(), Some("@versions"));
    assert_eq!(first(f, "v10/a"), None);
}

#[test]
fn find_looks_in_github_then_root_then_docs() {
    let dir = tempfile::tempdir().unwrap();
    assert!(Codeowners::find(dir.path()).is_none());
    std::fs::create_dir_all(dir.path().join("docs")).unwrap();
    std::fs::write(dir.path().join("docs/CODEOWNERS"), "* @from-docs\n").unwrap();
    let (path, c) = Codeowners::find(dir.path()).unwrap();
    assert!(path.ends_with("docs/CODEOWNERS"));
    assert_eq!(c.source(), Some("docs/CODEOWNERS"));
    std::fs::write(dir.path().join("CODEOWNERS"), "* @from-root\n").unwrap();
    assert_eq!(
        Codeowners::find(dir.path()).unwrap().1.source(),
        Some("CODEOWNERS")
    );
    std::fs::create_dir_all(dir.path().join(".github")).unwrap();
    std::fs::write(dir.path().join(".github/CODEOWNERS"), "* @from-github\n").unwrap();
    let (_, c) = Codeowners::find(dir.path()).unwrap();
    assert_eq!(c.source(), Some(".github/CODEOWNERS"));
    assert_eq!(c.owners_for("x"), Some(vec!["@from-github".to_string()]));
}

#[test]
fn odd_patterns_never_panic_and_double_star_alone_matches_everything() {
    let f = "** @all\na**b @ab\n/**/ @dirs\n\\ @bs\n*** @three\n/ @root\n";
    let c = Codeowners::parse(f);
    assert_eq!(c.problems().iter().filter(|p| p.line == 6).count(), 1);
    assert!(c.owners_for("x/y/z").is_some());
    assert_eq!(
        Codeowners::parse("** @all\n").owners_for("deep/er/file.txt"),
        Some(vec!["@all".to_string()])
    );
}

/// Every rule tried, last first: what the literal index must agree with.
fn naive(c: &Codeowners, path: &str) -> Option<Vec<String>> {
    let path = normalize(path);
    let segs: Vec<&str> = path.split('/').collect();
    c.rules
        .iter()
        .rev()
        .find(|r| c.rule_matches(r, &segs))
        .map(|r| {
            c.span(r.owners, r.owners_len)
                .split(' ')
                .filter(|o| !o.is_empty())
                .map(str::to_string)
                .collect()
        })
}

#[test]
fn the_literal_index_changes_no_answer() {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    const SEG: [&str; 8] = ["a", "b", "*", "**", "a*", "?", "c.rs", "*.rs"];
    const NAME: [&str; 4] = ["a", "b", "c.rs", "ab"];
    for _ in 0..300 {
        let mut text = String::new();
        for i in 0..next(30) {
            let segs: Vec<&str> = (0..1 + next(3)).map(|_| SEG[next(SEG.len())]).collect();
            let lead = if next(2) == 0 { "/" } else { "" };
            let trail = if next(3) == 0 { "/" } else { "" };
            text.push_str(&format!("{lead}{}{trail} @o{i}\n", segs.join("/")));
        }
        let c = Codeowners::parse(&text);
        for _ in 0..30 {
            let path: Vec<&str> = (0..1 + next(4)).map(|_| NAME[next(NAME.len())]).collect();
            let path = path.join("/");
            assert_eq!(c.owners_for(&path), naive(&c, &path), "{text}\n{path}");
        }
    }
}

#[test]
fn big_files_are_ignored_like_github_and_problems_are_capped() {
    let big = "* @a\n".repeat((MAX_FILE as usize) / 5 + 1);
    let c = Codeowners::from_bytes(big.as_bytes());
    assert_eq!(c.owners_for("x"), None);
    assert!(c.ignored().unwrap().contains("3 MB"), "{:?}", c.ignored());
    let bad = "!x @a\n".repeat(1000);
    let c = Codeowners::parse(&bad);
    assert_eq!(c.problems().len(), MAX_PROBLEMS);
    assert_eq!(c.problem_count(), 1000);
}

#[test]
fn over_long_patterns_are_skipped_with_a_short_note() {
    // Regression: a 600 KB pattern made globset panic with 1 MB of text in the message.
    let long = format!("{}*{}", "a".repeat(300_000), "b".repeat(300_000));
    let c = Codeowners::parse(&format!("* @all\n{long} @x\n"));
    assert_eq!(c.owners_for("anything"), Some(vec!["@all".to_string()]));
    assert_eq!(c.problems().len(), 1);
    assert_eq!(c.problems()[0].line, 2);
    let msg = &c.problems()[0].message;
    assert!(
        msg.contains("longer than 4096 bytes") && msg.len() < 200,
        "{msg}"
    );
}

#[test]
fn memory_is_linear_in_the_file() {
    // Regression: a 200k-line file took 1.4 GB (one compiled glob per line).
    let text: String = (0..200_000)
        .map(|i| match i % 4 {
            0 => format!("/m{i}/ @t\n"),
            1 => format!("*.e{i} @o\n"),
            2 => format!("d/{i}/* @d\n"),
            _ => format!("a/**/{i}/*.js @y\n"),
        })
        .collect();
    let c = Codeowners::parse(&text);
    let held = c.pool.len()
        + c.rules.len() * std::mem::size_of::<Rule>()
        + c.keyed.len() * 12
        + c.unkeyed.len() * 4;
    assert!(
        held < text.len() * 4,
        "{held} bytes for {} of text",
        text.len()
    );
    assert_eq!(c.owners_for("d/7/x"), None);
    assert_eq!(c.owners_for("d/6/x"), Some(vec!["@d".to_string()]));
    assert_eq!(
        c.owners_for("a/q/r/199999/z.js"),
        Some(vec!["@y".to_string()])
    );
    assert_eq!(c.owners_for("m0/deep/file"), Some(vec!["@t".to_string()]));
}

#[test]
fn random_and_hostile_files_never_panic() {
    let mut state = 0xD1B5_4A32_D192_ED03u64;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    const PIECES: [&[u8]; 22] = [
        b"*",
        b"**",
        b"?",
        b"/",
        b"\\",
        b" ",
        b"\t",
        b"\n",
        b"\r",
        b"#",
        b"@",
        b"@a/b",
        b"a@b.c",
        b"[",
        b"]",
        b"^[",
        b"][",
        b"!",
        b"\xff",
        b"\xc3",
        "é".as_bytes(),
        b"\0",
    ];
    for _ in 0..2000 {
        let mut bytes = Vec::new();
        for _ in 0..next(200) {
            if next(2) == 0 {
                bytes.extend_from_slice(PIECES[next(PIECES.len())]);
            } else {
                bytes.push(b"ab.x"[next(4)]);
            }
        }
        let c = Codeowners::from_bytes(&bytes);
        for path in ["a", "a/b", "./x/y.z", "é/ü", "", "/", "a//b", "\\a\\b"] {
            let _ = c.owners_for(path);
        }
        let text = String::from_utf8_lossy(&bytes);
        let _ = Codeowners::parse(&text).owners_for("ab/ba.x");
    }
}
