//! `switchboard`: the command line over the same core as the app. No display needed.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use serde::Serialize;

mod args;
mod import;
mod list;
mod ssh;
use args::{Cli, Command, DeleteArgs, FieldArgs, TestArgs};
use ssh::{apply_ssh, ask_trust, ssh_secret_slots, tunnel};
use switchboard_core::cancel::Cancel;
use switchboard_core::connections::TestControl;
use switchboard_core::connstr::payloads::PayloadFormat;
use switchboard_core::drafts::UrlTest;
use switchboard_core::model::{
    Connection, ConnectionFields, ConnectionUpdate, Environment, NewConnection, OptionValue,
    PasswordSave, SecretChange,
};
use switchboard_core::probe::report::{CheckStatus, Progress, StepReport, StepStatus};
use switchboard_core::summary::ConnectionSummary;
use switchboard_core::{paths, ApiError, CoreError, ErrorCode, Secret, Switchboard, TestReport};

/// A switch that Ctrl-C (SIGINT) sets. On Unix the handler is in place when this returns;
/// until it is, Ctrl-C still ends the process the default way.
fn ctrl_c() -> Cancel {
    let cancel = Cancel::new();
    let set = cancel.clone();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut sigint) = signal(SignalKind::interrupt()) {
            tokio::spawn(async move {
                if sigint.recv().await.is_some() {
                    set.cancel();
                }
            });
        }
    }
    #[cfg(not(unix))]
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            set.cancel();
        }
    });
    cancel
}

/// How a command ended: JSON-able data and whether it counts as success.
enum Outcome {
    Done(serde_json::Value, String),
    /// Printed like `Done`, but the exit code says something is wrong.
    Invalid(serde_json::Value, String),
    /// A test's report; its steps were printed as they finished (text mode).
    TestRan(Box<TestReport>),
}

fn main() -> ExitCode {
    switchboard_core::paths::no_core_dumps();
    let cli = Cli::parse();
    let json = cli.json;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("switchboard: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    // A test stops itself on Ctrl-C (and prints what it found); anything else stops at once,
    // even while it waits on the keychain: the keychain journal settles what it left.
    let stops_itself = matches!(cli.command, Command::Test(_));
    let outcome = runtime.block_on(async {
        if stops_itself {
            return Some(run(cli).await);
        }
        let interrupted = ctrl_c();
        tokio::select! {
            r = run(cli) => Some(r),
            () = interrupted.cancelled() => None,
        }
    });
    // A keychain call stuck past its timeout must not hold the exit.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    let Some(outcome) = outcome else {
        eprintln!("switchboard: interrupted; nothing half-written is kept");
        return ExitCode::from(130);
    };
    match outcome {
        Ok(Outcome::Done(value, text)) => {
            if json {
                print_json(&value);
            } else if !text.is_empty() {
                println!("{text}");
            }
            ExitCode::SUCCESS
        }
        Ok(Outcome::Invalid(value, text)) => {
            if json {
                print_json(&value);
            } else {
                println!("{text}");
            }
            ExitCode::from(1)
        }
        Ok(Outcome::TestRan(report)) => {
            if json {
                print_json(&report);
            } else {
                print!("{}", render_summary(&report));
            }
            if report.ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            let api = e.to_api();
            if json {
                print_json(&serde_json::json!({ "error": api }));
            } else {
                eprintln!("{}", render_error(&api));
            }
            ExitCode::from(1)
        }
    }
}

/// A saved row this version cannot read is named on stderr, never allowed to hide the rest.
fn warn_broken(broken: &[switchboard_core::store::BrokenRow]) {
    for b in broken {
        eprintln!(
            "switchboard: warning: connection {} ({}) cannot be read: {}; `switchboard delete {}` removes it",
            b.name.as_deref().unwrap_or("?"),
            b.id,
            b.reason,
            // An id edited by hand may hold spaces or quotes: the command must paste as is.
            shlex::try_quote(&b.id).unwrap_or_else(|_| b.id.as_str().into())
        );
    }
}

fn print_json<T: Serialize>(v: &T) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("switchboard: cannot print JSON: {e}"),
    }
}

fn render_error(e: &ApiError) -> String {
    let mut out = format!("error [{}]: {}\n  hint: {}", e.code, e.message, e.hint);
    for i in &e.issues {
        out.push_str(&format!(
            "\n  - {} [{}]: {} ({})",
            i.field, i.code, i.message, i.hint
        ));
    }
    out
}

fn render_step(s: &StepReport) -> String {
    let mark = match s.status {
        StepStatus::Ok => "ok  ",
        StepStatus::Failed => "FAIL",
        StepStatus::Skipped => "skip",
    };
    // An SSH hop's steps say which hop (`[hop 1 of 2: jump@bastion:22]`).
    let hop = s
        .hop
        .as_deref()
        .map(|h| format!("[{h}] "))
        .unwrap_or_default();
    format!(
        "{mark} {:<16} {:>9.1} ms  {hop}{}",
        s.step.label(),
        s.elapsed_ms,
        s.detail
    )
}

/// Runs a test, printing each step as it finishes (text mode); Ctrl-C cancels it.
async fn streamed_test<F, Fut>(json: bool, run: F) -> Result<TestReport, CoreError>
where
    F: FnOnce(TestControl) -> Fut,
    Fut: std::future::Future<Output = Result<TestReport, CoreError>>,
{
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<StepReport>();
    let printer = tokio::spawn(async move {
        while let Some(s) = rx.recv().await {
            if !json {
                println!("{}", render_step(&s));
            }
        }
    });
    let report = run(TestControl {
        progress: Some(Progress::new(Some(tx))),
        cancel: ctrl_c(),
        ..Default::default()
    })
    .await;
    // The sender went with the test: the printer ends once it has printed every step.
    let _ = printer.await;
    report
}

fn render_summary(r: &TestReport) -> String {
    let mut out = String::new();
    for c in &r.checks {
        let mark = match c.status {
            CheckStatus::Ok => "ok  ",
            CheckStatus::Warning => "WARN",
            CheckStatus::Failed => "FAIL",
        };
        out.push_str(&format!("{mark} check {:<16} {}", c.name, c.detail));
        if !c.hint.is_empty() {
            out.push_str(&format!("\n       hint: {}", c.hint));
        }
        out.push('\n');
    }
    match (&r.server, &r.error) {
        (Some(srv), _) => out.push_str(&format!(
            "connected: {} as {} to {} in {:.1} ms\n",
            srv.version, srv.current_user, srv.current_database, r.total_ms
        )),
        (_, Some(e)) => out.push_str(&format!(
            "failed [{}] at {}: {}\n  hint: {}\n",
            e.code,
            e.step.label(),
            e.message,
            e.hint
        )),
        _ => {}
    }
    out
}

/// The password from standard input: on a terminal typed at a prompt without echo, else
/// the first line piped in. An empty one is an error: `--password-stdin` with nothing
/// piped in must not quietly mean "no password".
fn read_password() -> Result<Secret, CoreError> {
    read_secret("password", "password", "--password-stdin")
}

fn read_secret(what: &str, field: &str, flag: &str) -> Result<Secret, CoreError> {
    let stdin = std::io::stdin();
    let unreadable = |e: std::io::Error| {
        CoreError::input(
            ErrorCode::PasswordRequired,
            Some(field),
            format!("cannot read the {what} from standard input: {e}"),
            format!("Pipe the {what} on standard input."),
        )
    };
    let line = if stdin.is_terminal() {
        zeroize::Zeroizing::new(
            rpassword::prompt_password(format!("{what}: ")).map_err(unreadable)?,
        )
    } else {
        let mut line = zeroize::Zeroizing::new(String::new());
        stdin.lock().read_line(&mut line).map_err(unreadable)?;
        line
    };
    let secret = line.trim_end_matches(['\n', '\r']);
    if secret.is_empty() {
        return Err(CoreError::input(
            ErrorCode::PasswordRequired,
            Some(field),
            format!("{flag} was given but standard input held no {what}"),
            format!(
                "Pipe the {what} in, e.g. printf '%s\\n' \"$PW\" | switchboard …, or drop {flag}."
            ),
        ));
    }
    Ok(Secret::new(secret))
}

/// Said when a secret arrived in a command-line argument: every local user could read it
/// (`ps`, /proc/PID/cmdline) while the command ran.
fn warn_secret_in_argument(safe_way: &str) {
    eprintln!(
        "warning: the password in this argument was visible to every user of this machine \
         (ps, /proc) while the command ran; {safe_way}"
    );
}

/// Whether a connection string given as an argument holds a password or key.
fn argument_carries_secret(input: &str, format: Option<PayloadFormat>) -> bool {
    let imported = match format {
        Some(f) => switchboard_core::connstr::payloads::import(f, input).ok(),
        None => switchboard_core::connstr::import(input)
            .ok()
            .map(|p| p.imported),
    };
    imported.is_some_and(|i| {
        i.password.is_some_and(|p| !p.is_empty()) || i.client_key.is_some_and(|k| !k.is_empty())
    })
}

/// The whole of standard input (`import --stdin`), at most the import's 4 MiB and a byte
/// (so that the import says the text is too large).
fn read_stdin_text() -> Result<zeroize::Zeroizing<String>, CoreError> {
    use std::io::Read;
    let mut text = zeroize::Zeroizing::new(String::new());
    std::io::stdin()
        .lock()
        .take(4 * 1024 * 1024 + 1)
        .read_to_string(&mut text)
        .map_err(|e| {
            CoreError::input(
                ErrorCode::UrlInvalid,
                Some("url"),
                format!("cannot read the connection string from standard input: {e}"),
                "Pipe UTF-8 text, e.g. switchboard import --stdin < conn.txt.",
            )
        })?;
    Ok(text)
}

/// Asks on the terminal; anything but y/yes is no.
fn confirm(question: &str) -> bool {
    eprint!("{question} [y/N] ");
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

fn summary(c: &Connection) -> String {
    row_summary(&ConnectionSummary::from(c))
}

/// One connection on one line: handle, name, environment, engine, target, TLS, password
/// (`list` writes its rows from the compact listing, the other commands from the full one).
pub(crate) fn row_summary(c: &ConnectionSummary) -> String {
    format!(
        "{:<24} {:<24} {:<12} {:<9} {}  tls={}  password={}",
        c.handle,
        c.name,
        c.environment.map(Environment::as_str).unwrap_or("-"),
        c.engine.as_str(),
        c.target_summary(),
        c.tls_mode.as_str(),
        match (c.password_save, c.has_saved_password) {
            (PasswordSave::Keychain, true) => "keychain",
            (PasswordSave::Keychain, false) => "not saved",
            (PasswordSave::Ask, _) => "ask",
            (PasswordSave::None, _) => "none",
        }
    )
}

fn to_json<T: Serialize>(v: &T) -> Result<serde_json::Value, CoreError> {
    serde_json::to_value(v).map_err(|e| CoreError::Storage(e.to_string()))
}

fn read_pem(path: &PathBuf, field: &str) -> Result<String, CoreError> {
    std::fs::read_to_string(path).map_err(|e| {
        CoreError::input(
            ErrorCode::FileUnreadable,
            Some(field),
            format!("{} cannot be read: {e}", path.display()),
            "Give the path of a readable PEM file.",
        )
    })
}

fn read_key(a: &FieldArgs) -> Result<Option<Secret>, CoreError> {
    a.client_key_file
        .as_ref()
        .map(|p| read_pem(p, "client_key").map(Secret::new))
        .transpose()
}

fn apply(f: &mut ConnectionFields, a: &FieldArgs) -> Result<(), CoreError> {
    if let Some(v) = &a.host {
        f.host = v.clone();
    }
    if let Some(v) = a.port {
        f.port = v;
    }
    if let Some(v) = &a.database {
        f.database = v.clone();
    }
    if let Some(v) = &a.username {
        f.username = v.clone();
    }
    if let Some(v) = a.sslmode {
        f.tls.mode = v;
    }
    if let Some(p) = &a.ca_file {
        f.tls.ca_pem = Some(read_pem(p, "tls.ca_pem")?);
    }
    if let Some(p) = &a.client_cert_file {
        f.tls.client_cert_pem = Some(read_pem(p, "tls.client_cert_pem")?);
    }
    if let Some(v) = &a.description {
        f.description = Some(v.clone());
    }
    if let Some(v) = a.password_save {
        f.password_save = v;
    }
    if let Some(v) = a.timeout {
        f.timeout_secs = v;
    }
    if let Some(v) = a.environment {
        f.environment = Some(v);
    }
    if let Some(v) = &a.folder {
        f.folder = v.clone();
    }
    if let Some(v) = &a.color {
        f.color = Some(v.clone());
    }
    if !a.tags.is_empty() {
        f.tags = a.tags.clone();
    }
    let spec = f.engine.spec();
    for (k, v) in &a.options {
        let is_bool = spec
            .field(&format!("options.{k}"))
            .is_some_and(|fs| fs.kind == switchboard_core::engines::FieldKind::Bool);
        let value = match (is_bool, v.as_str()) {
            (_, "") => {
                f.options.remove(k);
                continue;
            }
            (true, "true" | "yes" | "on" | "1") => OptionValue::Bool(true),
            (true, "false" | "no" | "off" | "0") => OptionValue::Bool(false),
            _ => OptionValue::Text(v.clone()),
        };
        f.options.insert(k.clone(), value);
    }
    for (k, v) in &a.metadata {
        f.metadata
            .insert(k.clone(), serde_json::Value::String(v.clone()));
    }
    apply_ssh(f, &a.ssh)
}

async fn run(cli: Cli) -> Result<Outcome, CoreError> {
    let json = cli.json;
    // A URL test needs no saved data at all.
    if let Command::Test(TestArgs {
        url: Some(url),
        password_stdin,
        trust_host_keys,
        ssh,
        ..
    }) = &cli.command
    {
        let mut test = UrlTest::read(url).await?;
        let mut probe = ConnectionFields::blank(switchboard_core::model::Engine::Postgres, "");
        apply_ssh(&mut probe, ssh)?;
        if let Some(route) = probe.ssh.clone() {
            let dir = cli
                .data_dir
                .clone()
                .or_else(paths::data_dir)
                .ok_or_else(|| {
                    CoreError::Storage(
                        "no data directory for the known-hosts file: set SWITCHBOARD_DATA_DIR"
                            .into(),
                    )
                })?;
            test.through(route, &dir)?;
        }
        if test.carries_secret() {
            warn_secret_in_argument(
                "leave the password out of --url and pipe it in with --password-stdin",
            );
        }
        for w in test.warnings() {
            eprintln!("warning: {w}");
        }
        let password = password_stdin.then(read_password).transpose()?;
        let ssh_secrets = ssh_secret_slots(&probe, ssh)?;
        let trust = trust_host_keys.clone();
        let report = streamed_test(json, |mut control| {
            control.ssh_secrets = ssh_secrets;
            control.trust_host_keys = trust;
            test.run(password, control)
        })
        .await?;
        return Ok(Outcome::TestRan(Box::new(report)));
    }
    let dir = cli
        .data_dir
        .clone()
        .or_else(paths::data_dir)
        .ok_or_else(|| CoreError::Storage("no data directory: set SWITCHBOARD_DATA_DIR".into()))?;
    let _ = switchboard_core::logging::init(&dir);
    let sb = Switchboard::open(&dir).await?;
    Ok(match cli.command {
        Command::List(a) => list::list(&sb, a, json).await?,
        Command::Show { connection } => {
            let c = sb.find(&connection).await?;
            Outcome::Done(to_json(&c)?, summary(&c))
        }
        Command::Add(a) => {
            let mut fields = ConnectionFields::blank(a.engine, &a.name);
            fields.handle = a.handle.clone().unwrap_or_default();
            apply(&mut fields, &a.fields)?;
            let password = if a.fields.password_stdin {
                Some(read_password()?)
            } else {
                None
            };
            let client_key = read_key(&a.fields)?;
            let ssh_secrets = ssh_secret_slots(&fields, &a.fields.ssh)?;
            let c = sb
                .create(NewConnection {
                    fields,
                    password,
                    client_key,
                    ssh_secrets,
                })
                .await?;
            Outcome::Done(to_json(&c)?, format!("saved {}", summary(&c)))
        }
        Command::Update(a) => {
            let old = sb.find(&a.connection).await?;
            let mut fields = old.fields.clone();
            if let Some(n) = &a.name {
                fields.name = n.clone();
            }
            if let Some(h) = &a.handle {
                fields.handle = h.clone();
            }
            apply(&mut fields, &a.fields)?;
            let password = if a.clear_password {
                SecretChange::Clear
            } else if a.fields.password_stdin {
                SecretChange::Set(read_password()?)
            } else {
                SecretChange::Keep
            };
            let client_key = match read_key(&a.fields)? {
                Some(k) => SecretChange::Set(k),
                None => SecretChange::Keep,
            };
            if a.clear_client_cert {
                fields.tls.client_cert_pem = None;
            }
            let ssh_secrets = ssh_secret_slots(&fields, &a.fields.ssh)?
                .into_iter()
                .map(|s| s.map_or(SecretChange::Keep, SecretChange::Set))
                .collect();
            let c = sb
                .update(ConnectionUpdate {
                    id: old.id,
                    version: old.version,
                    fields,
                    password,
                    client_key,
                    ssh_secrets,
                })
                .await?;
            Outcome::Done(to_json(&c)?, format!("updated {}", summary(&c)))
        }
        Command::Delete(d) => delete(&sb, d).await?,
        Command::Test(t) if t.all => {
            let listing = sb.listing().await?;
            warn_broken(&listing.broken);
            let ids: Vec<_> = listing.connections.into_iter().map(|c| c.id).collect();
            // Ctrl-C stops the run: tests in flight are dropped, the finished ones reported.
            // The handler is in place before the run is announced.
            let interrupted = ctrl_c();
            let total = ids.len();
            eprintln!(
                "testing {}, {} at a time; Ctrl-C stops",
                switchboard_core::words::count(total as i64, "connection", "connections"),
                t.concurrency
            );
            let results = sb
                .test_many(
                    ids,
                    t.concurrency,
                    |r| {
                        if !json {
                            match (&r.report, &r.error) {
                                (Some(rep), _) if rep.ok => {
                                    println!("ok     {:<24} {:>9.1} ms", r.name, rep.total_ms)
                                }
                                (Some(rep), _) => println!(
                                    "FAILED {:<24} {:>9.1} ms  [{}] {}",
                                    r.name,
                                    rep.total_ms,
                                    rep.error.as_ref().map(|e| e.code.as_str()).unwrap_or("?"),
                                    rep.error.as_ref().map(|e| e.message.as_str()).unwrap_or("")
                                ),
                                (None, Some(e)) => {
                                    println!("FAILED {:<24} [{}] {}", r.name, e.code, e.message)
                                }
                                (None, None) => {}
                            }
                        }
                    },
                    &interrupted,
                )
                .await?;
            let failed = results.iter().filter(|r| !r.ok()).count();
            let stopped = total - results.len();
            let text = if stopped > 0 {
                format!(
                    "{} tested, {failed} failed, {stopped} not tested (cancelled)",
                    results.len()
                )
            } else {
                format!("{} tested, {failed} failed", results.len())
            };
            let value = to_json(&results)?;
            if failed > 0 || stopped > 0 {
                Outcome::Invalid(value, text)
            } else {
                Outcome::Done(value, text)
            }
        }
        Command::Test(t) => {
            let name = t.connection.unwrap_or_default();
            let c = sb.find(&name).await?;
            let password = if t.password_stdin {
                Some(read_password()?)
            } else {
                None
            };
            let ssh_secrets = ssh_secret_slots(&c.fields, &t.ssh)?;
            let trust = t.trust_host_keys.clone();
            let (secrets_again, password_again) = (ssh_secrets.clone(), password.clone());
            let report = streamed_test(json, |mut control| {
                control.ssh_secrets = ssh_secrets;
                control.trust_host_keys = trust;
                sb.test_with(c.id, password, control)
            })
            .await?;
            // On a terminal an unknown bastion key is asked about, as ssh does; the answer
            // must be "yes", and the key goes to Switchboard's own known-hosts file.
            let unknown = report
                .error
                .as_ref()
                .filter(|e| e.code == ErrorCode::SshHostKeyUnknown)
                .and_then(|e| e.host_key.clone());
            match unknown {
                Some(fp) if !json && std::io::stdin().is_terminal() && ask_trust(&fp) => {
                    let mut trust = t.trust_host_keys.clone();
                    trust.push(fp);
                    let report = streamed_test(json, |mut control| {
                        control.ssh_secrets = secrets_again;
                        control.trust_host_keys = trust;
                        sb.test_with(c.id, password_again, control)
                    })
                    .await?;
                    Outcome::TestRan(Box::new(report))
                }
                _ => Outcome::TestRan(Box::new(report)),
            }
        }
        Command::Engines => {
            let specs = switchboard_core::engines::all();
            let text = specs
                .iter()
                .map(|s| {
                    let fields: Vec<String> = s
                        .fields
                        .iter()
                        .map(|f| format!("{}{}", f.key, if f.required { "*" } else { "" }))
                        .collect();
                    let tls: Vec<String> = s
                        .tls_modes
                        .iter()
                        .filter(|m| m.supported)
                        .map(|m| format!("{} ({})", m.mode.as_str(), m.native))
                        .collect();
                    format!(
                        "{} [{}]\n  fields: {}\n  tls: {}",
                        s.label,
                        s.engine.as_str(),
                        fields.join(", "),
                        tls.join("; ")
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            Outcome::Done(to_json(&specs)?, text)
        }
        Command::Import(a) => import::import(&sb, a).await?,
        Command::Tunnel(a) => tunnel(&sb, a, json).await?,
        Command::Export(a) => {
            let c = sb.find(&a.connection).await?;
            let out = sb.export_text(c.id, a.format, a.include_secrets).await?;
            for w in &out.warnings {
                eprintln!("warning: {w}");
            }
            // JSON bodies print as themselves; strings as {format, text, warnings}.
            let value = match serde_json::from_str::<serde_json::Value>(&out.text) {
                Ok(body) if body.is_object() => body,
                _ => to_json(&out)?,
            };
            Outcome::Done(value, out.text)
        }
        Command::ExportList(a) => {
            let mut ids = Vec::new();
            for c in &a.connections {
                ids.push(sb.find(c).await?.id);
            }
            if let Some(folder) = &a.folder {
                let folder = switchboard_core::folder::normalize(folder);
                ids = sb
                    .list()
                    .await?
                    .into_iter()
                    .filter(|c| {
                        !c.fields.folder.is_empty()
                            && switchboard_core::folder::within(&c.fields.folder, &folder)
                    })
                    .map(|c| c.id)
                    .collect();
                if ids.is_empty() {
                    return Err(CoreError::NotFound(format!("folder {folder:?}")));
                }
            }
            let out = sb.export_list_as(&ids, a.folder.as_deref(), a.to).await?;
            for w in &out.warnings {
                eprintln!("warning: {w}");
            }
            let value =
                serde_json::from_str(&out.text).map_err(|e| CoreError::Storage(e.to_string()))?;
            Outcome::Done(value, out.text)
        }
        Command::RevealPassword { connection } => {
            let c = sb.find(&connection).await?;
            let p = sb.reveal_password(c.id).await?;
            Outcome::Done(
                serde_json::json!({ "password": p.expose() }),
                p.expose().to_owned(),
            )
        }
    })
}

/// `switchboard delete`: every name resolved before anything goes (an unknown one deletes
/// nothing); on a terminal, asked first unless --yes.
async fn delete(sb: &Switchboard, d: DeleteArgs) -> Result<Outcome, CoreError> {
    let mut found: Vec<(String, String)> = Vec::new();
    for c in &d.connections {
        // By id, handle or display name without reading the whole row: a broken row can be deleted too.
        let (id, name) = sb.find_id(c).await?;
        if !found.iter().any(|(i, _)| *i == id) {
            found.push((id, name));
        }
    }
    let names: Vec<&str> = found.iter().map(|(_, n)| n.as_str()).collect();
    if !d.yes && std::io::stdin().is_terminal() {
        let question = match names.as_slice() {
            [one] => format!("Delete {one} and its keychain entries?"),
            many => format!(
                "Delete {} connections ({}) and their keychain entries?",
                many.len(),
                many.join(", ")
            ),
        };
        if !confirm(&question) {
            return Err(CoreError::input(
                ErrorCode::Cancelled,
                None,
                "nothing deleted: not confirmed",
                "Answer y to delete, or pass --yes in scripts.",
            ));
        }
    }
    // Rows with a proper id go together in one transaction; a row whose stored id was
    // edited into something else has its own way out.
    let (uuids, odd): (Vec<_>, Vec<_>) = found
        .iter()
        .partition(|(id, _)| uuid::Uuid::parse_str(id).is_ok_and(|u| u.to_string() == *id));
    let ids: Vec<uuid::Uuid> = uuids
        .iter()
        .filter_map(|(id, _)| uuid::Uuid::parse_str(id).ok())
        .collect();
    if !ids.is_empty() {
        sb.delete_many(&ids).await?;
    }
    for (id, _) in &odd {
        sb.delete_row(id).await?;
    }
    let value = serde_json::json!({
        "deleted": found.iter().map(|(id, name)| serde_json::json!({"id": id, "name": name})).collect::<Vec<_>>()
    });
    Ok(Outcome::Done(
        value,
        format!("deleted {}", names.join(", ")),
    ))
}
