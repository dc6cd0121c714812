//! Switchboard's core service: the operations the window and the CLI call (`Switchboard`),
//! over the model crate (what a connection is, its formats) and the probe crate (the live
//! test). Adapters depend on this crate only: the model's and the probe's modules are
//! re-exported under their own names. See ARCHITECTURE.md for the map.

pub use switchboard_model::{
    cert, connstr, dn, engines, error, folder, libpq, merge, model, pem, secret, ssh, summary,
    validation, words,
};
pub use switchboard_probe as probe;

pub mod cancel;
pub mod connections;
mod db;
pub mod drafts;
pub mod edits;
pub mod exports;
pub mod files;
pub mod geometry;
mod held;
pub mod imports;
pub mod keychain;
pub mod logging;
pub mod organise;
pub mod paths;
pub mod routes;
pub mod secrets;
pub mod sources;
pub mod store;
pub mod tunnels;
pub mod watch;

pub use connections::Switchboard;
pub use switchboard_model::error::{ApiError, CoreError, ErrorCode, FieldIssue, Severity};
pub use switchboard_model::secret::Secret;
pub use switchboard_probe::report::TestReport;
