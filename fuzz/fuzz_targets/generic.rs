//! The generic detector (credential-like names, URLs with passwords, auth schemes, command
//! lines, SQL) on arbitrary bytes under a chosen or arbitrary file name.
#![no_main]

use keytrace::blob::Origin;
use keytrace::finding::SourceKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = keytrace_fuzz::Input::new(data);
    let path = keytrace_fuzz::file_name(&mut input);
    let bytes = input.rest();
    let origin = Origin {
        path,
        source: SourceKind::File,
        store: None,
    };
    let found = keytrace::generic::generic_findings(bytes, &origin);
    keytrace_fuzz::check_findings(&found);
});
