pub mod common;
mod owners;
mod rules;
mod scan_dir;
