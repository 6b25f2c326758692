//! Subcommand implementations. Each wires sources, matcher, attribution, policy and reporters
//! together for one command; none of them prints outside `output`.

pub mod git_scan;
pub mod output;
pub mod rules;
pub mod scan;
