//! `keytrace sweep --image-list`: container images (`docker save` tarballs built in the test, no
//! registry, no daemon) swept next to repositories, with layer attribution and the state's
//! incremental rule: a layer digest already matched under the same ruleset is not read again,
//! in the same image or in another image that shares it.

use super::common::{Fixture, acme_rules, acme_token, findings, run};
use super::images::{sha256, tar_of};
use rusqlite::Connection;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::Path;

/// One layer: its tar bytes and the `created_by` line of the history entry that made it.
struct Layer {
    tar: Vec<u8>,
    created_by: String,
}

fn layer(files: &[(&str, String)], created_by: &str) -> Layer {
    let entries: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    Layer {
        tar: tar_of(&entries),
        created_by: created_by.to_string(),
    }
}

fn diff_id(l: &Layer) -> String {
    format!("sha256:{}", sha256(&l.tar))
}

/// A classic `docker save` archive of `layers` (base first) tagged `tag`.
fn docker_save(tag: &str, layers: &[&Layer]) -> Vec<u8> {
    let diff_ids: Vec<String> = layers.iter().map(|l| diff_id(l)).collect();
    let history: Vec<Value> = layers
        .iter()
        .map(|l| json!({"created_by": l.created_by}))
        .collect();
    let config = serde_json::to_vec(&json!({
        "architecture": "amd64",
        "os": "linux",
        "config": {"Cmd": ["/app/run"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    }))
    .unwrap();
    let config_name = format!("{}.json", sha256(&config));
    let paths: Vec<String> = (0..layers.len())
        .map(|i| format!("l{i}/layer.tar"))
        .collect();
    let manifest = serde_json::to_vec(&json!([{
        "Config": config_name,
        "RepoTags": [tag],
        "Layers": paths,
    }]))
    .unwrap();
    let mut entries: Vec<(&str, &[u8])> =
        vec![("manifest.json", &manifest), (&config_name, &config)];
    for (p, l) in paths.iter().zip(layers) {
        entries.push((p, &l.tar));
    }
    tar_of(&entries)
}

/// `keytrace sweep --image-list images.txt --state state.db ...` as JSON.
fn sweep(fx: &Fixture, rules: &str, extra: &[&str]) -> (i32, Value, String) {
    let mut args = vec![
        "sweep",
        "--image-list",
        "images.txt",
        "--state",
        "state.db",
        "--rules",
        rules,
        "--format",
        "json",
        "--no-progress",
    ];
    args.extend(extra);
    let (code, out, err) = run(&args, fx.path());
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("bad JSON ({e}): {out}\n{err}"));
    (code, v, err)
}

/// The sweep section's line for the image whose identity ends with `name`.
fn summary<'a>(report: &'a Value, name: &str) -> &'a Value {
    let repos = report["sweep"]["repositories"].as_array().unwrap();
    let hits: Vec<&Value> = repos
        .iter()
        .filter(|r| r["identity"].as_str().unwrap().ends_with(name))
        .collect();
    assert_eq!(hits.len(), 1, "{name}: {repos:#?}");
    hits[0]
}

/// The one acme finding of `secret` in the image whose identity ends with `name`.
fn finding_of(report: &Value, name: &str, secret: &str) -> Value {
    let redacted = keytrace::finding::redact(secret);
    let hits: Vec<Value> = findings(report)
        .into_iter()
        .filter(|f| f["repository"].as_str().unwrap().ends_with(name))
        .filter(|f| f["redacted"] == redacted.as_str())
        .collect();
    assert_eq!(hits.len(), 1, "{name} {secret}: {:#?}", findings(report));
    hits.into_iter().next().unwrap()
}

/// What a layer finding says about where it is, without the run's status.
fn placement(f: &Value) -> Value {
    json!([
        f["location"]["path"],
        f["location"]["start_line"],
        f["archive_path"],
        f["image"],
        f["layer_index"],
        f["layer_digest"],
        f["created_by"],
        f["in_final_image"],
        f["fingerprint"],
    ])
}

fn stored_layers(db: &Path) -> BTreeSet<String> {
    let conn = Connection::open(db).unwrap();
    let mut stmt = conn.prepare("SELECT digest FROM image_layers").unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn image_layers_are_attributed_and_never_read_twice_under_one_ruleset() {
    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    let (base_key, app_key, other_key) = (acme_token(61), acme_token(62), acme_token(63));
    let base = layer(
        &[
            ("etc/os-release", "ID=test\n".to_string()),
            ("app/.env", format!("X=1\nKEY={base_key}\n")),
        ],
        "ADD rootfs.tar /",
    );
    let app = layer(
        &[("app/config.ini", format!("[api]\nkey={app_key}\n"))],
        "COPY config.ini /app/",
    );
    fx.write("a.tar", docker_save("acme/a:1", &[&base, &app]));
    fx.write("images.txt", "# images of the release\n\na.tar\n");

    // First run: every layer is read; findings name the image, the layer and its instruction.
    let (code, first, err) = sweep(&fx, &rules, &[]);
    assert_eq!(code, 1, "{err}");
    let a = summary(&first, "a.tar");
    assert_eq!(a["outcome"], "scanned");
    assert_eq!(a["layers_read"], 2, "{a}");
    assert_eq!(a["layers_reused"], 0, "{a}");
    let identity = a["identity"].as_str().unwrap().to_string();
    assert!(Path::new(&identity).is_absolute(), "{identity}");
    let f = finding_of(&first, "a.tar", &base_key);
    assert_eq!(
        f["location"]["path"],
        format!("{identity}!l0/layer.tar!app/.env")
    );
    assert_eq!(f["location"]["start_line"], 2);
    assert_eq!(
        f["archive_path"],
        json!([identity, "l0/layer.tar", "app/.env"])
    );
    assert_eq!(f["source"], "image");
    assert_eq!(f["image"], "acme/a:1");
    assert_eq!(f["layer_index"], 0);
    assert_eq!(f["layer_digest"], diff_id(&base));
    assert_eq!(f["created_by"], "ADD rootfs.tar /");
    assert_eq!(f["in_final_image"], true);
    assert_eq!(f["status"], "new");
    let g = finding_of(&first, "a.tar", &app_key);
    assert_eq!(g["layer_index"], 1);
    assert_eq!(g["layer_digest"], diff_id(&app));
    assert_eq!(g["created_by"], "COPY config.ini /app/");
    let db = fx.path().join("state.db");
    assert_eq!(
        stored_layers(&db),
        BTreeSet::from([diff_id(&base), diff_id(&app)])
    );

    // Second run, same rules: no layer is read, and the report says the same.
    let (code, second, err) = sweep(&fx, &rules, &[]);
    assert_eq!(code, 1, "{err}");
    let a = summary(&second, "a.tar");
    assert_eq!(a["layers_read"], 0, "{a}");
    assert_eq!(a["layers_reused"], 2, "{a}");
    let opened = |r: &Value| r["coverage"]["archives_opened"].as_u64().unwrap_or(0);
    assert_eq!(opened(&second), 0, "{}", second["coverage"]);
    for key in [&base_key, &app_key] {
        let (before, after) = (
            finding_of(&first, "a.tar", key),
            finding_of(&second, "a.tar", key),
        );
        assert_eq!(placement(&after), placement(&before));
        assert_eq!(after["status"], "present");
    }

    // A new image on the same base: only its own layer is read. The base layer's stored
    // findings are attributed to the new image, with its instruction, and its top layer's
    // whiteout hides the base layer's .env there (but not in a.tar).
    let base_again = Layer {
        tar: base.tar.clone(),
        created_by: "ADD base.tar / # b".to_string(),
    };
    let top = layer(
        &[
            ("app/.wh..env", String::new()),
            ("srv/token.txt", format!("token={other_key}\n")),
        ],
        "RUN rm /app/.env && echo token > /srv/token.txt",
    );
    fx.write("b.tar", docker_save("acme/b:2", &[&base_again, &top]));
    fx.write("images.txt", "a.tar\nb.tar  # new\n");
    let (code, third, err) = sweep(&fx, &rules, &[]);
    assert_eq!(code, 1, "{err}");
    let b = summary(&third, "b.tar");
    assert_eq!(b["layers_read"], 1, "{b}");
    assert_eq!(b["layers_reused"], 1, "{b}");
    let a = summary(&third, "a.tar");
    assert_eq!(a["layers_read"], 0, "{a}");
    assert_eq!(opened(&third), 1, "only b's top layer");
    let inherited = finding_of(&third, "b.tar", &base_key);
    let b_identity = b["identity"].as_str().unwrap();
    assert_eq!(
        inherited["location"]["path"],
        format!("{b_identity}!l0/layer.tar!app/.env")
    );
    assert_eq!(inherited["image"], "acme/b:2");
    assert_eq!(inherited["layer_index"], 0);
    assert_eq!(inherited["layer_digest"], diff_id(&base));
    assert_eq!(inherited["created_by"], "ADD base.tar / # b");
    assert_eq!(
        inherited["in_final_image"], false,
        "b's top layer deleted it"
    );
    assert_eq!(
        finding_of(&third, "a.tar", &base_key)["in_final_image"],
        true
    );
    let own = finding_of(&third, "b.tar", &other_key);
    assert_eq!(own["layer_index"], 1);
    assert_eq!(own["layer_digest"], diff_id(&top));
    assert_eq!(own["created_by"], top.created_by);
    assert_eq!(stored_layers(&db).len(), 3);

    // Another ruleset reads every layer again.
    std::fs::write(
        Path::new(&rules).join("extra.toml"),
        r#"[[rules]]
id = "zeta-key"
name = "Zeta key"
provider = "zeta"
category = "saas"
keywords = ["zeta_"]
pattern = '''\b(?P<secret>zeta_[A-Za-z0-9]{24})\b'''
min_entropy = 3.0
long_lived = true
severity = "high"
description = "A Zeta key."
remediation = "Revoke it."
examples = ["ZETA=zeta_Q3v9TzLk2mWp8RbX4nYcJ7dF"]
"#,
    )
    .unwrap();
    let (code, fourth, err) = sweep(&fx, &rules, &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(summary(&fourth, "a.tar")["layers_read"], 2);
    // b's own layer is read; its base is read again too unless a.tar's run stored it first (the
    // two images are swept concurrently).
    let b = summary(&fourth, "b.tar");
    let (read, reused) = (b["layers_read"].as_u64(), b["layers_reused"].as_u64());
    assert!(
        matches!((read, reused), (Some(1), Some(1)) | (Some(2), Some(0))),
        "{b}"
    );
}

#[test]
fn images_and_repositories_share_shards_and_bad_list_lines_name_the_line() {
    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    let mut lines = String::new();
    for i in 0..6 {
        let l = layer(
            &[("app/.env", format!("KEY={}\n", acme_token(70 + i)))],
            "ADD . /",
        );
        fx.write(
            &format!("img{i}.tar"),
            docker_save(&format!("acme/i{i}:1"), &[&l]),
        );
        lines.push_str(&format!("img{i}.tar\n"));
    }
    fx.write("images.txt", &lines);
    let ids = |r: &Value| -> BTreeSet<String> {
        r["sweep"]["repositories"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["identity"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, s0, e0) = sweep(&fx, &rules, &["--shard", "0/2"]);
    let (_, s1, e1) = sweep(&fx, &rules, &["--shard", "1/2"]);
    let (a, b) = (ids(&s0), ids(&s1));
    assert!(a.is_disjoint(&b), "{a:?} {b:?}");
    assert_eq!(a.len() + b.len(), 6, "{e0}{e1}");
    // Which shard an image lands in hashes its path, which lies in a temporary directory, so
    // all six may fall in one shard (about one run in thirty): disjoint and complete is what
    // proves that the shards split the images (without sharding both would hold all six).
    for r in [&s0, &s1] {
        assert_eq!(findings(r).len(), ids(r).len(), "one key per image");
    }

    // A file that is no image is that target's failure (the run is incomplete: exit 2, as for a
    // repository that cannot be cloned); the sweep goes on and reports the other image.
    fx.write("notes.txt", "hello\n");
    fx.write("images.txt", "img0.tar\nnotes.txt\n");
    let (code, report, err) = sweep(&fx, &rules, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("1 of 2 repositories failed"), "{err}");
    assert_eq!(findings(&report).len(), 1);
    let notes = summary(&report, "notes.txt");
    assert_eq!(notes["outcome"], "failed");
    assert!(
        notes["error"]
            .as_str()
            .unwrap()
            .contains("not a container image"),
        "{notes}"
    );
    assert_eq!(summary(&report, "img0.tar")["outcome"], "scanned");

    // A bad line stops the sweep before it starts: FILE:LINE and exit 2.
    fx.write("images.txt", "img0.tar\n# fine\nmissing.tar\n");
    let (code, _, err) = run(
        &["sweep", "--image-list", "images.txt", "--state", "state.db"],
        fx.path(),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("images.txt:3:"), "{err}");
    assert!(err.contains("missing.tar"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}
