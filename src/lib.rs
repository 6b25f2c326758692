//! keytrace: a secret-sprawl scanner.
//!
//! Data flows one way: sources → blobs → matcher → findings → attribution → policy → reporters.
//! `pipeline` is the only module that runs things in parallel; `app` is the only one that wires
//! stages together for a command.

pub mod app;
pub mod attribution;
pub mod blob;
pub mod cli;
pub mod commands;
pub mod coverage;
pub mod detect;
pub mod detection;
pub mod env_vars;
pub mod exit;
pub mod expand;
pub mod finding;
pub mod generic;
pub mod matcher;
pub mod pipeline;
pub mod policy;
pub mod progress;
pub mod report;
pub mod rules;
pub mod source;
pub mod sweep;
pub mod verify;
