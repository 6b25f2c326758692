//! Expansion: a blob yields child blobs or views of itself, which are matched like the blob.
//! Archive entries are one kind ([`archive`]).

pub mod archive;
