//! The scan of one blob, as directory and history scans run it: binary sniffing, config-store
//! parsing (structured scan), every embedded rule and the generic detector, identity decoding,
//! redaction and location mapping. The file name comes from the input (see
//! `keytrace_fuzz::file_name`), so store parsers are reached by name as in a real tree.
#![no_main]

use keytrace::finding::SourceKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = keytrace_fuzz::Input::new(data);
    let path = keytrace_fuzz::file_name(&mut input);
    keytrace_fuzz::scan_and_check(&path, input.rest(), SourceKind::GitHistory);
});
