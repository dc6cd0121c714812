//! sqlx's errors into `CoreError::Storage`, at each `?` that crosses from the driver: the
//! model crate, where `CoreError` lives, builds no driver, so it cannot name sqlx's types.

use crate::error::{CoreError, Result};

pub(crate) trait Db<T> {
    /// The storage error, kept as text (sqlx's messages never hold a secret: secrets are
    /// not in SQLite).
    fn db(self) -> Result<T>;
}

impl<T> Db<T> for std::result::Result<T, sqlx::Error> {
    fn db(self) -> Result<T> {
        self.map_err(|e| CoreError::Storage(e.to_string()))
    }
}

impl<T> Db<T> for std::result::Result<T, sqlx::migrate::MigrateError> {
    fn db(self) -> Result<T> {
        self.map_err(|e| CoreError::Storage(e.to_string()))
    }
}
