//! Baseline files (`--baseline FILE`). The only public reader is `Baseline::load(path)`, so the
//! input is written to a per-process temporary file and loaded from there.
#![no_main]

use keytrace::policy::baseline::Baseline;
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

fn scratch() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        std::env::temp_dir().join(format!(
            "keytrace-fuzz-baseline-{}.json",
            std::process::id()
        ))
    })
}

fuzz_target!(|data: &[u8]| {
    let path = scratch();
    std::fs::write(path, data).expect("write the scratch baseline");
    if let Ok(b) = Baseline::load(path) {
        let accepted = b.accepted();
        for e in &b.findings {
            assert!(accepted.contains(e.fingerprint.as_str()));
        }
        assert_eq!(
            accepted.contains(""),
            b.findings.iter().any(|e| e.fingerprint.is_empty())
        );
    }
});
