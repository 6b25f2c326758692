//! Every config-store parser, through the structured scan a directory or history scan runs.
//! Input: one byte picks the file name from `store_paths.txt` (every known store path, plus
//! dotenv, notebook, compose, Kubernetes and CI YAML, Terraform state), the rest is the content.
#![no_main]

use keytrace::finding::SourceKind;
use keytrace::source::config_stores::{parse, registry};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = keytrace_fuzz::Input::new(data);
    let names = keytrace_fuzz::store_paths();
    let path = &names[usize::from(input.u8()) % names.len()];
    let bytes = input.rest();
    if let (Some(store), Ok(text)) = (registry::store_for_path(path), std::str::from_utf8(bytes)) {
        let _ = parse::parse(&store, text);
    }
    // As a scan runs it: a store that does not parse falls back to plain text, and the coverage
    // note about that fallback must not quote the secret the plain-text scan then finds.
    keytrace_fuzz::scan_and_check(path, bytes, SourceKind::File);
});
