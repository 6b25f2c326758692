//! Diff handling of `--staged` and `--range`: a patch parsed by libgit2 (`Diff::from_buffer`),
//! then `added_blobs`, which collects the new-side lines each change adds.
#![no_main]

use keytrace::source::git::diff::added_blobs;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(diff) = git2::Diff::from_buffer(data) else {
        return;
    };
    // No assertion on the line numbers: for a malformed hunk header (`@@ -0,0 +0 @@`) libgit2
    // reports added lines as line 0. keytrace only diffs trees it reads from the repository, and
    // a line 0 matches no finding, so that is harmless.
    let _ = added_blobs(&diff);
});
