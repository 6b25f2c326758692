//! The expansion stage alone (`keytrace::expand`): every decoder on hostile bytes, nested to the
//! depth limit. Checks that nothing panics, that budgets hold, and that every view's location
//! map leads back into the input with ordered bounds.
#![no_main]

use keytrace::expand::{Limits, expand};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let got = expand(data, &limits);
    assert!(got.views.len() <= limits.max_views);
    let decoded: usize = got.views.iter().map(|v| v.text.len()).sum();
    assert!(decoded <= limits.max_decoded_bytes);
    for view in &got.views {
        assert!(!view.chain.is_empty() && view.chain.len() <= limits.max_depth);
        let n = view.text.len();
        for span in [0..n, 0..n / 2, n / 2..n, n / 3..n / 3 + 1] {
            let back = view.to_original(span);
            assert!(back.start <= back.end && back.end <= data.len(), "{back:?}");
        }
    }
});
