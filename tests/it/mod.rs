pub mod common;
mod generic;
mod history;
mod hooks;
mod owners;
mod policy;
mod reports;
mod rules;
mod scan_dir;
