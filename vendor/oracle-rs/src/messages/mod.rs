//! TNS protocol messages
//!
//! This module contains message types for the TNS protocol communication.

mod accept;
mod auth;
mod connect;
mod data_types;
mod describe;
mod execute;
mod fetch;
mod lob_op;
mod protocol;
mod redirect;
mod refuse;

pub use accept::AcceptMessage;
pub use auth::{AuthMessage, AuthPhase, SessionData};
pub use connect::ConnectMessage;
pub use data_types::{DataTypesMessage, DATA_TYPES};
pub use describe::parse_describe_info;
pub use execute::{BindMetadata, ExecuteMessage, ExecuteOptions};
pub use fetch::FetchMessage;
pub use lob_op::LobOpMessage;
pub use protocol::ProtocolMessage;
pub use redirect::RedirectMessage;
pub use refuse::RefuseMessage;
