//! Git sources: full history (every blob reachable from every ref, each read once), staged
//! changes, commit ranges, and blame for files on disk.

pub mod blame;
pub mod diff;
pub mod history;
pub mod provenance;
pub mod repo;

pub use repo::{GitError, Tip};
