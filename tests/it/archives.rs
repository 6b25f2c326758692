//! Archives as blobs: every kind, nested archives, bombs, encrypted and corrupt archives, and
//! archives met in git history, built in the test with the same crates keytrace reads them
//! with (and checked through the real binary).

use super::common::{Fixture, acme_rules, acme_token, findings, run_json};
use std::io::Write;

/// An entry file holding `token` on line 2, column 7.
fn settings(token: &str) -> Vec<u8> {
    format!("[api]\ntoken={token}\n").into_bytes()
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        w.start_file(*name, options).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn tar_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, bytes) in entries {
        let mut h = tar::Header::new_ustar();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, *bytes).unwrap();
    }
    b.into_inner().unwrap()
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn bz2(bytes: &[u8]) -> Vec<u8> {
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn xz(bytes: &[u8]) -> Vec<u8> {
    let mut e = liblzma::write::XzEncoder::new(Vec::new(), 0);
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn zst(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 1).unwrap()
}

/// Scan `target` in `fx` with the test rule (plus `extra` flags); the report.
fn scan(fx: &Fixture, target: &str, extra: &[&str]) -> serde_json::Value {
    let rules = acme_rules(fx);
    let mut args = vec!["scan", target, "--rules", &rules];
    args.extend(extra);
    let (code, report) = run_json(&args, fx.path());
    assert!(code == 0 || code == 1, "exit {code}: {report}");
    report
}

/// The acme findings of a report as (path, line, column, archive_path).
fn places(report: &serde_json::Value) -> Vec<(String, u64, u64, Vec<String>)> {
    let mut out: Vec<_> = findings(report)
        .iter()
        .filter(|f| f["rule_id"] == "acme-api-key")
        .map(|f| {
            let list = f["archive_path"]
                .as_array()
                .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
                .unwrap_or_default();
            (
                f["location"]["path"].as_str().unwrap().to_string(),
                f["location"]["start_line"].as_u64().unwrap(),
                f["location"]["start_column"].as_u64().unwrap(),
                list,
            )
        })
        .collect();
    out.sort();
    out
}

fn skipped(report: &serde_json::Value, reason: &str) -> u64 {
    report["coverage"]["skipped"][reason].as_u64().unwrap_or(0)
}

#[test]
fn every_archive_kind_yields_its_entries_under_the_inner_path() {
    let fx = Fixture::new();
    let token = acme_token(1);
    let inner = settings(&token);
    let tree: &[(&str, &[u8])] = &[("conf/settings.ini", &inner), ("README", b"hello\n")];
    let tar = tar_of(tree);
    let zip = zip_of(tree);
    // Names say nothing: `backup.dat` is a zip, `blob` a tar.xz; the bytes decide.
    let archives: Vec<(&str, Vec<u8>)> = vec![
        ("a.zip", zip.clone()),
        ("lib.jar", zip.clone()),
        ("pkg-1.0-py3-none-any.whl", zip.clone()),
        ("x.nupkg", zip.clone()),
        ("backup.dat", zip),
        ("a.tar", tar.clone()),
        ("a.tar.gz", gz(&tar)),
        ("a.tgz", gz(&tar)),
        ("a.tar.bz2", bz2(&tar)),
        ("a.tar.xz", xz(&tar)),
        ("blob", xz(&tar)),
        ("a.tar.zst", zst(&tar)),
    ];
    for (name, bytes) in &archives {
        fx.write(&format!("in/{name}"), bytes);
    }
    let singles: Vec<(&str, Vec<u8>)> = vec![
        ("settings.ini.gz", gz(&inner)),
        ("settings.ini.bz2", bz2(&inner)),
        ("settings.ini.xz", xz(&inner)),
        ("settings.ini.zst", zst(&inner)),
    ];
    for (name, bytes) in &singles {
        fx.write(&format!("in/{name}"), bytes);
    }
    let report = scan(&fx, "in", &[]);
    let mut want: Vec<(String, u64, u64, Vec<String>)> = archives
        .iter()
        .map(|(name, _)| {
            let path = format!("{name}!conf/settings.ini");
            (
                path,
                2,
                7,
                vec![name.to_string(), "conf/settings.ini".into()],
            )
        })
        .chain(singles.iter().map(|(name, _)| {
            let path = format!("{name}!settings.ini");
            (path, 2, 7, vec![name.to_string(), "settings.ini".into()])
        }))
        .collect();
    want.sort();
    assert_eq!(places(&report), want);
    assert_eq!(
        report["coverage"]["archives_opened"], 16,
        "{}",
        report["coverage"]
    );
    // Twelve archives of two entries, four compressed files of one.
    assert_eq!(report["coverage"]["archive_entries"], 28);
    assert_eq!(skipped(&report, "binary"), 0, "{}", report["coverage"]);
    // Findings keep the source they had: files on disk.
    assert!(findings(&report).iter().all(|f| f["source"] == "file"));
}

#[test]
fn nested_archives_are_opened_down_to_the_depth_limit() {
    let fx = Fixture::new();
    let token = acme_token(2);
    let plugin = zip_of(&[("conf/settings.ini", &settings(&token))]);
    let release = gz(&tar_of(&[("dist/plugin.zip", &plugin)]));
    fx.write("in/release.tar.gz", &release);
    let report = scan(&fx, "in", &[]);
    assert_eq!(
        places(&report),
        [(
            "release.tar.gz!dist/plugin.zip!conf/settings.ini".to_string(),
            2,
            7,
            vec![
                "release.tar.gz".to_string(),
                "dist/plugin.zip".into(),
                "conf/settings.ini".into()
            ]
        )]
    );
    assert_eq!(report["coverage"]["archives_opened"], 2);

    // One level only: the inner zip is counted, not opened.
    let shallow = scan(&fx, "in", &["--archive-max-depth", "1"]);
    assert!(places(&shallow).is_empty());
    assert_eq!(skipped(&shallow, "archive-limit"), 1);

    // Depth 0: archives are binary blobs, as before archives were read.
    let off = scan(&fx, "in", &["--archive-max-depth", "0"]);
    assert!(places(&off).is_empty());
    assert_eq!(skipped(&off, "binary"), 1);

    // Four levels deep: the default depth (3) stops above the innermost.
    let deeper = zip_of(&[("deep.tar.gz", &release)]);
    let deepest = tar_of(&[("outer.zip", &deeper)]);
    fx.write("deep/all.tar", &deepest);
    let report = scan(&fx, "deep", &[]);
    assert!(places(&report).is_empty(), "{:?}", places(&report));
    assert_eq!(skipped(&report, "archive-limit"), 1);
    let report = scan(&fx, "deep", &["--archive-max-depth", "4"]);
    assert_eq!(
        places(&report)[0].0,
        "all.tar!outer.zip!deep.tar.gz!dist/plugin.zip!conf/settings.ini"
    );
}

/// 2 GiB of zeros as `copies` concatenated members (gzip, bzip2, xz, zstd all decode
/// concatenated streams as one): one member is compressed, the rest are copies of it.
fn zeros_stream(compress: fn(&[u8]) -> Vec<u8>, prefix: &[u8]) -> Vec<u8> {
    const MEMBER: usize = 64 << 20;
    let zeros = vec![0u8; MEMBER];
    let member = compress(&zeros);
    let mut out = compress(prefix);
    for _ in 0..(2usize << 30) / MEMBER {
        out.extend_from_slice(&member);
    }
    out
}

/// A tar header announcing one 2 GiB file (its data follows in the stream).
fn tar_header_2gib(name: &str) -> Vec<u8> {
    let mut h = tar::Header::new_ustar();
    h.set_path(name).unwrap();
    h.set_size(2 << 30);
    h.set_mode(0o644);
    h.set_cksum();
    h.as_bytes().to_vec()
}

#[test]
fn a_bomb_of_each_kind_stops_at_a_limit_and_the_scan_goes_on() {
    let fx = Fixture::new();
    let token = acme_token(3);
    fx.write("in/plain.env", format!("KEY={token}\n"));
    // Single compressed files of 2 GiB of zeros, in a few MB each.
    for (name, compress) in [
        ("zeros.gz", gz as fn(&[u8]) -> Vec<u8>),
        ("zeros.bz2", bz2),
        ("zeros.xz", xz),
        ("zeros.zst", zst),
    ] {
        fx.write(&format!("in/{name}"), zeros_stream(compress, b""));
    }
    // A tar.gz whose one entry is 2 GiB of zeros.
    fx.write(
        "in/zeros.tar.gz",
        zeros_stream(gz, &tar_header_2gib("zeros.bin")),
    );
    // A zip whose one entry is 2 GiB of zeros.
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .large_file(true);
    w.start_file("zeros.bin", options).unwrap();
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..2048 {
        w.write_all(&chunk).unwrap();
    }
    let zip = w.finish().unwrap().into_inner();
    assert!(zip.len() < 25 << 20, "the bomb fits under --max-file-size");
    fx.write("in/zeros.zip", &zip);

    let report = scan(&fx, "in", &[]);
    // The four compressed files and the zip: one entry past the per-entry bound each. The
    // tar.gz: its entry is past that bound, and skipping over it ran into the ratio bound,
    // which stopped the archive. The plain file was still scanned.
    assert_eq!(
        skipped(&report, "archive-limit"),
        7,
        "{}",
        report["coverage"]
    );
    assert_eq!(places(&report).len(), 1);
    assert_eq!(places(&report)[0].0, "plain.env");
}

#[test]
fn many_small_entries_stop_at_the_ratio_or_entry_bound() {
    let fx = Fixture::new();
    // 30 entries of 20 MiB of zeros each (600 MiB in 600 KiB): each is under the per-entry
    // bound, the archive as a whole is a bomb. The entries are raw copies of one entry.
    let one = zip_of(&[("z", &vec![0u8; 20 << 20])]);
    let mut source = zip::ZipArchive::new(std::io::Cursor::new(one)).unwrap();
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..30 {
        let entry = source.by_index_raw(0).unwrap();
        w.raw_copy_file_rename(entry, format!("z{i:03}")).unwrap();
    }
    let token = acme_token(4);
    w.start_file("zzz/last.ini", zip::write::SimpleFileOptions::default())
        .unwrap();
    w.write_all(&settings(&token)).unwrap();
    fx.write("in/ratio.zip", w.finish().unwrap().into_inner());
    let report = scan(&fx, "in", &[]);
    assert_eq!(
        skipped(&report, "archive-limit"),
        1,
        "{}",
        report["coverage"]
    );
    assert!(
        places(&report).is_empty(),
        "the archive stopped before its last entry"
    );
    // With room for it, the same archive is read to the end.
    let report = scan(&fx, "in", &["--archive-max-ratio", "100000"]);
    assert_eq!(
        skipped(&report, "archive-limit"),
        0,
        "{}",
        report["coverage"]
    );
    assert_eq!(places(&report).len(), 1);
    // The total bound stops it too.
    let report = scan(
        &fx,
        "in",
        &[
            "--archive-max-ratio",
            "100000",
            "--archive-max-total",
            "100M",
        ],
    );
    assert_eq!(
        skipped(&report, "archive-limit"),
        1,
        "{}",
        report["coverage"]
    );
    assert!(places(&report).is_empty());
}

#[test]
fn the_entry_count_bound_stops_an_archive() {
    let fx = Fixture::new();
    let token = acme_token(12);
    let mut entries: Vec<(String, Vec<u8>)> = (0..50)
        .map(|i| (format!("f{i:02}.txt"), b"x\n".to_vec()))
        .collect();
    entries.push(("z/last.ini".into(), settings(&token)));
    let refs: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    fx.write("in/many.tar", tar_of(&refs));
    let report = scan(&fx, "in", &["--archive-max-entries", "10"]);
    assert_eq!(
        skipped(&report, "archive-limit"),
        1,
        "{}",
        report["coverage"]
    );
    assert_eq!(report["coverage"]["archive_entries"], 10);
    assert!(places(&report).is_empty());
    let report = scan(&fx, "in", &[]);
    assert_eq!(skipped(&report, "archive-limit"), 0);
    assert_eq!(places(&report).len(), 1);
}

/// A zip whose `secret.ini` is flagged encrypted (general-purpose bit 0, in its local header
/// and its central-directory record). keytrace never decrypts, so the flag alone decides; the
/// entry is stored, so reading it anyway would find the key.
fn zip_with_encrypted_entry(secret: &[u8], plain: &[u8]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    w.start_file("secret.ini", stored).unwrap();
    w.write_all(secret).unwrap();
    w.start_file("plain.ini", stored).unwrap();
    w.write_all(plain).unwrap();
    let mut bytes = w.finish().unwrap().into_inner();
    // The first local header is at 0; its flags at +6. The central record naming
    // `secret.ini` is the first `PK\x01\x02`; its flags at +8.
    bytes[6] |= 1;
    let central = bytes.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    bytes[central + 8] |= 1;
    bytes
}

#[test]
fn an_encrypted_entry_is_counted_and_the_rest_of_the_zip_is_read() {
    let fx = Fixture::new();
    let hidden = acme_token(5);
    let visible = acme_token(6);
    fx.write(
        "in/vault.zip",
        zip_with_encrypted_entry(&settings(&hidden), &settings(&visible)),
    );
    let report = scan(&fx, "in", &[]);
    assert_eq!(
        skipped(&report, "archive-encrypted"),
        1,
        "{}",
        report["coverage"]
    );
    let found = places(&report);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "vault.zip!plain.ini");
}

#[test]
fn corrupt_archives_are_counted_and_what_was_read_is_kept() {
    let fx = Fixture::new();
    let first = acme_token(7);
    let second = acme_token(8);
    let big: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
    // A tar.gz cut short: its first entry is intact, the rest is lost.
    let tar = tar_of(&[
        ("a.ini", &settings(&first)),
        ("blob.bin", &big),
        ("b.ini", &settings(&second)),
    ]);
    let tgz = gz(&tar);
    fx.write("in/cut.tar.gz", &tgz[..tgz.len() / 2]);
    // A zip without its central directory, and gzip magic before garbage.
    let zip = zip_of(&[("c.ini", &settings(&second))]);
    fx.write("in/headless.zip", &zip[..zip.len() - 30]);
    let mut garbage = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
    garbage.extend((0..4000u32).map(|i| (i * 7919 % 251) as u8));
    fx.write("in/garbage.gz", &garbage);
    let report = scan(&fx, "in", &[]);
    assert_eq!(
        skipped(&report, "archive-corrupt"),
        3,
        "{}",
        report["coverage"]
    );
    let found = places(&report);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "cut.tar.gz!a.ini");
}

#[test]
fn sarif_points_at_the_artifact_and_names_the_entry_in_properties() {
    let fx = Fixture::new();
    let token = acme_token(9);
    let plugin = zip_of(&[("conf/settings.ini", &settings(&token))]);
    fx.write(
        "in/release.tar.gz",
        gz(&tar_of(&[("dist/plugin.zip", &plugin)])),
    );
    let rules = acme_rules(&fx);
    let (_, stdout, _) = super::common::run(
        &["scan", "in", "--rules", &rules, "--format", "sarif"],
        fx.path(),
    );
    let sarif: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    let physical = &result["locations"][0]["physicalLocation"];
    assert_eq!(physical["artifactLocation"]["uri"], "release.tar.gz");
    assert_eq!(physical["region"]["startLine"], 2);
    assert_eq!(
        result["properties"]["archive_path"],
        serde_json::json!(["release.tar.gz", "dist/plugin.zip", "conf/settings.ini"])
    );
}

#[test]
fn an_archive_committed_in_history_is_read_through_the_same_stage() {
    let fx = Fixture::new();
    fx.git(&["init", "-q", "-b", "main"]);
    let token = acme_token(10);
    fx.write("README.md", "hello\n");
    fx.git(&["add", "-A"]);
    fx.git(&["commit", "-q", "-m", "c1"]);
    fx.write(
        "backup/site.zip",
        zip_of(&[("wp-config.php", &settings(&token))]),
    );
    fx.git(&["add", "-A"]);
    fx.git(&["commit", "-q", "-m", "c2 adds a backup"]);
    let introducing = fx.git(&["rev-parse", "HEAD"]);
    std::fs::remove_file(fx.path().join("backup/site.zip")).unwrap();
    fx.git(&["add", "-A"]);
    fx.git(&["commit", "-q", "-m", "c3 removes it"]);

    let rules = acme_rules(&fx);
    let (_, report) = run_json(&["scan", "--history", ".", "--rules", &rules], fx.path());
    let found: Vec<_> = findings(&report)
        .into_iter()
        .filter(|f| f["rule_id"] == "acme-api-key")
        .collect();
    assert_eq!(found.len(), 1, "{report}");
    let f = &found[0];
    assert_eq!(f["location"]["path"], "backup/site.zip!wp-config.php");
    assert_eq!(f["location"]["start_line"], 2);
    assert_eq!(
        f["archive_path"],
        serde_json::json!(["backup/site.zip", "wp-config.php"])
    );
    assert_eq!(f["commit"], introducing);
    assert_eq!(f["source"], "git-history");
    assert_eq!(f["in_head"], false);
}

#[test]
fn an_archive_on_standard_input_is_read_too() {
    let fx = Fixture::new();
    let token = acme_token(11);
    let tgz = gz(&tar_of(&[("etc/app.env", &settings(&token))]));
    let rules = acme_rules(&fx);
    let out = super::common::keytrace()
        .args(["scan", "-", "--rules", &rules, "--format", "json"])
        .current_dir(fx.path())
        .write_stdin(tgz)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(places(&report)[0].0, "-!etc/app.env");
}

#[test]
fn an_archive_in_a_swept_repository_is_read_through_the_same_stage() {
    let fx = Fixture::new();
    let repo = fx.path().join("repos/site");
    std::fs::create_dir_all(&repo).unwrap();
    let git = |args: &[&str]| super::common::git_alice(&repo, args);
    git(&["init", "-q", "-b", "main"]);
    let token = acme_token(13);
    std::fs::write(
        repo.join("release.tar.gz"),
        gz(&tar_of(&[("conf/settings.ini", &settings(&token))])),
    )
    .unwrap();
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "release"]);
    let rules = acme_rules(&fx);
    let state = fx.path().join("state.db");
    let (_, out, err) = super::common::run(
        &[
            "sweep",
            "--repos-dir",
            "repos",
            "--state",
            state.to_str().unwrap(),
            "--rules",
            &rules,
            "--format",
            "json",
            "--no-progress",
        ],
        fx.path(),
    );
    let report: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    let found: Vec<_> = findings(&report)
        .into_iter()
        .filter(|f| f["rule_id"] == "acme-api-key")
        .collect();
    assert_eq!(found.len(), 1, "{report}");
    let f = &found[0];
    assert_eq!(f["location"]["path"], "release.tar.gz!conf/settings.ini");
    assert_eq!(
        f["archive_path"],
        serde_json::json!(["release.tar.gz", "conf/settings.ini"])
    );
    assert_eq!(f["source"], "git-history");
    assert!(f["commit"].is_string());
}

/// The acme findings of a report: (path, start line, archive path, source).
fn acme_places(report: &serde_json::Value) -> Vec<(String, u64, serde_json::Value, String)> {
    findings(report)
        .into_iter()
        .filter(|f| f["rule_id"] == "acme-api-key")
        .map(|f| {
            (
                f["location"]["path"].as_str().unwrap_or("").to_string(),
                f["location"]["start_line"].as_u64().unwrap_or(0),
                f["archive_path"].clone(),
                f["source"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn a_zip_read_from_standard_input_goes_through_the_archive_stage() {
    let fx = Fixture::new();
    let token = acme_token(14);
    let zip = zip_of(&[
        ("README.txt", b"nothing here\n"),
        ("conf/app.properties", &settings(&token)),
    ]);
    let rules = acme_rules(&fx);
    let out = super::common::keytrace()
        .args(["scan", "-", "--rules", &rules, "--format", "json"])
        .current_dir(fx.path())
        .write_stdin(zip)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["scan"]["kind"], "stdin");
    assert_eq!(
        acme_places(&report),
        vec![(
            "-!conf/app.properties".to_string(),
            2,
            serde_json::json!(["-", "conf/app.properties"]),
            "stdin".to_string()
        )]
    );
    assert_eq!(report["coverage"]["archives_opened"], 1);
}

#[test]
fn a_tar_gz_committed_in_history_goes_through_the_archive_stage() {
    let fx = Fixture::new();
    fx.git(&["init", "-q", "-b", "main"]);
    let token = acme_token(15);
    fx.write(
        "dist/release.tar.gz",
        gz(&tar_of(&[
            ("release/NOTES", b"v1\n"),
            ("release/etc/app.env", &settings(&token)),
        ])),
    );
    fx.git(&["add", "-A"]);
    fx.git(&["commit", "-q", "-m", "release artifact"]);
    let introducing = fx.git(&["rev-parse", "HEAD"]);
    let rules = acme_rules(&fx);
    let (_, report) = run_json(&["scan", "--history", ".", "--rules", &rules], fx.path());
    assert_eq!(report["scan"]["kind"], "git-history");
    assert_eq!(
        acme_places(&report),
        vec![(
            "dist/release.tar.gz!release/etc/app.env".to_string(),
            2,
            serde_json::json!(["dist/release.tar.gz", "release/etc/app.env"]),
            "git-history".to_string()
        )]
    );
    let f = &findings(&report)
        .into_iter()
        .find(|f| f["rule_id"] == "acme-api-key")
        .unwrap();
    assert_eq!(f["commit"], introducing);
    assert_eq!(f["in_head"], true);
}
