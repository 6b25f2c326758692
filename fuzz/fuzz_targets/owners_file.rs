//! The `[owners]` table of `keytrace.toml`: parse, compile every glob, match sample findings.
#![no_main]

use keytrace::attribution::OwnersFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(Some(owners)) = OwnersFile::from_project_toml(&text) else {
        return;
    };
    for mut f in keytrace_fuzz::sample_findings() {
        for path in keytrace_fuzz::PATHS {
            f.location.path = (*path).to_string();
            let _ = owners.owners_for(&f);
        }
    }
});
