//! Jupyter notebooks (`*.ipynb`): JSON cells and outputs walked as a notebook, then scanned
//! structurally. A separate target from `config_stores` so that its corpus stays notebook-shaped.
#![no_main]

use keytrace::finding::SourceKind;
use keytrace::source::config_stores::{parse, registry};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse::parse(&registry::NOTEBOOK, text);
    }
    keytrace_fuzz::scan_and_check("analysis/explore.ipynb", data, SourceKind::File);
});
