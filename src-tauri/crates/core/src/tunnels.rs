//! A tunnel you can use: a saved connection's SSH route kept open as a forward on
//! 127.0.0.1 (the CLI's `switchboard tunnel`, the window's "Open tunnel"), for psql or an
//! IDE. The probe keeps it (`ssh::serve`: keepalives, reopening a dropped route); this
//! fills in the route's secrets as a test does and binds the local port.

use std::net::SocketAddr;

use uuid::Uuid;

use crate::cancel::Cancel;
use crate::connections::Switchboard;
use crate::error::{CoreError, Result};
use switchboard_model::connstr::tunnel_port;
use switchboard_model::error::ErrorCode;
use switchboard_model::model::PasswordSave;
use switchboard_model::secret::Secret;
use switchboard_probe::ssh::{self, Transport, TunnelEvent};

/// An open tunnel, as the window lists it.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct OpenTunnelInfo {
    pub id: Uuid,
    /// Where clients connect: `127.0.0.1:15432`.
    pub local: String,
    /// The database as the last hop reaches it: `db.internal:5432`.
    pub target: String,
}

/// What the caller hears while the tunnel runs.
#[derive(Debug, Clone)]
pub enum TunnelNotice {
    /// Listening: clients connect here.
    Listening {
        local: SocketAddr,
        target: String,
    },
    Event(TunnelEvent),
}

impl Switchboard {
    /// Keeps `id`'s route open as a forward from 127.0.0.1:`local_port` (default: the
    /// database port + 10000, e.g. 15432) to the database, until `stop`. Secrets typed for
    /// it win; the keychain's fill the rest.
    pub async fn tunnel(
        &self,
        id: Uuid,
        local_port: Option<u16>,
        mut ssh_secrets: Vec<Option<Secret>>,
        trust: Vec<String>,
        stop: &Cancel,
        on_notice: impl Fn(TunnelNotice),
    ) -> Result<()> {
        let c = self.get(id).await?;
        let Some(route) = &c.fields.ssh else {
            return Err(CoreError::input(
                ErrorCode::SshNotPossible,
                Some("ssh"),
                format!("{} has no SSH route to open.", c.fields.name),
                "Add an SSH route to the connection first (--ssh or --ssh-alias).",
            ));
        };
        let held = self.saved_ssh_secrets(&c).await?;
        ssh_secrets.resize(held.len().max(ssh_secrets.len()), None);
        for (i, saved) in held.into_iter().enumerate() {
            if route.secret_save(i) == PasswordSave::Keychain {
                if let Some(slot) = ssh_secrets.get_mut(i).filter(|s| s.is_none()) {
                    *slot = saved;
                }
            }
        }
        let Transport::Ssh(probe_route) =
            crate::routes::transport(&c.fields, &ssh_secrets, &trust, &self.dir)
        else {
            return Err(CoreError::Storage("the route could not be prepared".into()));
        };
        let port = u16::try_from(c.fields.port).map_err(|_| {
            CoreError::input(
                ErrorCode::PortOutOfRange,
                Some("port"),
                "The port is outside 1–65535.",
                "Fix the port.",
            )
        })?;
        let want = local_port.unwrap_or_else(|| tunnel_port(c.fields.port));
        let mut bound = tokio::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, want)).await;
        if bound.is_err() && local_port.is_none() {
            // The suggested port is taken: any free one (the address is reported).
            bound = tokio::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0)).await;
        }
        let listener = bound.map_err(|e| {
            CoreError::input(
                ErrorCode::PortOutOfRange,
                Some("local_port"),
                format!("127.0.0.1:{want} cannot be listened on: {e}."),
                "Choose another local port (--local-port).",
            )
        })?;
        let local = listener
            .local_addr()
            .map_err(|e| CoreError::Storage(e.to_string()))?;
        on_notice(TunnelNotice::Listening {
            local,
            target: format!("{}:{port}", c.fields.host),
        });
        let timeout = std::time::Duration::from_secs(u64::from(c.fields.timeout_secs));
        ssh::serve(
            &probe_route,
            &c.fields.host,
            port,
            listener,
            timeout,
            stop.cancelled(),
            |e| on_notice(TunnelNotice::Event(e)),
        )
        .await
        .map_err(|f| CoreError::input(f.code, Some("ssh"), f.message, f.hint))
    }
}
