//! Logging in to a hop: "none" first (which also tells the methods the server offers),
//! then the hop's way — the agent, key files (with their passphrase), a password, or
//! keyboard-interactive answered with the secret — and a failure that names what was
//! tried and what the server offers.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use russh::client::{AuthResult, Handle, KeyboardInteractiveAuthResponse};
use russh::keys::{HashAlg, PrivateKeyWithHashAlg};

use super::hop::Watcher;
use super::{Hop, HopAuth};
use crate::driver::Fail;
use crate::report::{Recorder, Step, StepStatus};
use switchboard_model::error::ErrorCode;
use switchboard_model::secret::Secret;

/// Logs in: "none" first (which also asks which methods the server offers), then the
/// hop's way.
pub(super) async fn authenticate(
    handle: &mut Handle<Watcher>,
    hop: &Hop,
    label: &str,
    rec: &mut Recorder,
) -> Result<(), Fail> {
    let t = rec.start(Step::SshAuth);
    let user = hop.user.clone();
    let offered = match handle.authenticate_none(&user).await {
        Ok(AuthResult::Success) => {
            rec.push(
                Step::SshAuth,
                StepStatus::Ok,
                t.elapsed(),
                "no authentication asked".into(),
            );
            return Ok(());
        }
        Ok(AuthResult::Failure {
            remaining_methods, ..
        }) => remaining_methods
            .iter()
            .map(|m| <&str>::from(m).to_owned())
            .collect::<Vec<_>>(),
        Err(e) => {
            let f = Fail::new(
                Step::SshAuth,
                ErrorCode::SshDisconnected,
                format!("{label}: the server closed the connection when asked to log in ({e})."),
                "Check the server's log (AllowUsers, DenyUsers, MaxAuthTries).",
            );
            rec.push(
                Step::SshAuth,
                StepStatus::Failed,
                t.elapsed(),
                f.message.clone(),
            );
            return Err(f);
        }
    };
    let offers = offered.join(", ");
    let mut tried: Vec<String> = Vec::new();
    let outcome = match &hop.auth {
        HopAuth::Agent { socket } => {
            by_agent(handle, &user, socket.as_deref(), &mut tried, true).await
        }
        HopAuth::KeyFiles { files, passphrase } => {
            by_files(handle, &user, files, passphrase.as_ref(), &mut tried, true).await
        }
        HopAuth::Password(secret) => by_password(handle, &user, secret.as_ref(), &mut tried).await,
        HopAuth::KeyboardInteractive(secret) => {
            by_keyboard(handle, &user, secret.as_ref(), &mut tried).await
        }
        HopAuth::OpenSsh {
            agent,
            files,
            identities_only,
            passphrase,
        } => {
            let mut done = Ok(None);
            let agent_off = agent.as_deref() == Some(Path::new("none"));
            if !identities_only && !agent_off {
                done = by_agent(handle, &user, agent.as_deref(), &mut tried, false).await;
            }
            if matches!(done, Ok(None)) {
                done = by_files(handle, &user, files, passphrase.as_ref(), &mut tried, false).await;
            }
            done
        }
    };
    match outcome {
        Ok(Some(how)) => {
            rec.push(
                Step::SshAuth,
                StepStatus::Ok,
                t.elapsed(),
                format!("{how} as {user}; the server offers {offers}"),
            );
            Ok(())
        }
        Ok(None) => {
            let f = Fail::new(
                Step::SshAuth,
                ErrorCode::SshAuthFailed,
                format!(
                    "{label}: {user} was not let in. Tried: {}. The server offers: {offers}.",
                    if tried.is_empty() {
                        "nothing usable".to_string()
                    } else {
                        tried.join("; ")
                    }
                ),
                auth_hint(&hop.auth, &user, &hop.host),
            );
            rec.push(
                Step::SshAuth,
                StepStatus::Failed,
                t.elapsed(),
                f.message.clone(),
            );
            Err(f)
        }
        Err(mut f) => {
            f.message = format!("{label}: {}", f.message);
            rec.push(
                Step::SshAuth,
                StepStatus::Failed,
                t.elapsed(),
                f.message.clone(),
            );
            Err(f)
        }
    }
}

/// What to check when `user` was refused, for the method that was tried.
fn auth_hint(auth: &HopAuth, user: &str, host: &str) -> String {
    match auth {
        HopAuth::Password(_) | HopAuth::KeyboardInteractive(_) => format!(
            "Check the user and the password for {user} on {host} (type it again, or save the right one), or choose a method the server offers."
        ),
        _ => format!(
            "Check the user, and that the key (its .pub) is in ~{user}/.ssh/authorized_keys on {host}, or choose a method the server offers."
        ),
    }
}

type Tried = Result<Option<String>, Fail>;

async fn rsa_hash(handle: &Handle<Watcher>) -> Option<HashAlg> {
    handle
        .best_supported_rsa_hash()
        .await
        .ok()
        .flatten()
        .flatten()
}

async fn by_agent(
    handle: &mut Handle<Watcher>,
    user: &str,
    socket: Option<&Path>,
    tried: &mut Vec<String>,
    required: bool,
) -> Tried {
    use russh::keys::agent::client::AgentClient;
    let unavailable = |why: String| {
        Fail::new(
            Step::SshAuth,
            ErrorCode::SshAgentUnavailable,
            format!("no SSH agent answers ({why})."),
            "Start your agent and add the key (ssh-add), check SSH_AUTH_SOCK, or choose a key file.",
        )
    };
    let agent = match socket {
        Some(path) => AgentClient::connect_uds(path)
            .await
            .map_err(|e| format!("{}: {e}", path.display())),
        None => match std::env::var_os("SSH_AUTH_SOCK") {
            Some(path) => AgentClient::connect_uds(&path)
                .await
                .map_err(|e| format!("{}: {e}", Path::new(&path).display())),
            None => Err("SSH_AUTH_SOCK is not set".into()),
        },
    };
    let mut agent = match agent {
        Ok(a) => a,
        Err(why) if required => return Err(unavailable(why)),
        Err(why) => {
            tried.push(format!("agent: {why}"));
            return Ok(None);
        }
    };
    let keys = match agent.request_identities().await {
        Ok(k) => k,
        Err(e) if required => return Err(unavailable(e.to_string())),
        Err(e) => {
            tried.push(format!("agent: {e}"));
            return Ok(None);
        }
    };
    if keys.is_empty() && required {
        return Err(unavailable("the agent holds no key".into()));
    }
    let hash = rsa_hash(handle).await;
    for identity in keys {
        let key = identity.public_key().into_owned();
        let shown = format!(
            "agent key {} {}",
            key.algorithm().as_str(),
            key.fingerprint(HashAlg::Sha256)
        );
        match handle
            .authenticate_publickey_with(user, key, hash, &mut agent)
            .await
        {
            Ok(AuthResult::Success) => return Ok(Some(format!("publickey ({shown})"))),
            Ok(AuthResult::Failure { .. }) => tried.push(format!("{shown}: refused")),
            Err(e) => tried.push(format!("{shown}: {e}")),
        }
    }
    Ok(None)
}

async fn by_files(
    handle: &mut Handle<Watcher>,
    user: &str,
    files: &[PathBuf],
    passphrase: Option<&Secret>,
    tried: &mut Vec<String>,
    required: bool,
) -> Tried {
    let hash = rsa_hash(handle).await;
    for file in files {
        let path = file.clone();
        let pass = passphrase.map(|s| zeroize::Zeroizing::new(s.expose().to_owned()));
        let loaded = tokio::task::spawn_blocking(move || {
            load_key(&path, pass.as_deref().map(|s| s.as_str()))
        })
        .await
        .unwrap_or_else(|e| Err(KeyProblem::Unreadable(e.to_string())));
        let key = match loaded {
            Ok(k) => k,
            Err(KeyProblem::Missing) if !required => continue,
            Err(problem) => {
                let shown = file.display();
                let f = match problem {
                    KeyProblem::Missing | KeyProblem::Unreadable(_) => Fail::new(
                        Step::SshAuth,
                        ErrorCode::SshKeyUnreadable,
                        format!("the key file {shown} could not be used: {}.", problem.why()),
                        "Choose a private key file (OpenSSH, PEM or PKCS#8; ed25519, ECDSA or RSA) that this user can read.",
                    ),
                    KeyProblem::NeedsPassphrase => Fail::new(
                        Step::SshAuth,
                        ErrorCode::SshKeyPassphraseWrong,
                        format!("the key file {shown} is encrypted and no passphrase was given."),
                        "Enter the key's passphrase (saved in the keychain or asked each time).",
                    ),
                    KeyProblem::WrongPassphrase => Fail::new(
                        Step::SshAuth,
                        ErrorCode::SshKeyPassphraseWrong,
                        format!("the passphrase does not decrypt the key file {shown}."),
                        "Enter the key's passphrase again (it is the key's, not the server account's password).",
                    ),
                };
                if required {
                    return Err(f);
                }
                tried.push(f.message);
                continue;
            }
        };
        let shown = format!("{} ({})", file.display(), key.algorithm().as_str());
        let with_hash = PrivateKeyWithHashAlg::new(Arc::new(key), hash);
        match handle.authenticate_publickey(user, with_hash).await {
            Ok(AuthResult::Success) => return Ok(Some(format!("publickey with {shown}"))),
            Ok(AuthResult::Failure { .. }) => tried.push(format!("{shown}: refused")),
            Err(e) => tried.push(format!("{shown}: {e}")),
        }
    }
    Ok(None)
}

enum KeyProblem {
    Missing,
    Unreadable(String),
    NeedsPassphrase,
    WrongPassphrase,
}

impl KeyProblem {
    fn why(&self) -> String {
        match self {
            KeyProblem::Missing => "no such file".into(),
            KeyProblem::Unreadable(e) => e.clone(),
            KeyProblem::NeedsPassphrase => "encrypted".into(),
            KeyProblem::WrongPassphrase => "wrong passphrase".into(),
        }
    }
}

fn load_key(path: &Path, passphrase: Option<&str>) -> Result<russh::keys::PrivateKey, KeyProblem> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => zeroize::Zeroizing::new(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(KeyProblem::Missing),
        Err(e) => return Err(KeyProblem::Unreadable(e.to_string())),
    };
    match russh::keys::decode_secret_key(&text, passphrase) {
        Ok(k) => Ok(k),
        Err(russh::keys::Error::KeyIsEncrypted) => Err(KeyProblem::NeedsPassphrase),
        Err(e) => {
            // A wrong passphrase surfaces as a decoding error: tell it apart by whether the
            // key decodes at all without one.
            if passphrase.is_some()
                && matches!(
                    russh::keys::decode_secret_key(&text, None),
                    Err(russh::keys::Error::KeyIsEncrypted)
                )
            {
                Err(KeyProblem::WrongPassphrase)
            } else {
                Err(KeyProblem::Unreadable(e.to_string()))
            }
        }
    }
}

async fn by_password(
    handle: &mut Handle<Watcher>,
    user: &str,
    secret: Option<&Secret>,
    tried: &mut Vec<String>,
) -> Tried {
    let Some(secret) = secret else {
        tried.push("password: none given".into());
        return Ok(None);
    };
    match handle.authenticate_password(user, secret.expose()).await {
        Ok(AuthResult::Success) => Ok(Some("password".into())),
        Ok(AuthResult::Failure { .. }) => {
            tried.push("password: refused".into());
            Ok(None)
        }
        Err(e) => {
            tried.push(format!("password: {e}"));
            Ok(None)
        }
    }
}

async fn by_keyboard(
    handle: &mut Handle<Watcher>,
    user: &str,
    secret: Option<&Secret>,
    tried: &mut Vec<String>,
) -> Tried {
    let mut reply = handle
        .authenticate_keyboard_interactive_start(user, None)
        .await;
    // A server may send several rounds (and empty ones); each prompt gets the secret.
    for _ in 0..8 {
        match reply {
            Ok(KeyboardInteractiveAuthResponse::Success) => {
                return Ok(Some("keyboard-interactive".into()))
            }
            Ok(KeyboardInteractiveAuthResponse::Failure { .. }) => {
                tried.push("keyboard-interactive: refused".into());
                return Ok(None);
            }
            Ok(KeyboardInteractiveAuthResponse::InfoRequest { prompts, .. }) => {
                if !prompts.is_empty() && secret.is_none() {
                    tried.push(
                        "keyboard-interactive: asked for an answer and none was given".into(),
                    );
                    return Ok(None);
                }
                let answers = prompts
                    .iter()
                    .map(|_| secret.map(|s| s.expose().to_owned()).unwrap_or_default())
                    .collect();
                reply = handle
                    .authenticate_keyboard_interactive_respond(answers)
                    .await;
            }
            Err(e) => {
                tried.push(format!("keyboard-interactive: {e}"));
                return Ok(None);
            }
        }
    }
    tried.push("keyboard-interactive: too many rounds".into());
    Ok(None)
}
