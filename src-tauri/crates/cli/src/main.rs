//! `switchboard`: the command line over the same core as the app. No display needed.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use serde::Serialize;
use switchboard_core::model::{
    Connection, ConnectionFields, ConnectionUpdate, Engine, Environment, NewConnection,
    OptionValue, PasswordSave, SecretChange, TlsMode, DEFAULT_TIMEOUT_SECS,
};
use switchboard_core::payloads::{self, PayloadFormat};
use switchboard_core::probe::report::StepStatus;
use switchboard_core::{
    paths, pgurl, probe, ApiError, CoreError, ErrorCode, Secret, Switchboard, TestReport,
};

#[derive(Parser)]
#[command(
    name = "switchboard",
    version,
    about = "Switchboard: database connections you can trust"
)]
struct Cli {
    /// Data directory (default: $SWITCHBOARD_DATA_DIR, else the per-user data dir).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// Print machine-readable JSON.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List saved connections.
    List,
    /// Show one connection (never its password).
    Show { connection: String },
    /// Save a new PostgreSQL connection.
    Add(AddArgs),
    /// Change a saved connection; options not given keep their value.
    Update(UpdateArgs),
    /// Delete a connection and its saved password.
    Delete { connection: String },
    /// Test a saved connection, or a libpq URL with --url.
    Test(TestArgs),
    /// Print a connection's saved password (explicit, on request only).
    RevealPassword { connection: String },
    /// Describe every engine: fields, defaults, TLS modes in the engine's own words.
    Engines,
    /// Read a connection from another service's JSON body; prints the draft and what could
    /// not be mapped (never a secret's value). --save stores it.
    Import(ImportArgs),
    /// Print a saved connection in another service's JSON shape (secrets left out unless
    /// --include-secrets).
    Export(ExportArgs),
}

#[derive(Args)]
struct FieldArgs {
    #[arg(long)]
    host: Option<String>,
    #[arg(long)]
    port: Option<u32>,
    #[arg(long)]
    database: Option<String>,
    #[arg(long)]
    username: Option<String>,
    /// disable | prefer | require | verify-ca | verify-full
    #[arg(long, value_parser = parse_mode)]
    sslmode: Option<TlsMode>,
    /// A PEM file of CA certificates to trust besides the OS store.
    #[arg(long)]
    ca_file: Option<PathBuf>,
    #[arg(long)]
    description: Option<String>,
    /// keychain | ask | none
    #[arg(long, value_parser = parse_save)]
    password_save: Option<PasswordSave>,
    /// Whole-test timeout in seconds.
    #[arg(long)]
    timeout: Option<u32>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    password_stdin: bool,
    /// local | development | staging | production
    #[arg(long, value_parser = parse_environment)]
    environment: Option<Environment>,
    /// Label colour, #rrggbb (default: the environment's).
    #[arg(long)]
    color: Option<String>,
    /// A tag; repeat for several. Given tags replace the connection's tags.
    #[arg(long = "tag")]
    tags: Vec<String>,
    /// Client certificate (PEM file) for mutual TLS.
    #[arg(long)]
    client_cert_file: Option<PathBuf>,
    /// The client certificate's private key (PEM file); it is kept in the keychain.
    #[arg(long)]
    client_key_file: Option<PathBuf>,
    /// Engine-specific setting NAME=VALUE (see `switchboard engines`); repeat for several.
    /// An empty value removes the setting.
    #[arg(long = "option", value_parser = parse_meta)]
    options: Vec<(String, String)>,
    /// Metadata entry KEY=VALUE; repeat for several. Adds to or replaces existing keys.
    #[arg(long = "meta", value_parser = parse_meta)]
    metadata: Vec<(String, String)>,
}

#[derive(Args)]
struct AddArgs {
    #[arg(long)]
    name: String,
    /// postgres | sqlserver | mysql | mongodb | oracle | sqlite
    #[arg(long, default_value = "postgres", value_parser = parse_engine)]
    engine: Engine,
    #[command(flatten)]
    fields: FieldArgs,
}

#[derive(Args)]
struct UpdateArgs {
    connection: String,
    /// Rename.
    #[arg(long)]
    name: Option<String>,
    #[command(flatten)]
    fields: FieldArgs,
    /// Remove the saved password from the keychain.
    #[arg(long, conflicts_with = "password_stdin")]
    clear_password: bool,
    /// Remove the client certificate, and its key from the keychain.
    #[arg(long, conflicts_with_all = ["client_cert_file", "client_key_file"])]
    clear_client_cert: bool,
}

#[derive(Args)]
struct ImportArgs {
    /// The payload text; or give --file.
    #[arg(required_unless_present = "file", conflicts_with = "file")]
    payload: Option<String>,
    #[arg(long)]
    file: Option<PathBuf>,
    /// infisical | sequin | lerian
    #[arg(long, value_parser = parse_payload_format)]
    format: PayloadFormat,
    /// Store it (secrets go to the keychain).
    #[arg(long)]
    save: bool,
}

#[derive(Args)]
struct ExportArgs {
    connection: String,
    /// infisical | sequin | lerian
    #[arg(long, value_parser = parse_payload_format)]
    format: PayloadFormat,
    /// Put the saved password and client key into the output.
    #[arg(long)]
    include_secrets: bool,
}

fn parse_payload_format(s: &str) -> Result<PayloadFormat, String> {
    PayloadFormat::parse(s).ok_or_else(|| "expected infisical, sequin or lerian".into())
}

#[derive(Args)]
struct TestArgs {
    /// Saved connection name or id.
    #[arg(required_unless_present = "url", conflicts_with = "url")]
    connection: Option<String>,
    /// A libpq URI, e.g. 'postgresql://u@h/db?sslmode=verify-full&sslrootcert=ca.pem'.
    #[arg(long)]
    url: Option<String>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    password_stdin: bool,
}

fn parse_mode(s: &str) -> Result<TlsMode, String> {
    TlsMode::parse(s)
        .ok_or_else(|| "expected disable, prefer, require, verify-ca or verify-full".into())
}

fn parse_engine(s: &str) -> Result<Engine, String> {
    Engine::parse(s)
        .ok_or_else(|| "expected postgres, sqlserver, mysql, mongodb, oracle or sqlite".into())
}

fn parse_environment(s: &str) -> Result<Environment, String> {
    Environment::parse(s).ok_or_else(|| "expected local, development, staging or production".into())
}

fn parse_meta(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| "expected KEY=VALUE".into())
}

fn parse_save(s: &str) -> Result<PasswordSave, String> {
    PasswordSave::parse(s).ok_or_else(|| "expected keychain, ask or none".into())
}

/// How a command ended: JSON-able data and whether it counts as success.
enum Outcome {
    Done(serde_json::Value, String),
    TestRan(Box<TestReport>),
}

fn main() -> ExitCode {
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
    match runtime.block_on(run(cli)) {
        Ok(Outcome::Done(value, text)) => {
            if json {
                print_json(&value);
            } else if !text.is_empty() {
                println!("{text}");
            }
            ExitCode::SUCCESS
        }
        Ok(Outcome::TestRan(report)) => {
            if json {
                print_json(&report);
            } else {
                print!("{}", render_report(&report));
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

fn render_report(r: &TestReport) -> String {
    let mut out = String::new();
    for s in &r.steps {
        let mark = match s.status {
            StepStatus::Ok => "ok  ",
            StepStatus::Failed => "FAIL",
            StepStatus::Skipped => "skip",
        };
        out.push_str(&format!(
            "{mark} {:<14} {:>9.1} ms  {}\n",
            s.step.label(),
            s.elapsed_ms,
            s.detail
        ));
    }
    match (&r.server, &r.error) {
        (Some(srv), _) => out.push_str(&format!(
            "connected: PostgreSQL {} as {} to {} in {:.1} ms\n",
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

/// The first line of standard input. An empty line is an error: `--password-stdin` with
/// nothing piped in must not quietly mean "no password".
fn read_password() -> Result<Secret, CoreError> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("password (shown as you type; prefer piping it in): ");
    }
    let mut line = zeroize::Zeroizing::new(String::new());
    stdin.lock().read_line(&mut line).map_err(|e| {
        CoreError::input(
            ErrorCode::PasswordRequired,
            Some("password"),
            format!("cannot read the password from standard input: {e}"),
            "Pipe the password on standard input.",
        )
    })?;
    let password = line.trim_end_matches(['\n', '\r']);
    if password.is_empty() {
        return Err(CoreError::input(
            ErrorCode::PasswordRequired,
            Some("password"),
            "--password-stdin was given but standard input held no password",
            "Pipe the password in, e.g. printf '%s\\n' \"$PW\" | switchboard …, or drop --password-stdin.",
        ));
    }
    Ok(Secret::new(password))
}

fn summary(c: &Connection) -> String {
    let f = &c.fields;
    format!(
        "{:<24} {:<12} {:<9} {}  tls={}  password={}",
        f.name,
        f.environment.map(Environment::as_str).unwrap_or("-"),
        f.engine.as_str(),
        f.target_summary(),
        f.tls.mode.as_str(),
        match (f.password_save, c.has_saved_password) {
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
    Ok(())
}

async fn run(cli: Cli) -> Result<Outcome, CoreError> {
    // A URL test needs no saved data at all.
    if let Command::Test(TestArgs {
        url: Some(url),
        password_stdin,
        ..
    }) = &cli.command
    {
        let parsed = pgurl::parse(url, Duration::from_secs(u64::from(DEFAULT_TIMEOUT_SECS)))?;
        let mut target = parsed.target;
        if *password_stdin {
            target.password = Some(read_password()?);
        }
        for w in &parsed.warnings {
            eprintln!("warning: {w}");
        }
        return Ok(Outcome::TestRan(Box::new(probe::run(&target).await)));
    }
    let dir = cli
        .data_dir
        .clone()
        .or_else(paths::data_dir)
        .ok_or_else(|| CoreError::Storage("no data directory: set SWITCHBOARD_DATA_DIR".into()))?;
    let _ = switchboard_core::logging::init(&dir);
    let sb = Switchboard::open(&dir).await?;
    Ok(match cli.command {
        Command::List => {
            let all = sb.list().await?;
            let text = all.iter().map(summary).collect::<Vec<_>>().join("\n");
            Outcome::Done(to_json(&all)?, text)
        }
        Command::Show { connection } => {
            let c = sb.find(&connection).await?;
            Outcome::Done(to_json(&c)?, summary(&c))
        }
        Command::Add(a) => {
            let mut fields = ConnectionFields::blank(a.engine, &a.name);
            apply(&mut fields, &a.fields)?;
            let password = if a.fields.password_stdin {
                Some(read_password()?)
            } else {
                None
            };
            let client_key = read_key(&a.fields)?;
            let c = sb
                .create(NewConnection {
                    fields,
                    password,
                    client_key,
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
            let c = sb
                .update(ConnectionUpdate {
                    id: old.id,
                    version: old.version,
                    fields,
                    password,
                    client_key,
                })
                .await?;
            Outcome::Done(to_json(&c)?, format!("updated {}", summary(&c)))
        }
        Command::Delete { connection } => {
            let c = sb.find(&connection).await?;
            sb.delete(c.id).await?;
            Outcome::Done(
                serde_json::json!({ "deleted": c.id }),
                format!("deleted {}", c.fields.name),
            )
        }
        Command::Test(t) => {
            let name = t.connection.unwrap_or_default();
            let c = sb.find(&name).await?;
            let password = if t.password_stdin {
                Some(read_password()?)
            } else {
                None
            };
            Outcome::TestRan(Box::new(sb.test(c.id, password).await?))
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
        Command::Import(a) => {
            let text = match (&a.payload, &a.file) {
                (Some(t), _) => t.clone(),
                (None, Some(p)) => read_pem(p, "payload")?,
                (None, None) => String::new(),
            };
            let mut imported = payloads::import(a.format, &text)?;
            sb.match_primary(&mut imported).await?;
            for w in &imported.warnings {
                eprintln!("warning: {w}");
            }
            let mut fields = imported.fields.clone();
            if a.save {
                let c = sb
                    .create(NewConnection {
                        fields,
                        password: imported.password,
                        client_key: imported.client_key,
                    })
                    .await?;
                let value = serde_json::json!({ "connection": c, "warnings": imported.warnings });
                Outcome::Done(value, format!("saved {}", summary(&c)))
            } else {
                // The same checks as saving, without saving.
                let mut draft = NewConnection {
                    fields,
                    password: imported.password,
                    client_key: imported.client_key,
                };
                sb.check_new(&mut draft).await?;
                fields = draft.fields;
                let value = serde_json::json!({
                    "fields": fields,
                    "has_password": draft.password.is_some(),
                    "has_client_key": draft.client_key.is_some(),
                    "warnings": imported.warnings,
                });
                Outcome::Done(
                    value,
                    format!("valid: {} (not saved; add --save)", fields.target_summary()),
                )
            }
        }
        Command::Export(a) => {
            let c = sb.find(&a.connection).await?;
            let secrets = sb.export_context(c.id, a.include_secrets).await?;
            let out = payloads::export(a.format, &c.fields, &secrets)?;
            for w in &out.warnings {
                eprintln!("warning: {w}");
            }
            let text = serde_json::to_string_pretty(&out.body).unwrap_or_default();
            Outcome::Done(out.body, text)
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
