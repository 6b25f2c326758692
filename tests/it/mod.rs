pub mod common;
mod rules;
mod scan_dir;
mod verify;
