//! Subcommand implementations. Each wires sources, matcher, attribution, policy and reporters
//! together for one command; none of them prints outside `output`.

pub mod baseline;
pub mod config_stores;
pub mod dir_scan;
pub mod git_scan;
pub mod install_hook;
pub mod merge;
pub mod output;
pub mod owners;
pub mod report;
pub mod rules;
pub mod scan;
pub mod sweep;
pub mod sweep_report;
