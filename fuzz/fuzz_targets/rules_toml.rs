//! A user rule file (`--rules DIR`): TOML → rules → shape checks, then what `rules check` does
//! with rules that load (compile every pattern, run every example through the real matcher).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(rules) = keytrace::rules::parse_rule_file("fuzz.toml", &text) else {
        return;
    };
    if keytrace::matcher::RuleSet::new(rules.clone(), true).is_ok() {
        let _ = keytrace::rules::check::check_examples(&rules);
    }
});
