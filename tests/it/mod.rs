pub mod common;
mod history;
mod rules;
mod scan_dir;
