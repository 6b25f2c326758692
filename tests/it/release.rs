//! Installing without a Rust toolchain (issue 15): the Action's installer against a fake
//! GitHub release served over HTTP (good archive, bad checksum, missing release, hostile
//! archive), the runner → target mapping against the release workflow's matrix, the release
//! workflow's shape and actionlint, action.yml's install steps, and the Dockerfile.

use super::common::Fixture;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn yaml(rel: &str) -> serde_json::Value {
    serde_norway::from_str(&read(rel)).unwrap_or_else(|e| panic!("{rel} is not YAML: {e}"))
}

// ---- a fake release server ----

/// `python3 -m http.server` on a free loopback port, serving `dir`; killed on drop.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(dir: &Path) -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("python3")
            .args([
                "-m",
                "http.server",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
            ])
            .arg("--directory")
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "http.server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Server {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Run python3 `code` with `args`; panics on failure.
fn python(code: &str, args: &[&str]) -> String {
    let out = Command::new("python3")
        .arg("-c")
        .arg(code)
        .args(args)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Write `archive` (a .tar.gz or .zip) holding `members`: (name in the archive, file to put).
fn make_archive(archive: &Path, members: &[(&str, &Path)]) {
    let mut args = vec![archive.to_str().unwrap().to_string()];
    for (name, file) in members {
        args.push(name.to_string());
        args.push(file.to_str().unwrap().to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    python(
        r#"
import sys, tarfile, zipfile
out, rest = sys.argv[1], sys.argv[2:]
pairs = list(zip(rest[0::2], rest[1::2]))
if out.endswith(".zip"):
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, path in pairs:
            z.write(path, name)
else:
    with tarfile.open(out, "w:gz", compresslevel=1) as t:
        for name, path in pairs:
            t.add(path, name)
"#,
        &args,
    );
}

/// The SHA-256 of `file`, hex.
fn sha256(file: &Path) -> String {
    python(
        "import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], 'rb').read()).hexdigest())",
        &[file.to_str().unwrap()],
    )
}

/// The archive name the installer asks for (`keytrace-<version>-<target>.<ext>`), as the release
/// workflow's package step writes it.
fn archive_name(version: &str, target: &str) -> String {
    let ext = if target.contains("windows") {
        "zip"
    } else {
        "tar.gz"
    };
    format!("keytrace-{version}-{target}.{ext}")
}

/// The real keytrace binary (large, unstripped: used where the installed binary must run).
fn real_binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_keytrace"))
}

/// A small stand-in binary for tests that only check which bytes land where.
fn small_binary(fx: &Fixture) -> PathBuf {
    fx.write("stand-in/keytrace", "#!/bin/sh\necho stand-in\n")
}

/// Lay out release `v<version>` under `site` with `binary` as the keytrace binary for `target`,
/// and its `.sha256` file; returns the archive's path.
fn publish(fx: &Fixture, site: &Path, version: &str, target: &str, binary: &Path) -> PathBuf {
    let dir = site.join(format!("v{version}"));
    std::fs::create_dir_all(&dir).unwrap();
    let name = archive_name(version, target);
    let exe = if target.contains("windows") {
        "keytrace.exe"
    } else {
        "keytrace"
    };
    let readme = fx.write("pkg/README.md", "keytrace\n");
    let archive = dir.join(&name);
    make_archive(
        &archive,
        &[
            (&format!("keytrace-{version}-{target}/{exe}"), binary),
            (&format!("keytrace-{version}-{target}/README.md"), &readme),
        ],
    );
    std::fs::write(
        dir.join(format!("{name}.sha256")),
        format!("{}  {name}\n", sha256(&archive)),
    )
    .unwrap();
    archive
}

// ---- the installer ----

/// What one run of scripts/action-install.py did.
struct Install {
    code: i32,
    stderr: String,
    outputs: Vec<(String, String)>,
    github_path: String,
}

impl Install {
    fn output(&self, key: &str) -> &str {
        self.outputs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no output {key}: {:?} {}", self.outputs, self.stderr))
    }
}

/// Run the installer as the Action does, with GITHUB_OUTPUT / GITHUB_PATH files in `fx` and no
/// inherited runner or installer variables besides `env`.
fn install(fx: &Fixture, args: &[&str], env: &[(&str, &str)]) -> Install {
    let outputs = fx.path().join("github-output");
    let path_file = fx.path().join("github-path");
    let _ = std::fs::remove_file(&outputs);
    let _ = std::fs::remove_file(&path_file);
    let mut cmd = Command::new(python_exe());
    cmd.arg(root().join("scripts/action-install.py"))
        .args(args)
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_PATH", &path_file);
    for var in [
        "RUNNER_OS",
        "RUNNER_ARCH",
        "INPUT_VERSION",
        "KEYTRACE_ACTION_REF",
        "KEYTRACE_RELEASE_BASE_URL",
        "KEYTRACE_CACHE_HIT",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("python3 runs");
    Install {
        code: out.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        outputs: std::fs::read_to_string(&outputs)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        github_path: std::fs::read_to_string(&path_file).unwrap_or_default(),
    }
}

/// The real python interpreter (not a shim that needs PATH), so tests may run it with any PATH.
fn python_exe() -> PathBuf {
    PathBuf::from(python("import sys; print(sys.executable)", &[]))
}

fn one_line(stderr: &str) -> &str {
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line expected: {stderr}");
    lines[0]
}

fn dest(fx: &Fixture) -> String {
    fx.path().join("dest").to_str().unwrap().to_string()
}

#[test]
fn a_verified_release_archive_is_installed_on_path_and_runs() {
    let fx = Fixture::new();
    let site = fx.path().join("site");
    publish(
        &fx,
        &site,
        "9.8.7",
        "x86_64-unknown-linux-musl",
        real_binary(),
    );
    let server = Server::start(&site);
    let dest = dest(&fx);
    let r = install(
        &fx,
        &[
            "release",
            "--version",
            "v9.8.7",
            "--os",
            "Linux",
            "--arch",
            "X64",
        ],
        &[
            ("KEYTRACE_RELEASE_BASE_URL", &server.url),
            ("HOME", fx.path().to_str().unwrap()),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let _ = &dest;
    assert_eq!(r.output("source"), "release");
    assert_eq!(r.output("version"), "9.8.7");
    assert_eq!(r.output("target"), "x86_64-unknown-linux-musl");
    let bin = PathBuf::from(r.output("bin"));
    assert_eq!(
        r.github_path.trim(),
        bin.parent().unwrap().to_str().unwrap(),
        "the binary's directory goes on PATH"
    );
    let out = Command::new(&bin).arg("--version").output().unwrap();
    assert!(out.status.success());
    let version = String::from_utf8_lossy(&out.stdout);
    assert!(version.starts_with("keytrace "), "{version}");
}

#[test]
fn the_actions_own_release_tag_picks_the_version() {
    let fx = Fixture::new();
    let site = fx.path().join("site");
    let binary = small_binary(&fx);
    publish(&fx, &site, "1.2.3", "aarch64-apple-darwin", &binary);
    let server = Server::start(&site);
    let dest = dest(&fx);
    let r = install(
        &fx,
        &["release", "--dest", &dest],
        &[
            ("KEYTRACE_RELEASE_BASE_URL", &server.url),
            ("KEYTRACE_ACTION_REF", "v1.2.3"),
            ("RUNNER_OS", "macOS"),
            ("RUNNER_ARCH", "ARM64"),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.output("source"), "release");
    assert_eq!(r.output("version"), "1.2.3");
    assert_eq!(
        std::fs::read(Path::new(&dest).join("bin/keytrace")).unwrap(),
        std::fs::read(&binary).unwrap()
    );
}

#[test]
fn a_windows_zip_installs_keytrace_exe() {
    let fx = Fixture::new();
    let site = fx.path().join("site");
    let binary = small_binary(&fx);
    publish(&fx, &site, "0.3.0", "x86_64-pc-windows-msvc", &binary);
    let server = Server::start(&site);
    let dest = dest(&fx);
    let r = install(
        &fx,
        &["release", "--version", "0.3.0", "--dest", &dest],
        &[
            ("KEYTRACE_RELEASE_BASE_URL", &server.url),
            ("RUNNER_OS", "Windows"),
            ("RUNNER_ARCH", "X64"),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let bin = Path::new(&dest).join("bin").join("keytrace.exe");
    assert_eq!(r.output("bin"), bin.to_str().unwrap());
    assert_eq!(
        std::fs::read(&bin).unwrap(),
        std::fs::read(&binary).unwrap()
    );
}

#[test]
fn a_checksum_mismatch_is_refused_in_one_line_and_installs_nothing() {
    let fx = Fixture::new();
    let site = fx.path().join("site");
    let binary = small_binary(&fx);
    let archive = publish(&fx, &site, "2.0.0", "x86_64-unknown-linux-musl", &binary);
    // The archive is swapped after its checksum was published.
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&archive)
        .unwrap();
    f.write_all(b"tampered").unwrap();
    drop(f);
    let server = Server::start(&site);
    let dest = dest(&fx);
    let r = install(
        &fx,
        &[
            "release",
            "--version",
            "2.0.0",
            "--os",
            "Linux",
            "--arch",
            "X64",
            "--dest",
            &dest,
        ],
        &[("KEYTRACE_RELEASE_BASE_URL", &server.url)],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let line = one_line(&r.stderr);
    assert!(
        line.starts_with("keytrace-install: error: checksum mismatch for keytrace-2.0.0-"),
        "{line}"
    );
    assert!(
        line.contains(&sha256(&archive)),
        "names the digest it got: {line}"
    );
    assert!(!Path::new(&dest).join("bin/keytrace").exists());
    assert!(r.github_path.is_empty(), "nothing put on PATH");
    assert!(
        !r.outputs.iter().any(|(k, v)| k == "source" && v == "build"),
        "a tampered release never falls back to building: {:?}",
        r.outputs
    );
}

#[test]
fn an_archive_without_its_checksum_file_is_refused() {
    let fx = Fixture::new();
    let site = fx.path().join("site");
    let binary = small_binary(&fx);
    let archive = publish(&fx, &site, "2.1.0", "x86_64-unknown-linux-musl", &binary);
    std::fs::remove_file(format!("{}.sha256", archive.display())).unwrap();
    let server = Server::start(&site);
    let dest = dest(&fx);
    let r = install(
        &fx,
        &[
            "release",
            "--version",
            "2.1.0",
            "--os",
            "Linux",
            "--arch",
            "X64",
            "--dest",
            &dest,
        ],
        &[("KEYTRACE_RELEASE_BASE_URL", &server.url)],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let line = one_line(&r.stderr);
    assert!(line.contains("no checksum file"), "{line}");
    assert!(!Path::new(&dest).join("bin/keytrace").exists());
}

#[test]
fn a_missing_release_falls_back_to_building_from_the_actions_sources() {
    let fx = Fixture::new();
    let site = fx.path().join("site");
    std::fs::create_dir_all(&site).unwrap();
    let server = Server::start(&site);
    let dest = dest(&fx);
    let r = install(
        &fx,
        &[
            "release",
            "--version",
            "3.0.0",
            "--os",
            "Linux",
            "--arch",
            "ARM64",
            "--dest",
            &dest,
        ],
        &[("KEYTRACE_RELEASE_BASE_URL", &server.url)],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.output("source"), "build");
    assert!(r.stderr.contains("404"), "{}", r.stderr);
    assert!(r.github_path.is_empty());
    // The build step, dry: the command it would run builds the given sources into dest.
    let sources = root().to_str().unwrap();
    let b = install(
        &fx,
        &[
            "build",
            "--dry-run",
            "--source",
            sources,
            "--dest",
            &dest,
            "--os",
            "Linux",
        ],
        &[],
    );
    assert_eq!(b.code, 0, "{}", b.stderr);
    assert!(
        b.stderr.contains(&format!(
            "would run: cargo install --locked --path {sources} --root {dest}"
        )),
        "{}",
        b.stderr
    );
    assert_eq!(
        b.output("bin"),
        Path::new(&dest).join("bin/keytrace").to_str().unwrap()
    );
}

#[test]
fn a_cached_build_is_reused_and_put_on_path_without_cargo() {
    let fx = Fixture::new();
    let dest = dest(&fx);
    let bin = fx.write("dest/bin/keytrace", "cached");
    let b = install(
        &fx,
        &["build", "--dest", &dest, "--os", "Linux"],
        // An empty PATH: if the script ran cargo, it could not find it and would fail.
        &[("KEYTRACE_CACHE_HIT", "true"), ("PATH", "")],
    );
    assert_eq!(b.code, 0, "{}", b.stderr);
    assert!(b.stderr.contains("cached build"), "{}", b.stderr);
    assert_eq!(
        b.github_path.trim(),
        bin.parent().unwrap().to_str().unwrap()
    );
}

#[test]
fn branch_refs_major_tags_and_shas_build_without_asking_the_network() {
    let fx = Fixture::new();
    // Nothing listens on port 9: a download attempt would fail the step.
    for action_ref in ["main", "v1", "0123456789abcdef0123456789abcdef01234567", ""] {
        let r = install(
            &fx,
            &["release", "--os", "Linux", "--arch", "X64", "--dry-run"],
            &[
                ("KEYTRACE_ACTION_REF", action_ref),
                ("KEYTRACE_RELEASE_BASE_URL", "http://127.0.0.1:9"),
            ],
        );
        assert_eq!(r.code, 0, "{action_ref}: {}", r.stderr);
        assert_eq!(r.output("source"), "build", "{action_ref}");
    }
}

#[test]
fn an_unreachable_release_server_fails_instead_of_building() {
    let fx = Fixture::new();
    let r = install(
        &fx,
        &[
            "release",
            "--version",
            "1.0.0",
            "--os",
            "Linux",
            "--arch",
            "X64",
        ],
        &[("KEYTRACE_RELEASE_BASE_URL", "http://127.0.0.1:9")],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        one_line(&r.stderr).starts_with("keytrace-install: error: downloading "),
        "{}",
        r.stderr
    );
}

#[test]
fn a_version_input_that_is_not_a_version_is_one_error_line() {
    let fx = Fixture::new();
    let r = install(&fx, &["release", "--version", "latest; rm -rf /"], &[]);
    assert_eq!(r.code, 1);
    assert!(
        one_line(&r.stderr).contains("is not a release version"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_hostile_archive_writes_nothing_outside_the_binary() {
    let fx = Fixture::new();
    let site = fx.path().join("site");
    let dir = site.join("v4.0.0");
    std::fs::create_dir_all(&dir).unwrap();
    let name = archive_name("4.0.0", "x86_64-unknown-linux-musl");
    let payload = fx.write("payload", "owned");
    let binary = small_binary(&fx);
    let archive = dir.join(&name);
    make_archive(
        &archive,
        &[
            ("../../escaped", &payload),
            ("/abs-escaped", &payload),
            ("keytrace-4.0.0/keytrace", &binary),
        ],
    );
    std::fs::write(
        dir.join(format!("{name}.sha256")),
        format!("{}  {name}\n", sha256(&archive)),
    )
    .unwrap();
    let server = Server::start(&site);
    let dest = fx.path().join("a/b/dest");
    let r = install(
        &fx,
        &[
            "release",
            "--version",
            "4.0.0",
            "--os",
            "Linux",
            "--arch",
            "X64",
            "--dest",
            dest.to_str().unwrap(),
        ],
        &[("KEYTRACE_RELEASE_BASE_URL", &server.url)],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut entries: Vec<_> = walk(fx.path())
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().contains("escaped"))
        })
        .collect();
    entries.sort();
    assert!(entries.is_empty(), "{entries:?}");
    assert!(!Path::new("/abs-escaped").exists());
    assert_eq!(
        std::fs::read_dir(dest.join("bin")).unwrap().count(),
        1,
        "only the binary"
    );
    assert_eq!(
        std::fs::read(dest.join("bin/keytrace")).unwrap(),
        std::fs::read(&binary).unwrap()
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p.clone());
            }
            out.push(p);
        }
    }
    out
}

/// The release workflow's binary targets: its `binaries` job matrix.
fn workflow_targets() -> Vec<String> {
    let wf = yaml(".github/workflows/release.yml");
    let mut targets: Vec<String> = wf["jobs"]["binaries"]["strategy"]["matrix"]["include"]
        .as_array()
        .expect("binaries matrix")
        .iter()
        .map(|e| e["target"].as_str().unwrap().to_string())
        .collect();
    targets.sort();
    targets
}

#[test]
fn every_runner_maps_to_a_target_the_release_workflow_builds() {
    let fx = Fixture::new();
    let runners = [
        ("Linux", "X64", "x86_64", "linux"),
        ("Linux", "ARM64", "aarch64", "linux-musl"),
        ("macOS", "X64", "x86_64", "apple-darwin"),
        ("macOS", "ARM64", "aarch64", "apple-darwin"),
        ("Windows", "X64", "x86_64", "windows"),
    ];
    let mut mapped = Vec::new();
    for (os, arch, cpu, system) in runners {
        let out = Command::new("python3")
            .arg(root().join("scripts/action-install.py"))
            .args(["target", "--os", os, "--arch", arch])
            .output()
            .unwrap();
        assert!(out.status.success(), "{os}/{arch}");
        let target = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(
            target.starts_with(cpu) && target.contains(system),
            "{os}/{arch} -> {target}"
        );
        if os == "Linux" {
            assert!(target.ends_with("-musl"), "static Linux binaries: {target}");
        }
        mapped.push(target);
    }
    mapped.sort();
    assert_eq!(
        mapped,
        workflow_targets(),
        "the installer asks for exactly what the release builds"
    );
    // No prebuilt binary: said in one line, so the Action builds instead.
    let r = install(&fx, &["target", "--os", "Windows", "--arch", "ARM64"], &[]);
    assert_eq!(r.code, 1);
    assert!(
        one_line(&r.stderr).contains("Windows/ARM64"),
        "{}",
        r.stderr
    );
}

// ---- the release workflow ----

/// Every `uses:` in the workflows and action.yml, with the file it is in.
fn all_uses() -> Vec<(String, String)> {
    let mut files = vec!["action.yml".to_string()];
    for e in std::fs::read_dir(root().join(".github/workflows")).unwrap() {
        let p = e.unwrap().path();
        files.push(format!(
            ".github/workflows/{}",
            p.file_name().unwrap().to_string_lossy()
        ));
    }
    let mut out = Vec::new();
    for f in files {
        for line in read(&f).lines() {
            if let Some(u) = line
                .trim_start()
                .trim_start_matches("- ")
                .strip_prefix("uses:")
            {
                let u = u.split(" #").next().unwrap().trim().to_string();
                out.push((f.clone(), u));
            }
        }
    }
    out
}

#[test]
fn workflow_actions_are_pinned_by_commit_sha() {
    let uses = all_uses();
    assert!(uses.len() >= 10, "{uses:?}");
    for (file, u) in &uses {
        if u == "./" {
            // The Action itself, from the checkout (ci.yml).
            continue;
        }
        let (_, rev) = u.split_once('@').unwrap_or_else(|| panic!("{file}: {u}"));
        if file == "action.yml" {
            // action.yml keeps major tags, checked by tests/it/action.rs (upload-sarif@v4).
            continue;
        }
        assert!(
            rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit()),
            "{file}: {u} is not pinned by commit"
        );
    }
}

#[test]
fn the_release_workflow_ships_binaries_wheels_crate_and_image() {
    let wf = yaml(".github/workflows/release.yml");
    let text = read(".github/workflows/release.yml");
    assert_eq!(wf["on"]["push"]["tags"][0], "v*");
    assert_eq!(
        wf["permissions"]["contents"], "read",
        "read-only by default"
    );
    let jobs = &wf["jobs"];
    let steps_text = |job: &str| jobs[job]["steps"].to_string();

    // Binaries: five targets, archived, checksummed, attested.
    assert_eq!(workflow_targets().len(), 5);
    let bin = &jobs["binaries"];
    assert_eq!(bin["permissions"]["id-token"], "write");
    assert_eq!(bin["permissions"]["attestations"], "write");
    let s = steps_text("binaries");
    assert!(s.contains("actions/attest-build-provenance@"), "{s}");
    assert!(s.contains(r#"name=\"keytrace-$VERSION-$TARGET\""#), "{s}");
    assert!(
        s.contains(".tar.gz") && s.contains(".zip") && s.contains(".sha256"),
        "{s}"
    );
    assert!(s.contains("zigbuild"), "musl via cargo-zigbuild: {s}");

    // The release: every checksum verified, SHA256SUMS, uploaded with write permission there only.
    assert_eq!(jobs["github-release"]["permissions"]["contents"], "write");
    let s = steps_text("github-release");
    assert!(
        s.contains("SHA256SUMS") && s.contains("gh release upload"),
        "{s}"
    );

    // Wheels with maturin, published by trusted publishing (id-token, no password).
    assert!(steps_text("wheels").contains("PyO3/maturin-action@"));
    assert_eq!(jobs["pypi"]["permissions"]["id-token"], "write");
    let s = steps_text("pypi");
    assert!(s.contains("pypa/gh-action-pypi-publish@"), "{s}");
    assert!(
        !s.contains("password"),
        "trusted publishing needs no token: {s}"
    );

    // The crate, with the token secret.
    let s = steps_text("crate");
    assert!(
        s.contains("cargo publish") && s.contains("secrets.CARGO_REGISTRY_TOKEN"),
        "{s}"
    );

    // The image, pushed to ghcr.io from the Dockerfile.
    assert_eq!(jobs["image"]["permissions"]["packages"], "write");
    let s = steps_text("image");
    assert!(
        s.contains("docker/build-push-action@") && s.contains("ghcr.io"),
        "{s}"
    );

    // Every job that publishes waits for the binaries (a broken build publishes nothing).
    for job in ["github-release", "pypi", "crate", "image"] {
        assert!(
            jobs[job]["needs"].to_string().contains("binaries"),
            "{job} must need binaries"
        );
    }
    assert!(!text.contains("pull_request_target"));
}

#[test]
fn every_workflow_passes_actionlint() {
    let out = Command::new("bash")
        .arg(root().join("scripts/actionlint.sh"))
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    if stdout.contains("SKIPPED") {
        eprintln!(
            "SKIPPED every_workflow_passes_actionlint: {}",
            stdout.trim()
        );
        return;
    }
    assert!(
        out.status.success(),
        "actionlint: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn actionlint_script_reports_a_broken_workflow() {
    let fx = Fixture::new();
    let bad = fx.write(
        ".github/workflows/bad.yml",
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.no_such_property }}\n",
    );
    let out = Command::new("bash")
        .arg(root().join("scripts/actionlint.sh"))
        .arg(&bad)
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    if stdout.contains("SKIPPED") {
        eprintln!(
            "SKIPPED actionlint_script_reports_a_broken_workflow: {}",
            stdout.trim()
        );
        return;
    }
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("no_such_property"), "{stdout}");
}

// ---- action.yml's install steps ----

#[test]
fn the_action_installs_with_python_and_builds_only_as_a_fallback() {
    let action = yaml("action.yml");
    for input in ["version", "install-only"] {
        assert!(action["inputs"][input].is_object(), "input {input}");
    }
    assert_eq!(action["inputs"]["install-only"]["default"], "false");
    let steps = action["runs"]["steps"].as_array().unwrap();
    let step = |id: &str| {
        steps
            .iter()
            .find(|s| s["id"] == id)
            .unwrap_or_else(|| panic!("step {id}"))
    };
    // The first step installs the release, on python (no bash on Windows).
    assert_eq!(steps[0]["id"], "release");
    let release = step("release");
    assert_eq!(release["shell"], "python");
    assert!(
        release["run"]
            .as_str()
            .unwrap()
            .contains("action-install.py")
    );
    assert!(
        release["env"]["KEYTRACE_ACTION_REF"]
            .as_str()
            .unwrap()
            .contains("github.action_ref")
    );
    assert!(
        release["env"]["INPUT_VERSION"]
            .as_str()
            .unwrap()
            .contains("inputs.version")
    );
    // The build path (hash, cache, cargo) runs only when no release matched.
    for id in ["sources", "cache", "build"] {
        assert_eq!(
            step(id)["if"],
            "steps.release.outputs.source == 'build'",
            "{id}"
        );
    }
    assert_eq!(step("build")["shell"], "python");
    // install-only skips everything after installing.
    for s in steps.iter().skip_while(|s| s["id"] != "scan") {
        let cond = s["if"].as_str().unwrap_or("");
        assert!(
            cond.contains("inputs.install-only != 'true'"),
            "{} runs with install-only: {cond}",
            s["name"]
        );
    }
    assert_eq!(step("scan")["env"]["KEYTRACE_BIN"], "keytrace", "from PATH");
}

// ---- the container image ----

#[test]
fn the_dockerfile_builds_a_static_binary_onto_a_small_base_with_git_as_non_root() {
    let text = read("Dockerfile");
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect();
    let froms: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with("FROM "))
        .collect();
    assert!(froms.len() >= 2, "multi-stage: {froms:?}");
    assert!(
        lines[froms[0]].contains(" AS builder"),
        "{}",
        lines[froms[0]]
    );
    let last = &lines[*froms.last().unwrap()..];
    let joined = last.join("\n");
    assert!(
        joined.contains("COPY --from=builder"),
        "the runtime stage takes only the binary: {joined}"
    );
    assert!(
        joined.contains("apk add") && joined.contains(" git"),
        "git present: {joined}"
    );
    assert!(joined.contains("safe.directory"), "{joined}");
    let user = last
        .iter()
        .rev()
        .find_map(|l| l.strip_prefix("USER "))
        .expect("a USER in the runtime stage");
    let uid = user.split(':').next().unwrap().trim();
    assert!(uid != "root" && uid != "0", "runs as {user}");
    assert!(last.contains(&"WORKDIR /repo"), "{joined}");
    assert_eq!(
        last.iter().rev().find(|l| l.starts_with("ENTRYPOINT")),
        Some(&r#"ENTRYPOINT ["keytrace"]"#)
    );
    let ignore = read(".dockerignore");
    for excluded in ["target/", ".git/"] {
        assert!(ignore.lines().any(|l| l == excluded), "{excluded}");
    }
    // Cargo.toml declares test and bench targets by path: the context keeps them.
    for kept in ["tests", "benches", "src", "rules", "Cargo.lock"] {
        assert!(
            !ignore.lines().any(|l| l.trim_end_matches('/') == kept),
            "{kept}"
        );
    }
}

/// The real image: built, then it scans a repository owned by another uid through a mount.
/// Skipped (said on stderr) without a working docker daemon; that build takes minutes.
#[test]
fn the_image_builds_and_scans_a_mounted_repository() {
    let daemon = Command::new("docker")
        .arg("info")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !daemon || std::env::var_os("KEYTRACE_SKIP_DOCKER").is_some() {
        eprintln!(
            "SKIPPED the_image_builds_and_scans_a_mounted_repository: no docker daemon (Dockerfile checked by structure only)"
        );
        return;
    }
    let tag = "keytrace-test:local";
    let build = Command::new("docker")
        .args(["build", "-q", "-t", tag, "."])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let fx = Fixture::new();
    fx.git(&["init", "-q", "-b", "main"]);
    fx.write("readme.md", "hello\n");
    fx.git(&["add", "-A"]);
    fx.git(&["commit", "-q", "-m", "init"]);
    let out = Command::new("docker")
        .args(["run", "--rm", "-v"])
        .arg(format!("{}:/repo", fx.path().display()))
        .args([tag, "scan", "--history", "."])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
