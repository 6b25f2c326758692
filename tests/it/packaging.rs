//! What the published packages hold: the crate (and the Python sdist, which maturin builds from
//! the same `cargo package` list) ships what it takes to build the binary and nothing that looks
//! like a credential; pyproject.toml builds the `keytrace` command from Cargo.toml's version; the
//! pre-commit hooks file offers the Python-installed hook first and keeps the cargo-built one.

use super::common::{Fixture, keytrace};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `cargo package --list`: the files `cargo publish` would upload, as paths relative to the root.
fn packaged_files() -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let out = Command::new(cargo)
        .args(["package", "--list", "--allow-dirty", "--offline", "--quiet"])
        .current_dir(manifest_dir())
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo package --list failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("UTF-8 file list")
        .lines()
        .map(str::to_string)
        .collect()
}

/// Files cargo writes into the package itself (not copies of work-tree files).
fn generated_by_cargo(path: &str) -> bool {
    matches!(path, "Cargo.toml.orig" | ".cargo_vcs_info.json")
}

#[test]
fn crate_package_has_rules_and_build_script_and_no_fixtures() {
    let files = packaged_files();
    let listed: BTreeSet<&str> = files.iter().map(String::as_str).collect();
    for needed in [
        "Cargo.toml",
        "Cargo.lock",
        "build.rs",
        "README.md",
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "src/main.rs",
        "src/lib.rs",
    ] {
        assert!(listed.contains(needed), "{needed} is not packaged");
    }
    // build.rs embeds every rules/*.toml: a missing one would silently drop a rule.
    let mut rule_files = 0;
    for entry in std::fs::read_dir(manifest_dir().join("rules")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".toml") {
            rule_files += 1;
            let path = format!("rules/{name}");
            assert!(listed.contains(path.as_str()), "{path} is not packaged");
        }
    }
    assert!(rule_files > 0, "no rules found in the source tree");
    for path in &files {
        let allowed = path.starts_with("src/") && path.ends_with(".rs")
            || path.starts_with("rules/") && path.ends_with(".toml")
            || !path.contains('/');
        assert!(allowed, "{path} should not be packaged");
        for dir in [
            "tests/",
            "fuzz/",
            "examples/",
            "benches/",
            "docs/",
            "target/",
        ] {
            assert!(!path.starts_with(dir), "{path} should not be packaged");
        }
    }
}

/// Outside `rules/` (each rule's positive examples, embedded by build.rs) and `src/` (the
/// scanner's own unit tests), no packaged file may hold anything keytrace calls a credential.
#[test]
fn crate_package_holds_no_secret_outside_rules_and_sources() {
    let fx = Fixture::new();
    let mut copied = 0;
    for path in packaged_files() {
        if generated_by_cargo(&path) || path.starts_with("rules/") || path.starts_with("src/") {
            continue;
        }
        let bytes = std::fs::read(manifest_dir().join(&path))
            .unwrap_or_else(|e| panic!("packaged {path} unreadable: {e}"));
        fx.write(&path, bytes);
        copied += 1;
    }
    assert!(copied >= 5, "only {copied} top-level files packaged");
    // README's prose trips the generic detector at medium confidence (placeholders such as
    // `DB_PaSsWoRd`); anything high-confidence would be a real-looking credential.
    let out = keytrace()
        .args(["scan", "--no-progress", "--confidence", "high", "."])
        .current_dir(fx.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "packaged files hold credentials:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// The same check finds a planted key: the test above would catch a fixture slipping in.
#[test]
fn package_secret_check_catches_a_demo_key() {
    let fx = Fixture::new();
    let demo = std::fs::read(manifest_dir().join("examples/demo/deploy.sh")).unwrap();
    fx.write("deploy.sh", demo);
    let out = keytrace()
        .args(["scan", "--no-progress", "--confidence", "high", "."])
        .current_dir(fx.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn pyproject_builds_the_binary_with_the_cargo_version() {
    let text = std::fs::read_to_string(manifest_dir().join("pyproject.toml")).unwrap();
    let py: toml::Value = toml::from_str(&text).unwrap();
    assert_eq!(
        py["build-system"]["build-backend"].as_str(),
        Some("maturin")
    );
    assert_eq!(py["project"]["name"].as_str(), Some("keytrace"));
    assert!(
        py["project"].get("version").is_none(),
        "version must come from Cargo.toml"
    );
    let dynamic = py["project"]["dynamic"].as_array().unwrap();
    assert!(dynamic.iter().any(|d| d.as_str() == Some("version")));
    assert_eq!(py["tool"]["maturin"]["bindings"].as_str(), Some("bin"));
}

#[test]
fn pre_commit_hooks_python_first_rust_kept() {
    let text = std::fs::read_to_string(manifest_dir().join(".pre-commit-hooks.yaml")).unwrap();
    let hooks: Vec<serde_json::Value> = serde_norway::from_str(&text).unwrap();
    let hook = |id: &str| {
        hooks
            .iter()
            .find(|h| h["id"] == id)
            .unwrap_or_else(|| panic!("hook {id} missing"))
            .clone()
    };
    for (python, rust) in [
        ("keytrace", "keytrace-rust"),
        ("keytrace-files", "keytrace-files-rust"),
    ] {
        let (p, r) = (hook(python), hook(rust));
        assert_eq!(p["language"], "python", "{python}");
        assert_eq!(r["language"], "rust", "{rust}");
        assert_eq!(
            p["entry"], r["entry"],
            "{python} and {rust} must run the same command"
        );
        assert_eq!(p["pass_filenames"], r["pass_filenames"]);
    }
    assert!(
        hook("keytrace")["entry"]
            .as_str()
            .unwrap()
            .starts_with("keytrace scan --staged")
    );
}

/// The hook repository rendered for a release (scripts/precommit-mirror.py): its hooks are
/// exactly this repository's Python hooks, and its package pulls exactly this version's wheel, so
/// pre-commit installs the prebuilt binary instead of compiling. (scripts/test-precommit.sh runs
/// it through pre-commit with pip offline and no cargo on PATH.)
#[test]
fn pre_commit_mirror_pins_this_version_and_copies_the_python_hooks() {
    let out_dir = Fixture::new();
    let render = |version: &str, dir: &Path| {
        Command::new("python3")
            .arg(manifest_dir().join("scripts/precommit-mirror.py"))
            .arg(version)
            .arg(dir)
            .output()
            .expect("python3 runs")
    };
    let cargo: toml::Value =
        toml::from_str(&std::fs::read_to_string(manifest_dir().join("Cargo.toml")).unwrap())
            .unwrap();
    let version = cargo["package"]["version"].as_str().unwrap();
    let dir = out_dir.path().join("mirror");
    let out = render(version, &dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let ours: Vec<serde_json::Value> = serde_norway::from_str(
        &std::fs::read_to_string(manifest_dir().join(".pre-commit-hooks.yaml")).unwrap(),
    )
    .unwrap();
    let mirrored: Vec<serde_json::Value> = serde_norway::from_str(
        &std::fs::read_to_string(dir.join(".pre-commit-hooks.yaml")).unwrap(),
    )
    .unwrap();
    let python: Vec<_> = ours
        .into_iter()
        .filter(|h| h["language"] == "python")
        .collect();
    assert!(!python.is_empty());
    assert_eq!(mirrored, python);

    let py: toml::Value =
        toml::from_str(&std::fs::read_to_string(dir.join("pyproject.toml")).unwrap()).unwrap();
    assert_eq!(py["project"]["version"].as_str(), Some(version));
    let deps: Vec<_> = py["project"]["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d.as_str())
        .collect();
    assert_eq!(deps, [format!("keytrace=={version}")]);
    assert_ne!(
        py["build-system"]["build-backend"].as_str(),
        Some("maturin")
    );

    // Not a release version: refused with one line, nothing written.
    let bad = out_dir.path().join("bad");
    let out = render("main", &bad);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a release version"));
    assert!(!bad.exists());
}
