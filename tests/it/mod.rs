pub mod common;
mod generic;
mod rules;
mod scan_dir;
