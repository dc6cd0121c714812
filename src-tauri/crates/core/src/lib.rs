//! Switchboard's core: everything but the window. See ARCHITECTURE.md for the map.

pub mod cert;
pub mod connections;
pub mod connstr;
pub mod dn;
pub mod engines;
pub mod error;
pub mod files;
pub mod imports;
pub mod keychain;
pub mod libpq;
pub mod logging;
pub mod model;
pub mod paths;
pub mod pem;
pub mod probe;
pub mod secret;
pub mod secrets;
pub mod store;
pub mod validation;

pub use connections::Switchboard;
pub use error::{ApiError, CoreError, ErrorCode, FieldIssue, Severity};
pub use probe::report::TestReport;
pub use secret::Secret;
