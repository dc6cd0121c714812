//! The SSH side of the command line: the route the `--ssh*` flags describe or change,
//! the hops' secrets from standard input, the terminal's question about an unknown host
//! key, and `switchboard tunnel`.

use std::io::BufRead;

use crate::args::{SshArgs, TunnelArgs};
use crate::{ctrl_c, read_secret, render_step, Outcome};
use switchboard_core::model::{ConnectionFields, PasswordSave};
use switchboard_core::{CoreError, ErrorCode, Secret, Switchboard};

/// The last SSH hop's secret (key passphrase or SSH password), the same way; after the
/// database password's line when both are piped in.
fn read_ssh_secret() -> Result<Secret, CoreError> {
    read_secret("SSH secret", "ssh", "--ssh-password-stdin")
}

/// The route the SSH flags describe, put on `f`: `--ssh` hops (replacing the route),
/// `--ssh-alias`, or `--no-ssh`; without those, `--ssh-auth`, `--ssh-key-file` and
/// `--ssh-secret-save` change the route `f` already has (its last hop).
pub(crate) fn apply_ssh(f: &mut ConnectionFields, a: &SshArgs) -> Result<(), CoreError> {
    use switchboard_core::ssh::{SshAuth, SshHop, SshRoute};
    if a.no_ssh {
        f.ssh = None;
        return Ok(());
    }
    if a.ssh_alias.is_none() && a.hops.is_empty() {
        return change_route(f, a);
    }
    if let Some(alias) = &a.ssh_alias {
        f.ssh = Some(SshRoute::Alias {
            alias: alias.clone(),
            secret_save: a.ssh_secret_save.unwrap_or(if a.ssh_password_stdin {
                PasswordSave::Keychain
            } else {
                PasswordSave::None
            }),
        });
        return Ok(());
    }
    let auth = a.ssh_auth.unwrap_or(if a.ssh_key_files.is_empty() {
        SshAuth::Agent
    } else {
        SshAuth::Key
    });
    let last = a.hops.len() - 1;
    let hops = a
        .hops
        .iter()
        .enumerate()
        .map(|(i, (user, host, port))| SshHop {
            host: host.clone(),
            port: *port,
            user: user.clone(),
            auth,
            key_files: if auth == SshAuth::Key {
                a.ssh_key_files.clone()
            } else {
                Vec::new()
            },
            secret_save: if i != last || auth == SshAuth::Agent {
                PasswordSave::None
            } else {
                a.ssh_secret_save
                    .unwrap_or(match (a.ssh_password_stdin, auth) {
                        (true, _) => PasswordSave::Keychain,
                        (false, SshAuth::Password | SshAuth::KeyboardInteractive) => {
                            PasswordSave::Ask
                        }
                        _ => PasswordSave::None,
                    })
            },
        })
        .collect();
    f.ssh = Some(SshRoute::Hops { hops });
    Ok(())
}

/// `--ssh-auth`, `--ssh-key-file` and `--ssh-secret-save` alone: the saved route's last
/// hop changes (an alias takes only the secret's place); with no route they are an error,
/// never silently ignored.
fn change_route(f: &mut ConnectionFields, a: &SshArgs) -> Result<(), CoreError> {
    use switchboard_core::ssh::{SshAuth, SshRoute};
    let asked = a.ssh_auth.is_some() || !a.ssh_key_files.is_empty() || a.ssh_secret_save.is_some();
    if !asked {
        return Ok(());
    }
    let no_route = || {
        CoreError::input(
            ErrorCode::SshHopsInvalid,
            Some("ssh"),
            "--ssh-auth, --ssh-key-file and --ssh-secret-save change an SSH route, and this connection has none",
            "Give the route with --ssh USER@HOST[:PORT] (or --ssh-alias NAME) as well.",
        )
    };
    match f.ssh.as_mut() {
        None => Err(no_route()),
        Some(SshRoute::Alias { secret_save, .. }) => {
            if a.ssh_auth.is_some() || !a.ssh_key_files.is_empty() {
                return Err(CoreError::input(
                    ErrorCode::SshAliasInvalid,
                    Some("ssh.alias"),
                    "an ~/.ssh/config alias takes its keys and methods from the config file",
                    "Change IdentityFile in ~/.ssh/config, or give the hops with --ssh instead of the alias.",
                ));
            }
            if let Some(save) = a.ssh_secret_save {
                *secret_save = save;
            }
            Ok(())
        }
        Some(SshRoute::Hops { hops }) => {
            let last = hops.last_mut().ok_or_else(no_route)?;
            if let Some(auth) = a.ssh_auth {
                last.auth = auth;
            } else if !a.ssh_key_files.is_empty() {
                last.auth = SshAuth::Key;
            }
            if !a.ssh_key_files.is_empty() {
                last.key_files = a.ssh_key_files.clone();
            } else if last.auth != SshAuth::Key {
                last.key_files.clear();
            }
            if let Some(save) = a.ssh_secret_save {
                last.secret_save = save;
            } else if last.auth == SshAuth::Agent {
                last.secret_save = PasswordSave::None;
            }
            Ok(())
        }
    }
}

/// `switchboard tunnel`: the forward stays open until Ctrl-C; what happens goes to
/// standard error (one JSON object a line with --json, on standard output).
pub(crate) async fn tunnel(
    sb: &Switchboard,
    a: TunnelArgs,
    json: bool,
) -> Result<Outcome, CoreError> {
    use switchboard_core::probe::ssh::TunnelEvent;
    use switchboard_core::tunnels::TunnelNotice;
    let c = sb.find(&a.connection).await?;
    let slots = c.fields.ssh.as_ref().map_or(0, |r| r.secret_slots());
    let mut secrets = vec![None; slots];
    if a.ssh_password_stdin {
        if let Some(last) = secrets.last_mut() {
            *last = Some(read_ssh_secret()?);
        }
    }
    let stop = ctrl_c();
    let say = |v: serde_json::Value, text: String| {
        if json {
            println!("{v}");
        } else {
            eprintln!("{text}");
        }
    };
    sb.tunnel(c.id, a.local_port, secrets, a.trust_host_keys.clone(), &stop, |n| match n {
        TunnelNotice::Listening { local, target } => say(
            serde_json::json!({"event": "listening", "local": local.to_string(), "target": target}),
            format!("tunnel: 127.0.0.1:{} → {target}; point your client at {local}; Ctrl-C closes it", local.port()),
        ),
        TunnelNotice::Event(TunnelEvent::Opened(steps)) => {
            for s in &steps {
                if !json {
                    eprintln!("{}", render_step(s));
                }
            }
            say(serde_json::json!({"event": "open", "steps": steps.len()}), "tunnel: route open".into());
        }
        TunnelNotice::Event(TunnelEvent::Forwarded { from }) => say(
            serde_json::json!({"event": "forwarded", "from": from.to_string()}),
            format!("tunnel: forwarding a connection from {from}"),
        ),
        TunnelNotice::Event(TunnelEvent::Reconnecting { why, wait }) => say(
            serde_json::json!({"event": "reconnecting", "why": why, "wait_ms": wait.as_millis() as u64}),
            format!("tunnel: {why}; opening the route again in {} s", wait.as_secs()),
        ),
        TunnelNotice::Event(TunnelEvent::Failed(f)) => say(
            serde_json::json!({"event": "failed", "code": f.code, "message": f.message, "hint": f.hint, "host_key": f.host_key}),
            format!("tunnel: [{}] {} {}", f.code, f.message, f.hint),
        ),
    })
    .await?;
    Ok(Outcome::Done(
        serde_json::json!({"event": "closed"}),
        "tunnel: closed".into(),
    ))
}

/// Asks on the terminal whether to trust an unknown SSH host key (only "yes" trusts it).
pub(crate) fn ask_trust(fingerprint: &str) -> bool {
    eprint!(
        "The bastion's host key {fingerprint} is not known. Check it with the server's administrator.\nTrust it (it is kept in Switchboard's own known_hosts)? Type yes to trust: "
    );
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).is_ok()
        && answer.trim().eq_ignore_ascii_case("yes")
}

/// The SSH secrets of a save or test: the last slot's from standard input.
pub(crate) fn ssh_secret_slots(
    f: &ConnectionFields,
    a: &SshArgs,
) -> Result<Vec<Option<Secret>>, CoreError> {
    if !a.ssh_password_stdin {
        return Ok(Vec::new());
    }
    let slots = f.ssh.as_ref().map_or(1, |r| r.secret_slots()).max(1);
    let mut out = vec![None; slots];
    if let Some(last) = out.last_mut() {
        *last = Some(read_ssh_secret()?);
    }
    Ok(out)
}
