//! CODEOWNERS: parse any text, then look up fixed paths and paths taken from the input itself.
//! Input: text, optionally followed by a NUL and extra paths (one per line) to look up.
#![no_main]

use keytrace::attribution::Codeowners;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = keytrace_fuzz::Input::new(data);
    let text = String::from_utf8_lossy(input.until(0));
    let extra = String::from_utf8_lossy(input.rest());
    let owners = Codeowners::parse(&text);
    let _ = owners.problems();
    for path in keytrace_fuzz::PATHS.iter().copied().chain(extra.lines()) {
        let _ = owners.owners_for(path);
    }
    // Each pattern token of the file as a path, so that literal patterns match something.
    for token in text.split_whitespace().take(32) {
        let _ = owners.owners_for(token);
    }
});
