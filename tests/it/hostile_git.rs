//! Damaged and hostile repositories (issue 13): a git scan reads every object it can, counts
//! what it cannot, and never reports "clean" after reading nothing. Each repository is built
//! here with the git CLI and then broken on disk (loose objects deleted or overwritten, packs
//! truncated, shallow clones, odd names).

use super::common::{Fixture, acme_rules, acme_token, findings, git_in, run};
use serde_json::Value;
use std::path::{Path, PathBuf};

const WHO: (&str, &str) = ("Alice", "alice@example.com");

fn repo() -> Fixture {
    let fx = Fixture::new();
    fx.git(&["init", "-q", "-b", "main"]);
    fx
}

fn git(dir: &Path, args: &[&str]) -> String {
    git_in(dir, args, WHO.0, WHO.1, "2024-01-01T00:00:00Z")
}

/// Commit everything on `day` (distinct days keep the commit order unambiguous).
fn commit(dir: &Path, day: u32, msg: &str) -> String {
    let date = format!("2024-01-{day:02}T12:00:00Z");
    git_in(dir, &["add", "-A"], WHO.0, WHO.1, &date);
    git_in(dir, &["commit", "-q", "-m", msg], WHO.0, WHO.1, &date);
    git(dir, &["rev-parse", "HEAD"])
}

/// Three commits, each adding one file with its own key. Returns (commit ids, keys).
fn three_secrets(fx: &Fixture) -> (Vec<String>, Vec<String>) {
    let (mut commits, mut keys) = (Vec::new(), Vec::new());
    for n in 1..=3u32 {
        let key = acme_token(100 + n);
        fx.write(&format!("s{n}.env"), format!("KEY{n}={key}\n"));
        commits.push(commit(fx.path(), n, &format!("c{n}")));
        keys.push(key);
    }
    (commits, keys)
}

fn loose_object(repo: &Path, oid: &str) -> PathBuf {
    repo.join(".git/objects").join(&oid[..2]).join(&oid[2..])
}

/// Replace a loose object by bytes that are no zlib stream.
fn corrupt(repo: &Path, oid: &str) {
    let p = loose_object(repo, oid);
    let mut perms = std::fs::metadata(&p).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&p, perms).unwrap();
    std::fs::write(&p, b"this is not a git object\n").unwrap();
}

/// `keytrace ARGS --rules acme --format json` in `dir`: (exit code, report or Null, stderr).
fn scan(dir: &Path, args: &[&str]) -> (i32, Value, String) {
    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    let mut all = args.to_vec();
    all.extend(["--rules", &rules, "--format", "json"]);
    let (code, stdout, stderr) = run(&all, dir);
    let report = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (code, report, stderr)
}

/// (secret key text found in the report's `blob`s) → finding, for the test rule only.
fn acme(report: &Value) -> Vec<Value> {
    findings(report)
        .into_iter()
        .filter(|f| f["rule_id"] == "acme-api-key")
        .collect()
}

fn paths(found: &[Value]) -> Vec<String> {
    let mut p: Vec<String> = found
        .iter()
        .map(|f| f["location"]["path"].as_str().unwrap().to_string())
        .collect();
    p.sort();
    p
}

fn skipped(report: &Value, reason: &str) -> u64 {
    report["coverage"]["skipped"][reason].as_u64().unwrap_or(0)
}

fn notes(report: &Value) -> String {
    report["coverage"]["notes"].to_string()
}

#[test]
fn a_missing_commit_in_the_middle_is_walked_around() {
    let fx = repo();
    let (commits, _) = three_secrets(&fx);
    std::fs::remove_file(loose_object(fx.path(), &commits[1])).unwrap();

    let (code, report, stderr) = scan(fx.path(), &["scan", "--history", "."]);
    assert_eq!(code, 1, "{stderr}");
    let found = acme(&report);
    assert_eq!(paths(&found), ["s1.env", "s2.env", "s3.env"], "{report:#}");
    let commit_of = |p: &str| {
        found.iter().find(|f| f["location"]["path"] == p).unwrap()["commit"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // The first commit is only reachable through the missing one: found in the object
    // database, and still credited with its own key.
    assert_eq!(commit_of("s1.env"), commits[0]);
    assert_eq!(commit_of("s3.env"), commits[2]);
    assert_eq!(skipped(&report, "missing-object"), 1);
    assert_eq!(stderr.lines().filter(|l| l.contains("warning")).count(), 1);
    assert!(stderr.contains("1 git object(s) unavailable"), "{stderr}");
}

#[test]
fn a_corrupt_head_commit_is_not_an_empty_repository() {
    let fx = repo();
    let (commits, _) = three_secrets(&fx);
    corrupt(fx.path(), &commits[2]);

    let (code, report, stderr) = scan(fx.path(), &["scan", "--history", "."]);
    assert_eq!(code, 1, "{stderr}");
    assert!(!notes(&report).contains("no refs"), "{report:#}");
    assert_eq!(skipped(&report, "corrupt-object"), 1);
    // The older commits are found behind the corrupt one; the tree of the corrupt commit is
    // still read, so the key only it added is reported (without a commit to name).
    let found = acme(&report);
    assert_eq!(paths(&found), ["s1.env", "s2.env", "s3.env"], "{report:#}");
    let s3 = found.iter().find(|f| f["location"]["path"] == "s3.env");
    assert!(s3.unwrap().get("commit").is_none());
    assert!(stderr.contains("warning"), "{stderr}");
}

#[test]
fn a_repository_whose_commits_are_all_unreadable_fails() {
    let fx = repo();
    fx.write("k.env", format!("K={}\n", acme_token(110)));
    let c = commit(fx.path(), 1, "only commit");
    let tree = git(fx.path(), &["rev-parse", "HEAD^{tree}"]);
    let blob = git(fx.path(), &["rev-parse", "HEAD:k.env"]);
    corrupt(fx.path(), &c);
    std::fs::remove_file(loose_object(fx.path(), &tree)).unwrap();
    std::fs::remove_file(loose_object(fx.path(), &blob)).unwrap();

    let (code, report, stderr) = scan(fx.path(), &["scan", "--history", "."]);
    assert_eq!(code, 2, "{report:#}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("could not read any commit (1 ref(s)"),
        "{stderr}"
    );
}

#[test]
fn a_truncated_pack_fails_instead_of_scanning_nothing() {
    let fx = repo();
    three_secrets(&fx);
    git(fx.path(), &["gc", "-q"]);
    let pack_dir = fx.path().join(".git/objects/pack");
    let pack = std::fs::read_dir(&pack_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pack"))
        .unwrap();
    let mut perms = std::fs::metadata(&pack).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&pack, perms).unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&pack)
        .unwrap()
        .set_len(40)
        .unwrap();

    let (code, _, stderr) = scan(fx.path(), &["scan", "--history", "."]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("could not read any commit"), "{stderr}");
}

#[test]
fn an_unborn_head_is_still_an_empty_repository() {
    let fx = repo();
    let (code, report, _) = scan(fx.path(), &["scan", "--history", "."]);
    assert_eq!(code, 0);
    assert!(notes(&report).contains("no refs"));
}

#[test]
fn a_shallow_clone_counts_its_boundary_not_missing_objects() {
    let src = repo();
    let (_, keys) = three_secrets(&src);
    let dest = Fixture::new();
    let url = format!("file://{}", src.path().display());
    git(dest.path(), &["clone", "-q", "--depth", "1", &url, "clone"]);
    let clone = dest.path().join("clone");
    assert!(clone.join(".git/shallow").is_file());

    let (code, report, stderr) = scan(&clone, &["scan", "--history", "."]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(skipped(&report, "missing-object"), 0);
    assert_eq!(skipped(&report, "corrupt-object"), 0);
    assert!(!stderr.contains("warning"), "{stderr}");
    assert!(notes(&report).contains("shallow clone"), "{report:#}");
    assert!(notes(&report).contains("1 boundary commit"), "{report:#}");
    // Every file of the one commit present is scanned.
    assert_eq!(acme(&report).len(), keys.len());
}

#[test]
fn staged_in_a_bare_repository_is_an_error() {
    let fx = repo();
    three_secrets(&fx);
    let bare = fx.path().join("bare.git");
    git(
        fx.path(),
        &["clone", "-q", "--bare", ".", bare.to_str().unwrap()],
    );
    let (code, _, stderr) = scan(&bare, &["scan", "--staged", "."]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("--staged needs a work tree"), "{stderr}");
}

#[test]
fn a_range_with_control_characters_is_refused_on_one_escaped_line() {
    let fx = repo();
    three_secrets(&fx);
    for range in ["HEAD~2\n..HEAD", "HEAD~2..HEAD\u{1b}[2J", "HEAD~2..\rHEAD"] {
        let (code, _, stderr) = scan(fx.path(), &["scan", "--range", range]);
        assert_eq!(code, 2, "{range:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{range:?}: {stderr}");
        assert!(
            !stderr.trim_end().chars().any(char::is_control),
            "{stderr:?}"
        );
        assert!(stderr.contains("bad range"), "{stderr}");
    }
    let (_, _, stderr) = scan(fx.path(), &["scan", "--range", "HEAD~2\n..HEAD"]);
    assert!(stderr.contains("HEAD~2\\n..HEAD"), "{stderr}");
}

#[test]
fn a_range_walks_around_a_missing_commit() {
    let fx = repo();
    fx.write("base.txt", "base\n");
    let base = commit(fx.path(), 1, "base");
    let mut commits = Vec::new();
    for n in 1..=3u32 {
        fx.write(&format!("r{n}.env"), format!("K={}\n", acme_token(120 + n)));
        commits.push(commit(fx.path(), n + 1, &format!("r{n}")));
    }
    std::fs::remove_file(loose_object(fx.path(), &commits[1])).unwrap();

    let range = format!("{base}..HEAD");
    let (code, report, stderr) = scan(fx.path(), &["scan", "--range", &range]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(skipped(&report, "missing-object"), 1, "{report:#}");
    let found = acme(&report);
    // r3's commit cannot be compared with its missing parent: its whole tree counts as new,
    // so the keys of r1 (behind the hole) and r2 (added by the missing commit) are reported
    // rather than lost.
    assert_eq!(paths(&found), ["r1.env", "r2.env", "r3.env"], "{report:#}");
    assert!(stderr.contains("warning"), "{stderr}");
}

#[test]
fn staged_counts_an_unreadable_head_and_scans_every_staged_line() {
    let fx = repo();
    let (commits, _) = three_secrets(&fx);
    fx.write("new.env", format!("NEW={}\n", acme_token(130)));
    git(fx.path(), &["add", "new.env"]);
    corrupt(fx.path(), &commits[2]);

    let (code, report, stderr) = scan(fx.path(), &["scan", "--staged", "."]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(skipped(&report, "corrupt-object"), 1, "{report:#}");
    assert!(
        acme(&report)
            .iter()
            .any(|f| f["location"]["path"] == "new.env")
    );
    assert!(stderr.contains("warning"), "{stderr}");
}

#[test]
fn staged_blobs_that_are_all_missing_fail() {
    let fx = repo();
    fx.write("base.txt", "base\n");
    commit(fx.path(), 1, "base");
    fx.write("new.env", format!("NEW={}\n", acme_token(131)));
    git(fx.path(), &["add", "new.env"]);
    let blob = git(fx.path(), &["rev-parse", ":new.env"]);
    std::fs::remove_file(loose_object(fx.path(), &blob)).unwrap();

    let (code, _, stderr) = scan(fx.path(), &["scan", "--staged", "."]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("could not read any blob"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn paths_that_differ_only_in_invalid_utf8_stay_distinct() {
    use std::os::unix::ffi::OsStrExt;
    let fx = repo();
    let key = acme_token(140);
    for name in [&b"a\xff.env"[..], &b"a\xfe.env"[..]] {
        let p = fx.path().join(std::ffi::OsStr::from_bytes(name));
        std::fs::write(p, format!("K={key}\n")).unwrap();
    }
    commit(fx.path(), 1, "two odd names");

    let (code, report, stderr) = scan(fx.path(), &["scan", "--history", "."]);
    assert_eq!(code, 1, "{stderr}");
    let found = acme(&report);
    assert_eq!(paths(&found).len(), 2, "{report:#}");
    assert_ne!(paths(&found)[0], paths(&found)[1]);
    assert!(found.iter().all(|f| f["in_head"] == true), "{report:#}");
}

#[test]
fn a_branch_with_a_non_utf8_name_is_scanned() {
    let fx = repo();
    fx.write("a.txt", "a\n");
    commit(fx.path(), 1, "base");
    git(fx.path(), &["checkout", "-q", "-b", "side"]);
    fx.write("side.env", format!("K={}\n", acme_token(150)));
    let side = commit(fx.path(), 2, "only on a branch");
    git(fx.path(), &["checkout", "-q", "main"]);
    git(fx.path(), &["branch", "-q", "-D", "side"]);
    // git accepts any byte above 0x7f in a ref name.
    let name = fx.path().join(".git/refs/heads");
    #[cfg(unix)]
    let name = {
        use std::os::unix::ffi::OsStrExt;
        name.join(std::ffi::OsStr::from_bytes(b"side-\xff"))
    };
    #[cfg(not(unix))]
    let name = name.join("side-x");
    std::fs::write(name, format!("{side}\n")).unwrap();

    let (code, report, stderr) = scan(fx.path(), &["scan", "--history", "."]);
    assert_eq!(code, 1, "{stderr}");
    let found = acme(&report);
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(found[0]["commit"], side);
}

/// A tree that holds two copies of the next one, `depth` levels deep (2^depth paths), with a
/// key at the bottom.
fn tree_bomb(fx: &Fixture, depth: u32) -> String {
    let key_file = fx.write("key.env", format!("K={}\n", acme_token(160)));
    let blob = git(
        fx.path(),
        &["hash-object", "-w", key_file.to_str().unwrap()],
    );
    std::fs::remove_file(key_file).unwrap();
    let mut tree = mktree(fx.path(), &format!("100644 blob {blob}\tkey.env\n"));
    for _ in 0..depth {
        tree = mktree(
            fx.path(),
            &format!("040000 tree {tree}\ta\n040000 tree {tree}\tb\n"),
        );
    }
    tree
}

fn mktree(dir: &Path, listing: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("git")
        .arg("mktree")
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(listing.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn a_tree_bomb_is_scanned_in_bounded_time() {
    let fx = repo();
    let tree = tree_bomb(&fx, 40);
    let c = git(fx.path(), &["commit-tree", &tree, "-m", "bomb"]);
    git(fx.path(), &["update-ref", "refs/heads/main", &c]);

    let rules = acme_rules(&fx);
    let out = super::common::keytrace()
        .args([
            "scan",
            "--history",
            ".",
            "--rules",
            &rules,
            "--format",
            "json",
        ])
        .current_dir(fx.path())
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!acme(&report).is_empty());
    assert!(notes(&report).contains("occur at more than"), "{report:#}");
}

#[test]
fn a_sweep_records_an_unreadable_repository_as_failed() {
    let fx = Fixture::new();
    for name in ["good", "broken"] {
        let dir = fx.path().join("repos").join(name);
        std::fs::create_dir_all(&dir).unwrap();
        git(&dir, &["init", "-q", "-b", "main"]);
        std::fs::write(dir.join("k.env"), format!("K={}\n", acme_token(170))).unwrap();
        commit(&dir, 1, "key");
    }
    let broken = fx.path().join("repos/broken");
    let head = git(&broken, &["rev-parse", "HEAD"]);
    let tree = git(&broken, &["rev-parse", "HEAD^{tree}"]);
    let blob = git(&broken, &["rev-parse", "HEAD:k.env"]);
    corrupt(&broken, &head);
    std::fs::remove_file(loose_object(&broken, &tree)).unwrap();
    std::fs::remove_file(loose_object(&broken, &blob)).unwrap();

    let rules = acme_rules(&fx);
    let (code, stdout, stderr) = run(
        &[
            "sweep",
            "--repos-dir",
            "repos",
            "--state",
            "s.db",
            "--rules",
            &rules,
            "--format",
            "json",
            "--no-progress",
        ],
        fx.path(),
    );
    assert_eq!(code, 2, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["sweep"]["totals"]["failed"], 1, "{report:#}");
    let errors: Vec<&str> = report["sweep"]["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["error"].as_str())
        .collect();
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].contains("could not read any commit"),
        "{errors:?}"
    );
}

#[test]
fn refs_with_names_git_refuses_are_scanned_and_shown_escaped() {
    let fx = repo();
    fx.write("a.txt", "a\n");
    commit(fx.path(), 1, "base");
    let mut hidden = Vec::new();
    for (n, name) in ["e\u{1b}[31mred", "stale.lock"].iter().enumerate() {
        git(fx.path(), &["checkout", "-q", "-b", "tmp"]);
        fx.write(
            &format!("h{n}.env"),
            format!("K={}\n", acme_token(180 + n as u32)),
        );
        let c = commit(fx.path(), 2 + n as u32, "hidden");
        git(fx.path(), &["checkout", "-q", "main"]);
        git(fx.path(), &["branch", "-q", "-D", "tmp"]);
        std::fs::write(
            fx.path().join(".git/refs/heads").join(name),
            format!("{c}\n"),
        )
        .unwrap();
        hidden.push(c);
    }

    let (code, report, stderr) = scan(fx.path(), &["scan", "--history", "."]);
    assert_eq!(code, 1, "{stderr}");
    let found = acme(&report);
    assert_eq!(paths(&found), ["h0.env", "h1.env"], "{report:#}");
    let refs: Vec<String> = found
        .iter()
        .flat_map(|f| f["refs"].as_array().unwrap().clone())
        .map(|r| r.as_str().unwrap().to_string())
        .collect();
    assert!(refs.iter().all(|r| !r.chars().any(char::is_control)));
    assert!(refs.contains(&"e\\x1b[31mred".to_string()), "{refs:?}");
    assert!(refs.contains(&"stale.lock".to_string()), "{refs:?}");
}

#[test]
fn objects_borrowed_through_alternates_are_not_listed_as_this_repositorys() {
    let src = repo();
    git(src.path(), &["checkout", "-q", "-b", "other"]);
    src.write("other.env", format!("K={}\n", acme_token(190)));
    commit(
        src.path(),
        9,
        "another project's key, unreferenced once the branch is gone",
    );
    git(src.path(), &["checkout", "-q", "-b", "main-tmp"]);
    git(src.path(), &["checkout", "-q", "--orphan", "main"]);
    git(src.path(), &["rm", "-rfq", "."]);
    git(src.path(), &["branch", "-q", "-D", "other", "main-tmp"]);
    let (commits, _) = three_secrets(&src);
    let dest = Fixture::new();
    let url = src.path().to_str().unwrap();
    git(dest.path(), &["clone", "-q", "--shared", url, "clone"]);
    let clone = dest.path().join("clone");
    std::fs::remove_file(loose_object(src.path(), &commits[1])).unwrap();

    let (code, report, stderr) = scan(&clone, &["scan", "--history", "."]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(skipped(&report, "missing-object"), 1);
    assert!(notes(&report).contains("alternates"), "{report:#}");
    let found = paths(&acme(&report));
    assert!(!found.contains(&"other.env".to_string()), "{found:?}");
    assert!(found.contains(&"s3.env".to_string()), "{found:?}");
}

#[test]
fn a_blobless_partial_clone_scans_what_it_holds_and_fails_when_it_holds_nothing() {
    let src = repo();
    src.write("app.env", format!("OLD={}\n", acme_token(200)));
    commit(src.path(), 1, "old key");
    src.write("app.env", format!("NEW={}\n", acme_token(201)));
    commit(src.path(), 2, "new key");
    git(src.path(), &["config", "uploadpack.allowFilter", "true"]);
    let url = format!("file://{}", src.path().display());
    let dest = Fixture::new();
    git(
        dest.path(),
        &["clone", "-q", "--filter=blob:none", &url, "checked-out"],
    );
    git(
        dest.path(),
        &[
            "clone",
            "-q",
            "--filter=blob:none",
            "--no-checkout",
            &url,
            "bare-ish",
        ],
    );

    // The checkout fetched HEAD's blob only: the old version is missing, and said so.
    let (code, report, stderr) = scan(
        &dest.path().join("checked-out"),
        &["scan", "--history", "."],
    );
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(skipped(&report, "missing-object"), 1, "{report:#}");
    assert_eq!(acme(&report).len(), 1);
    assert_eq!(stderr.lines().filter(|l| l.contains("warning")).count(), 1);

    // Without a checkout no blob is present: an error, not a clean report.
    let (code, _, stderr) = scan(&dest.path().join("bare-ish"), &["scan", "--history", "."]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("could not read any blob"), "{stderr}");
}

/// A tree entry with a mode outside git's five (`100645`, which `git fsck` flags but libgit2
/// reads) made `--range` panic inside git2's `DiffFile::mode` (found by the `git_diff` fuzz
/// target). The range is scanned and the key in that file is found.
#[test]
fn a_tree_entry_with_an_unknown_mode_is_scanned_by_a_range() {
    let fx = repo();
    fx.write("README", "hello\n");
    let base = commit(fx.path(), 1, "base");
    let key = acme_token(170);
    let key_file = fx.write("odd.env", format!("K={key}\n"));
    let blob = git(
        fx.path(),
        &["hash-object", "-w", key_file.to_str().unwrap()],
    );
    std::fs::remove_file(key_file).unwrap();
    // `git mktree` refuses the mode, so the tree object is written by hand.
    let mut raw = b"100645 odd.env\0".to_vec();
    raw.extend((0..20).map(|i| u8::from_str_radix(&blob[2 * i..2 * i + 2], 16).unwrap()));
    let tree_file = fx.write("tree.bin", raw);
    let tree = git(
        fx.path(),
        &[
            "hash-object",
            "-t",
            "tree",
            "-w",
            "--literally",
            tree_file.to_str().unwrap(),
        ],
    );
    std::fs::remove_file(tree_file).unwrap();
    let head = git(
        fx.path(),
        &["commit-tree", &tree, "-p", &base, "-m", "odd mode"],
    );
    git(fx.path(), &["update-ref", "refs/heads/main", &head]);

    let range = format!("{base}..{head}");
    let (code, report, stderr) = scan(fx.path(), &["scan", "--range", &range]);
    assert_eq!(code, 1, "stderr: {stderr}");
    assert!(!stderr.contains("internal error"), "{stderr}");
    assert_eq!(paths(&acme(&report)), ["odd.env"]);
}

/// The search for the commit that removed a secret has a budget (200 searches per scan). It is
/// spent in a fixed order — most severe first, then by path — so every run, and a scan and a
/// sweep of the same history, name the same removing commits; before, hash-map order decided.
#[test]
fn the_removal_search_budget_is_spent_in_path_order() {
    let fx = repo();
    let n = 205;
    for i in 0..n {
        fx.write(
            &format!("keys/k{i:03}.env"),
            format!("K={}\n", acme_token(1000 + i)),
        );
    }
    commit(fx.path(), 1, "add keys");
    std::fs::remove_dir_all(fx.path().join("keys")).unwrap();
    fx.write("README", "keys removed\n");
    let removal = commit(fx.path(), 2, "remove keys");
    let (code, report, stderr) = scan(fx.path(), &["scan", "--history", "."]);
    assert_eq!(code, 1, "{stderr}");
    let found = acme(&report);
    assert_eq!(found.len(), n as usize);
    let mut named: Vec<(String, bool)> = found
        .iter()
        .map(|f| {
            let path = f["location"]["path"].as_str().unwrap().to_string();
            let removed = f["removed_in"].as_str() == Some(removal.as_str());
            (path, removed)
        })
        .collect();
    named.sort();
    let with: Vec<&str> = named.iter().filter(|n| n.1).map(|n| n.0.as_str()).collect();
    assert_eq!(with.len(), 200);
    assert_eq!(with.first().copied(), Some("keys/k000.env"));
    assert_eq!(with.last().copied(), Some("keys/k199.env"));
}

/// A file that was binary (a NUL byte) and is replaced by text holding a key: libgit2's patch
/// of a binary change has no lines, so `--range` and `--staged` read nothing of it and reported
/// a clean scan. The new version is now read whole.
#[test]
fn a_binary_file_turned_into_text_with_a_key_is_scanned_by_range_and_staged() {
    let fx = repo();
    fx.write("blob.env", b"header\0binary\n");
    let base = commit(fx.path(), 1, "binary");
    fx.write("blob.env", format!("K={}\n", acme_token(180)));
    let head = commit(fx.path(), 2, "now text");
    let range = format!("{base}..{head}");
    let (code, report, stderr) = scan(fx.path(), &["scan", "--range", &range]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(paths(&acme(&report)), ["blob.env"]);

    fx.write("staged.env", b"a\0b\n");
    commit(fx.path(), 3, "binary again");
    fx.write("staged.env", format!("K={}\n", acme_token(181)));
    git(fx.path(), &["add", "staged.env"]);
    let (code, report, stderr) = scan(fx.path(), &["scan", "--staged", "."]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(paths(&acme(&report)), ["staged.env"]);
}
