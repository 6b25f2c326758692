pub mod common;
mod history;
mod hooks;
mod policy;
mod rules;
mod scan_dir;
mod sweep;
