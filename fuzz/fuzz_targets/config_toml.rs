//! `keytrace.toml`: parse and validate, then apply the resulting policy (allowlist globs and
//! regexes, policy rules, the default policy) to a few findings.
#![no_main]

use keytrace::policy::{Policy, config};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(config) = config::parse(config::CONFIG_FILE, &text) else {
        return;
    };
    let allowlist = config
        .allowlist
        .compile()
        .expect("parse() validated the allowlist, so it compiles");
    let policy = Policy {
        config,
        allowlist,
        baseline: None,
        fail_on: None,
    };
    let mut findings = keytrace_fuzz::sample_findings();
    let _ = policy.apply(&mut findings);
});
