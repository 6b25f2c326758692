//! Diff handling of `--staged` and `--range`: a patch parsed by libgit2 (`Diff::from_buffer`),
//! then `added_blobs`, which collects the new-side lines each change adds (against an empty
//! repository, so every blob the patch names is missing and must be counted, not fatal).
#![no_main]

use keytrace::source::git::diff::{DiffGaps, DiffLimits, added_blobs};
use libfuzzer_sys::fuzz_target;

thread_local! {
    static REPO: git2::Repository = {
        let dir = std::env::temp_dir().join(format!("keytrace-fuzz-repo-{}", std::process::id()));
        git2::Repository::init_bare(&dir).expect("an empty bare repository")
    };
}

fuzz_target!(|data: &[u8]| {
    let Ok(diff) = git2::Diff::from_buffer(data) else {
        return;
    };
    // No assertion on the line numbers: for a malformed hunk header (`@@ -0,0 +0 @@`) libgit2
    // reports added lines as line 0. keytrace only diffs trees it reads from the repository, and
    // a line 0 matches no finding, so that is harmless.
    REPO.with(|repo| {
        let mut gaps = DiffGaps::default();
        let limits = DiffLimits { max_file_size: 1 << 20 };
        let _ = added_blobs(repo, &diff, limits, &mut gaps);
    });
});
