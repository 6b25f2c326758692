//! The scan of one blob, as directory and history scans run it: binary sniffing, config-store
//! parsing (structured scan), every embedded rule and the generic detector, identity decoding,
//! redaction and location mapping. The file name comes from the input (see
//! `keytrace_fuzz::file_name`), so store parsers are reached by name as in a real tree.
#![no_main]

use keytrace::blob::Origin;
use keytrace::coverage::Coverage;
use keytrace::finding::SourceKind;
use keytrace::pipeline::scan_bytes;
use keytrace::source::config_stores::structured_scan;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = keytrace_fuzz::Input::new(data);
    let path = keytrace_fuzz::file_name(&mut input);
    let bytes = input.rest();
    if keytrace_fuzz::skip_known() && keytrace_fuzz::trips_known_generic_bug(bytes) {
        return;
    }
    let set = keytrace_fuzz::embedded_set();
    let mut matcher = set.matcher();
    let origin = Origin {
        path,
        source: SourceKind::GitHistory,
        store: None,
    };
    let coverage = Coverage::default();
    let found = scan_bytes(
        set,
        &mut matcher,
        bytes,
        &origin,
        &coverage,
        &structured_scan,
    );
    keytrace_fuzz::check_findings(&found);
    keytrace_fuzz::check_notes(&found, &coverage);
});
