//! Switchboard's model: what a connection is, per engine (`engines`), how it is checked
//! (`validation`), and every text form it comes in or goes out as (`connstr`, `libpq`,
//! `pem`, `cert`, `dn`). Pure: no file, network, keychain or database driver; the fuzz
//! target and the parser tests build only this crate. See ARCHITECTURE.md.

pub mod cert;
pub mod connstr;
pub mod dn;
pub mod engines;
pub mod error;
pub mod folder;
pub mod hosts;
pub mod libpq;
pub mod merge;
pub mod model;
pub mod pem;
pub mod secret;
pub mod ssh;
pub mod summary;
pub mod validation;
pub mod words;

pub use error::{ApiError, CoreError, ErrorCode, FieldIssue, Severity};
pub use secret::Secret;
