//! Policy: allowlists, inline ignores, baseline, and policy-as-code severity/failure decisions.
