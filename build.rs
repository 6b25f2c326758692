//! Embeds every `rules/*.toml` file into the binary, so that the shipped rules need no install
//! step, and fingerprints the detection code (see `DETECTION_SOURCES`).
use sha2::{Digest, Sha256};
use std::{env, fs, path::Path};

/// The sources whose behaviour decides what a blob yields before attribution by commit: the
/// matcher, the generic detector, the expansion stage (decoded views), blob → finding,
/// fingerprints and redaction, and identity decoding. Their hash goes into the ruleset hash, so
/// that incremental sweeps match every blob again when a new build finds things differently
/// (not only when a rule changes).
const DETECTION_SOURCES: &[&str] = &[
    "src/matcher",
    "src/generic",
    "src/detect.rs",
    "src/expand",
    "src/finding",
    "src/blob",
    "src/attribution/mod.rs",
    "src/attribution/identity.rs",
    "src/attribution/identity",
];

/// Every `.rs` file at or below `path`, sorted.
fn rust_files(path: &Path, out: &mut Vec<std::path::PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<_> = fs::read_dir(path)
            .expect("source directory")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            rust_files(&entry, out);
        }
    } else if path.extension().is_some_and(|x| x == "rs") {
        out.push(path.to_path_buf());
    }
}

fn detection_fingerprint() -> String {
    let mut files = Vec::new();
    for source in DETECTION_SOURCES {
        println!("cargo:rerun-if-changed={source}");
        rust_files(Path::new(source), &mut files);
    }
    let mut hasher = Sha256::new();
    for file in &files {
        hasher.update(file.to_string_lossy().as_bytes());
        hasher.update([0]);
        hasher.update(fs::read(file).expect("source file"));
        hasher.update([0]);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn main() {
    let rules_dir = Path::new("rules");
    println!("cargo:rerun-if-changed=rules");
    let mut files: Vec<_> = fs::read_dir(rules_dir)
        .expect("rules/ directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut out = String::from(
        "/// Rule files shipped with keytrace: (file name, contents).\npub const EMBEDDED_RULE_FILES: &[(&str, &str)] = &[\n",
    );
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_name().unwrap().to_string_lossy();
        let abs = fs::canonicalize(path).unwrap();
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            abs.display().to_string()
        ));
    }
    out.push_str("];\n");
    out.push_str(&format!(
        "/// SHA-256 of the detection code this binary was built from (see build.rs).\npub const DETECTION_CODE_HASH: &str = {:?};\n",
        detection_fingerprint()
    ));
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("embedded_rules.rs");
    fs::write(dest, out).unwrap();
}
