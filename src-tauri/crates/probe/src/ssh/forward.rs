//! A forward for a driver that dials itself (sqlx): a Unix socket in a private directory
//! (0700, only this user), each connection to it carried by a new forward from the
//! route's last hop to the database. A Unix socket rather than a 127.0.0.1 port: no other
//! local user can reach it, and sqlx keeps the database's host name for TLS verification
//! while it dials the socket. The socket and its directory go when the test ends.

use std::path::{Path, PathBuf};

use super::OpenTunnel;
use crate::driver::AbortOnDrop;

pub(crate) struct UnixForward {
    dir: PathBuf,
    path: PathBuf,
    _task: AbortOnDrop,
}

impl UnixForward {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for UnixForward {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Listens on a fresh private socket; every connection accepted is forwarded to
/// `host:port` through `tunnel`.
pub(crate) async fn unix(
    tunnel: OpenTunnel,
    host: String,
    port: u16,
) -> std::io::Result<UnixForward> {
    let dir = std::env::temp_dir().join(format!(
        "switchboard-ssh-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    let made = dir.clone();
    tokio::task::spawn_blocking(move || {
        let mut b = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
        b.create(&made)
    })
    .await
    .map_err(std::io::Error::other)??;
    let path = dir.join("db.sock");
    let listener = match tokio::net::UnixListener::bind(&path) {
        Ok(l) => l,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(e);
        }
    };
    let task = tokio::spawn(async move {
        // Dropped with the accept loop (the forward's end): every connection's task ends.
        let mut conns = tokio::task::JoinSet::new();
        while let Ok((mut local, _)) = listener.accept().await {
            let (tunnel, host) = (tunnel.clone(), host.clone());
            conns.spawn(async move {
                if let Ok(mut remote) = tunnel.reforward(&host, port).await {
                    let _ = tokio::io::copy_bidirectional(&mut local, &mut remote).await;
                }
            });
        }
    });
    Ok(UnixForward {
        dir,
        path,
        _task: AbortOnDrop(task.abort_handle()),
    })
}

/// A forward for a driver that dials TCP itself and cannot be given a socket path (the
/// MongoDB driver): a listener on 127.0.0.1, on a port chosen by the system, open only
/// while the test runs; each connection gets its own forward from the last hop. With
/// `tls`, Switchboard speaks TLS to the database itself on every forwarded connection
/// (verified against the database's name, with the connection's CA and client
/// certificate) and the driver speaks plain MongoDB to the loopback: the rustls driver
/// cannot be told to check a name other than the one it dials.
pub(crate) struct LoopbackForward {
    pub port: u16,
    _task: AbortOnDrop,
}

pub(crate) async fn loopback(
    tunnel: OpenTunnel,
    host: String,
    port: u16,
    tls: Option<(
        tokio_rustls::TlsConnector,
        rustls::pki_types::ServerName<'static>,
    )>,
) -> std::io::Result<LoopbackForward> {
    let listener = tokio::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0)).await?;
    let local = listener.local_addr()?.port();
    let task = tokio::spawn(async move {
        let mut conns = tokio::task::JoinSet::new();
        while let Ok((mut local, _)) = listener.accept().await {
            let (tunnel, host, tls) = (tunnel.clone(), host.clone(), tls.clone());
            conns.spawn(async move {
                let Ok(mut remote) = tunnel.reforward(&host, port).await else {
                    return;
                };
                match tls {
                    Some((connector, name)) => {
                        if let Ok(mut secure) = connector.connect(name, remote).await {
                            let _ = tokio::io::copy_bidirectional(&mut local, &mut secure).await;
                        }
                    }
                    None => {
                        let _ = tokio::io::copy_bidirectional(&mut local, &mut remote).await;
                    }
                }
            });
        }
    });
    Ok(LoopbackForward {
        port: local,
        _task: AbortOnDrop(task.abort_handle()),
    })
}
