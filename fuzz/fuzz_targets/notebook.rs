//! Jupyter notebooks (`*.ipynb`): JSON cells and outputs walked as a notebook, then scanned
//! structurally. A separate target from `config_stores` so that its corpus stays notebook-shaped.
#![no_main]

use keytrace::blob::Origin;
use keytrace::coverage::Coverage;
use keytrace::finding::SourceKind;
use keytrace::pipeline::scan_bytes;
use keytrace::source::config_stores::{parse, registry, structured_scan};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse::parse(&registry::NOTEBOOK, text);
    }
    let set = keytrace_fuzz::embedded_set();
    let mut matcher = set.matcher();
    let origin = Origin {
        path: "analysis/explore.ipynb".into(),
        source: SourceKind::File,
        store: None,
    };
    let coverage = Coverage::default();
    // As a scan runs it: a store that does not parse falls back to plain text, and the coverage
    // note about that fallback must not quote the secret the plain-text scan then finds.
    let found = scan_bytes(
        set,
        &mut matcher,
        data,
        &origin,
        &coverage,
        &structured_scan,
    );
    keytrace_fuzz::check_findings(&found);
    keytrace_fuzz::check_notes(&found, &coverage);
});
