//! Git sources: full history (every blob reachable from every ref, each read once), staged
//! changes, commit ranges, and blame for files on disk. A damaged repository is read as far
//! as it can be: missing and corrupt objects are counted ([`gaps`]) and walked around.

pub mod blame;
pub mod deepen;
pub mod diff;
pub mod gaps;
pub mod history;
pub mod odd_refs;
pub mod provenance;
pub mod recover;
pub mod ref_rank;
pub mod remote_url;
pub mod repo;
pub mod text;
pub mod tree;
pub mod walk;
pub mod worktree;

pub use repo::{GitError, RefList, Tip};
