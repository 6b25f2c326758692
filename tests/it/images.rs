//! Container images as scan targets: a `docker save` tarball and an OCI image layout (as a
//! directory and as a tarball), built in the test (no registry, no daemon), with layer
//! attribution, whiteouts, configuration fields and owner labels.

use super::common::{Fixture, acme_rules, acme_token, findings, run, run_json};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::io::Write;

pub(super) fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub(super) fn tar_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
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

fn zip_of(name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file(name, zip::write::SimpleFileOptions::default())
        .unwrap();
    w.write_all(bytes).unwrap();
    w.finish().unwrap().into_inner()
}

/// The keys planted in the test image.
struct Keys {
    /// In layer 0's `app/.env`, deleted by a whiteout in layer 2.
    deleted: String,
    /// In layer 1's `app/config.ini`, still there at the end.
    kept: String,
    /// In layer 1's `srv/old.txt`, which layer 2 overwrites.
    replaced: String,
    /// In `opt/lib.jar!application.properties`, added by layer 2.
    in_jar: String,
    /// In the configuration's `Env` (and the `ENV` history line).
    env: String,
}

impl Keys {
    fn new() -> Keys {
        Keys {
            deleted: acme_token(21),
            kept: acme_token(22),
            replaced: acme_token(23),
            in_jar: acme_token(24),
            env: acme_token(25),
        }
    }
}

const CREATED_BY: [&str; 3] = [
    "ADD rootfs.tar /",
    "COPY config.ini old.txt /app/",
    "RUN rm /app/.env && cp lib.jar /opt/",
];

/// The three layers (uncompressed tars), base first.
fn layers(keys: &Keys) -> Vec<Vec<u8>> {
    let env = format!("X=1\nKEY={}\n", keys.deleted);
    let config = format!("[api]\nkey={}\n", keys.kept);
    let old = format!("key={}\n", keys.replaced);
    let jar = zip_of(
        "application.properties",
        format!("k={}\n", keys.in_jar).as_bytes(),
    );
    vec![
        tar_of(&[
            ("etc/os-release", b"ID=test\n"),
            ("app/.env", env.as_bytes()),
        ]),
        tar_of(&[
            ("app/config.ini", config.as_bytes()),
            ("srv/old.txt", old.as_bytes()),
        ]),
        tar_of(&[
            ("app/.wh..env", b""),
            ("srv/old.txt", b"nothing here\n"),
            ("opt/lib.jar", &jar),
        ]),
    ]
}

/// The image configuration: `Env` holds a key, history has one empty (`ENV`) entry, labels
/// name the maintainer and the source repository.
fn config(keys: &Keys, diff_ids: &[String]) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "architecture": "amd64",
        "os": "linux",
        "config": {
            "Env": ["PATH=/usr/bin", format!("API_TOKEN={}", keys.env)],
            "Cmd": ["/app/run"],
            "Labels": {
                "maintainer": "ops@example.com",
                "org.opencontainers.image.source": "https://github.com/acme/app"
            }
        },
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [
            {"created_by": CREATED_BY[0]},
            {"created_by": format!("ENV API_TOKEN={}", keys.env), "empty_layer": true},
            {"created_by": CREATED_BY[1]},
            {"created_by": CREATED_BY[2]}
        ]
    }))
    .unwrap()
}

/// A classic `docker save` archive: `manifest.json`, `<id>.json`, `<n>/layer.tar`.
fn docker_save(keys: &Keys) -> (Vec<u8>, String) {
    let layers = layers(keys);
    let diff_ids: Vec<String> = layers
        .iter()
        .map(|l| format!("sha256:{}", sha256(l)))
        .collect();
    let config = config(keys, &diff_ids);
    let id = sha256(&config);
    let layer_paths: Vec<String> = (0..layers.len())
        .map(|i| format!("l{i}/layer.tar"))
        .collect();
    let manifest = serde_json::to_vec(&json!([{
        "Config": format!("{id}.json"),
        "RepoTags": ["acme/app:1.0", "acme/app:latest"],
        "Layers": layer_paths,
    }]))
    .unwrap();
    let config_name = format!("{id}.json");
    let mut entries: Vec<(&str, &[u8])> =
        vec![("manifest.json", &manifest), (&config_name, &config)];
    for (path, layer) in layer_paths.iter().zip(&layers) {
        entries.push((path, layer));
    }
    (tar_of(&entries), id)
}

/// An OCI image layout with gzip layers.
struct OciLayout {
    /// (path in the layout, bytes)
    files: Vec<(String, Vec<u8>)>,
    manifest_digest: String,
    layer_digests: Vec<String>,
}

fn oci_layout(keys: &Keys) -> OciLayout {
    let layers = layers(keys);
    let diff_ids: Vec<String> = layers
        .iter()
        .map(|l| format!("sha256:{}", sha256(l)))
        .collect();
    let config = config(keys, &diff_ids);
    let compressed: Vec<Vec<u8>> = layers.iter().map(|l| gz(l)).collect();
    let layer_digests: Vec<String> = compressed.iter().map(|l| sha256(l)).collect();
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": format!("sha256:{}", sha256(&config)),
            "size": config.len()
        },
        "layers": compressed.iter().zip(&layer_digests).map(|(l, d)| json!({
            "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
            "digest": format!("sha256:{d}"),
            "size": l.len()
        })).collect::<Vec<_>>()
    }))
    .unwrap();
    let manifest_digest = sha256(&manifest);
    let index = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": format!("sha256:{manifest_digest}"),
            "size": manifest.len(),
            "annotations": {"org.opencontainers.image.ref.name": "acme/app:2.0"}
        }]
    }))
    .unwrap();
    let mut files = vec![
        (
            "oci-layout".to_string(),
            br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
        ),
        ("index.json".to_string(), index),
        (format!("blobs/sha256/{manifest_digest}"), manifest),
        (format!("blobs/sha256/{}", sha256(&config)), config),
    ];
    for (l, d) in compressed.into_iter().zip(&layer_digests) {
        files.push((format!("blobs/sha256/{d}"), l));
    }
    OciLayout {
        files,
        manifest_digest,
        layer_digests,
    }
}

/// The acme findings of an image scan, by secret.
fn scan_image(fx: &Fixture, target: &str) -> (Value, Vec<Value>) {
    let rules = acme_rules(fx);
    let (code, report) = run_json(&["scan", target, "--rules", &rules], fx.path());
    assert_eq!(code, 1, "{report}");
    let found = findings(&report)
        .into_iter()
        .filter(|f| f["rule_id"] == "acme-api-key")
        .collect();
    (report, found)
}

/// The one finding whose secret digest is that of `secret` (found by its `redacted` form).
fn by_secret<'a>(found: &'a [Value], secret: &str, config_key: Option<&str>) -> &'a Value {
    let redacted = keytrace::finding::redact(secret);
    let hits: Vec<&Value> = found
        .iter()
        .filter(|f| f["redacted"] == redacted.as_str())
        .filter(|f| config_key.is_none_or(|k| f["config_key"] == k))
        .collect();
    assert_eq!(hits.len(), 1, "{secret}: {found:#?}");
    hits[0]
}

#[test]
fn a_docker_save_archive_is_read_layer_by_layer_with_attribution_and_whiteouts() {
    let fx = Fixture::new();
    let keys = Keys::new();
    let (archive, id) = docker_save(&keys);
    fx.write("app.tar", &archive);
    let layers = layers(&keys);
    let diff_id = |i: usize| format!("sha256:{}", sha256(&layers[i]));
    let (report, found) = scan_image(&fx, "app.tar");
    assert_eq!(found.len(), 6, "{found:#?}");

    let deleted = by_secret(&found, &keys.deleted, None);
    assert_eq!(deleted["location"]["path"], "app.tar!l0/layer.tar!app/.env");
    assert_eq!(deleted["location"]["start_line"], 2);
    assert_eq!(
        deleted["archive_path"],
        json!(["app.tar", "l0/layer.tar", "app/.env"])
    );
    assert_eq!(deleted["layer_index"], 0);
    assert_eq!(deleted["layer_digest"], diff_id(0));
    assert_eq!(deleted["created_by"], CREATED_BY[0]);
    assert_eq!(
        deleted["in_final_image"], false,
        "a whiteout in layer 2 deleted it"
    );

    let kept = by_secret(&found, &keys.kept, None);
    assert_eq!(
        kept["location"]["path"],
        "app.tar!l1/layer.tar!app/config.ini"
    );
    assert_eq!(kept["layer_index"], 1);
    assert_eq!(kept["created_by"], CREATED_BY[1]);
    assert_eq!(kept["in_final_image"], true);

    let replaced = by_secret(&found, &keys.replaced, None);
    assert_eq!(
        replaced["in_final_image"], false,
        "layer 2 overwrote srv/old.txt"
    );

    let in_jar = by_secret(&found, &keys.in_jar, None);
    assert_eq!(
        in_jar["location"]["path"],
        "app.tar!l2/layer.tar!opt/lib.jar!application.properties"
    );
    assert_eq!(
        in_jar["archive_path"],
        json!([
            "app.tar",
            "l2/layer.tar",
            "opt/lib.jar",
            "application.properties"
        ])
    );
    assert_eq!(in_jar["layer_index"], 2);
    assert_eq!(in_jar["created_by"], CREATED_BY[2]);
    assert_eq!(in_jar["in_final_image"], true);

    let env = by_secret(&found, &keys.env, Some("Env"));
    assert_eq!(env["location"]["path"], format!("app.tar!{id}.json"));
    assert_eq!(env["location"]["start_line"], 2, "the second Env entry");
    assert_eq!(env["created_by"], format!("ENV API_TOKEN={}", keys.env));
    assert_eq!(env["in_final_image"], true);
    let history = by_secret(&found, &keys.env, Some("history[1].created_by"));
    assert!(history.get("layer_index").is_none(), "ENV makes no layer");

    for f in &found {
        assert_eq!(f["source"], "image");
        assert_eq!(f["image"], "acme/app:1.0");
        assert_eq!(f["image_tags"], json!(["acme/app:1.0", "acme/app:latest"]));
        assert_eq!(f["image_id"], format!("sha256:{id}"));
        assert!(
            f.get("image_digest").is_none(),
            "docker save has no manifest digest"
        );
        assert_eq!(f["owner"], "ops@example.com");
        assert_eq!(f["owner_source"], "image-label");
        assert_eq!(f["image_source"], "https://github.com/acme/app");
    }
    assert_eq!(report["scan"]["kind"], "image");
    // Three layers and the jar inside the last one.
    assert_eq!(
        report["coverage"]["archives_opened"], 4,
        "{}",
        report["coverage"]
    );
}

fn check_oci(found: &[Value], artifact: &[&str], keys: &Keys, manifest: &str, layers: &[String]) {
    assert_eq!(found.len(), 6, "{found:#?}");
    let deleted = by_secret(found, &keys.deleted, None);
    let mut want: Vec<String> = artifact.iter().map(|s| s.to_string()).collect();
    want.push("app/.env".into());
    assert_eq!(deleted["archive_path"], json!(want));
    assert_eq!(deleted["layer_digest"], format!("sha256:{}", layers[0]));
    assert_eq!(deleted["in_final_image"], false);
    let kept = by_secret(found, &keys.kept, None);
    assert_eq!(kept["layer_digest"], format!("sha256:{}", layers[1]));
    assert_eq!(kept["in_final_image"], true);
    for f in found {
        assert_eq!(f["image"], "acme/app:2.0");
        assert_eq!(f["image_digest"], format!("sha256:{manifest}"));
    }
}

#[test]
fn an_oci_layout_directory_and_archive_are_images_not_plain_files() {
    let fx = Fixture::new();
    let keys = Keys::new();
    let OciLayout {
        files,
        manifest_digest: manifest,
        layer_digests,
    } = oci_layout(&keys);
    for (path, bytes) in &files {
        fx.write(&format!("oci/{path}"), bytes);
    }
    let (_, found) = scan_image(&fx, "oci/");
    let layer0 = format!("oci/blobs/sha256/{}", layer_digests[0]);
    check_oci(&found, &[&layer0], &keys, &manifest, &layer_digests);

    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    fx.write("oci.tar", tar_of(&refs));
    let (_, found) = scan_image(&fx, "oci.tar");
    let layer0 = format!("blobs/sha256/{}", layer_digests[0]);
    check_oci(
        &found,
        &["oci.tar", &layer0],
        &keys,
        &manifest,
        &layer_digests,
    );
}

#[test]
fn an_image_inside_a_directory_scan_is_still_read_as_an_archive() {
    let fx = Fixture::new();
    let keys = Keys::new();
    let (archive, _) = docker_save(&keys);
    fx.write("dist/app.tar", &archive);
    let rules = acme_rules(&fx);
    let (_, report) = run_json(&["scan", "dist", "--rules", &rules], fx.path());
    let paths: Vec<String> = findings(&report)
        .iter()
        .filter(|f| f["rule_id"] == "acme-api-key")
        .map(|f| f["location"]["path"].as_str().unwrap().to_string())
        .collect();
    assert!(
        paths.contains(&"app.tar!l0/layer.tar!app/.env".to_string()),
        "{paths:?}"
    );
}

#[test]
fn docker_targets_without_a_daemon_fail_with_one_clear_line() {
    let fx = Fixture::new();
    let (code, _, stderr) = super::common::run_env(
        &["scan", "docker://acme/app:1.0"],
        fx.path(),
        &[("DOCKER_HOST", "unix:///nonexistent/docker.sock")],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("docker://acme/app:1.0"), "{stderr}");
    assert!(
        stderr.contains("no Docker or Podman daemon socket"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["scan", "docker://a?b"], fx.path());
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("not an image name"), "{stderr}");
}

/// A stand-in for the daemon's socket: answers one `GET /images/NAME/get` with `archive`, as
/// the Docker API does, and hands back the request line it got.
#[cfg(unix)]
fn fake_daemon(socket: &std::path::Path, archive: Vec<u8>) -> std::thread::JoinHandle<String> {
    use std::io::{BufRead, BufReader};
    let listener = std::os::unix::net::UnixListener::bind(socket).unwrap();
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream);
        let mut request = String::new();
        reader.read_line(&mut request).unwrap();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                break;
            }
        }
        let mut stream = reader.into_inner();
        stream
            .write_all(b"HTTP/1.0 200 OK\r\nContent-Type: application/x-tar\r\n\r\n")
            .unwrap();
        stream.write_all(&archive).unwrap();
        request
    })
}

#[cfg(unix)]
#[test]
fn docker_targets_are_exported_read_only_through_the_daemon_socket() {
    let fx = Fixture::new();
    let keys = Keys::new();
    let (archive, _) = docker_save(&keys);
    let socket = fx.path().join("docker.sock");
    let daemon = fake_daemon(&socket, archive);
    let rules = acme_rules(&fx);
    let host = format!("unix://{}", socket.display());
    let (code, stdout, stderr) = super::common::run_env(
        &[
            "scan",
            "docker://acme/app:1.0",
            "--rules",
            &rules,
            "--format",
            "json",
        ],
        fx.path(),
        &[("DOCKER_HOST", &host)],
    );
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        daemon.join().unwrap(),
        "GET /images/acme/app:1.0/get HTTP/1.0\r\n"
    );
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let found: Vec<Value> = findings(&report)
        .into_iter()
        .filter(|f| f["rule_id"] == "acme-api-key")
        .collect();
    assert_eq!(found.len(), 6);
    let deleted = by_secret(&found, &keys.deleted, None);
    assert_eq!(
        deleted["location"]["path"],
        "docker://acme/app:1.0!l0/layer.tar!app/.env"
    );
    assert_eq!(deleted["in_final_image"], false);
}
