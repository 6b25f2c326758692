//! Sources: where blobs come from (directories, git history, staged changes, config stores,
//! etcd, standard input). Each source yields blobs with their origin; none formats or matches.

pub mod config_stores;
pub mod etcd;
pub mod fs;
pub mod git;
pub mod image;
