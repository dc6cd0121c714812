//! The command line's shape: commands, their arguments and the parsers clap uses for them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use switchboard_core::connstr::payloads::PayloadFormat;
use switchboard_core::connstr::ExportFormat;
use switchboard_core::exports::ListFormat;
use switchboard_core::model::{Engine, Environment, PasswordSave, TlsMode};
use switchboard_core::sources::{OnClash, Tool};

#[derive(Parser)]
#[command(
    name = "switchboard",
    version,
    about = "Switchboard: database connections you can trust"
)]
pub(crate) struct Cli {
    /// Data directory (default: $SWITCHBOARD_DATA_DIR, else the per-user data dir).
    #[arg(long, global = true)]
    pub(crate) data_dir: Option<PathBuf>,
    /// Print machine-readable JSON.
    #[arg(long, global = true)]
    pub(crate) json: bool,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(clap::Args)]
pub(crate) struct ListArgs {
    /// Only the connections in this folder and its subfolders ('Payments/EU').
    #[arg(long)]
    pub(crate) folder: Option<String>,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// List saved connections, grouped by folder.
    List(ListArgs),
    /// Show one connection (never its password).
    Show {
        /// Its handle, display name or id (a handle wins over another's display name).
        connection: String,
    },
    /// Save a new PostgreSQL connection.
    Add(AddArgs),
    /// Change a saved connection; options not given keep their value.
    Update(UpdateArgs),
    /// Delete connections and their keychain entries (all or none); asks first on a
    /// terminal unless --yes.
    Delete(DeleteArgs),
    /// Test a saved connection, or any connection string with --url.
    Test(TestArgs),
    /// Print a connection's saved password (explicit, on request only).
    RevealPassword {
        /// Its handle, display name or id.
        connection: String,
    },
    /// Describe every engine: fields, defaults, TLS modes in the engine's own words.
    Engines,
    /// Read a connection string (URL, keyword=value, JDBC, ADO.NET, EZConnect, a shell
    /// command, KEY=value, or a service's JSON body) or a file of them (.env, .pgpass,
    /// pg_service.conf, JSON export); prints the draft(s) and what could not be mapped, never
    /// a secret's value. --save stores it (a file: in one transaction).
    Import(ImportArgs),
    /// Print a saved connection as a URL, keyword=value, JDBC, ADO.NET, shell command, .env
    /// line, a service's JSON body or the OpenSSH tunnel command (secrets left out unless
    /// --include-secrets).
    Export(ExportArgs),
    /// Print Switchboard's own JSON list of connections (all, those named, or a folder's):
    /// every setting and folder, never a secret. `import --file` reads it back.
    ExportList(ExportListArgs),
    /// Keep the connection's SSH route open as a forward on 127.0.0.1 for psql or an IDE
    /// (keepalives, reopened when a hop drops); Ctrl-C closes it.
    Tunnel(TunnelArgs),
}

#[derive(Args)]
pub(crate) struct TunnelArgs {
    /// A saved connection's handle, display name or id.
    pub(crate) connection: String,
    /// The local port to listen on (default: the database's port + 10000, e.g. 15432).
    #[arg(long)]
    pub(crate) local_port: Option<u16>,
    /// Trust this SSH host key (SHA256:…), written to Switchboard's own known-hosts file.
    #[arg(long = "trust-host-key")]
    pub(crate) trust_host_keys: Vec<String>,
    /// Read the last hop's secret (key passphrase or SSH password) from standard input.
    #[arg(long)]
    pub(crate) ssh_password_stdin: bool,
}

#[derive(Args)]
pub(crate) struct FieldArgs {
    #[arg(long)]
    pub(crate) host: Option<String>,
    #[arg(long)]
    pub(crate) port: Option<u32>,
    #[arg(long)]
    pub(crate) database: Option<String>,
    #[arg(long)]
    pub(crate) username: Option<String>,
    /// disable | prefer | require | verify-ca | verify-full
    #[arg(long, value_parser = parse_mode)]
    pub(crate) sslmode: Option<TlsMode>,
    /// A PEM file of CA certificates to trust besides the OS store.
    #[arg(long)]
    pub(crate) ca_file: Option<PathBuf>,
    #[arg(long)]
    pub(crate) description: Option<String>,
    /// keychain | ask | none
    #[arg(long, value_parser = parse_save)]
    pub(crate) password_save: Option<PasswordSave>,
    /// Whole-test timeout in seconds.
    #[arg(long)]
    pub(crate) timeout: Option<u32>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub(crate) password_stdin: bool,
    /// local | development | staging | production
    #[arg(long, value_parser = parse_environment)]
    pub(crate) environment: Option<Environment>,
    /// Its folder, names joined by / ('Payments/EU/prod'); '' moves it to the top level.
    #[arg(long)]
    pub(crate) folder: Option<String>,
    /// Label colour, #rrggbb (default: the environment's).
    #[arg(long)]
    pub(crate) color: Option<String>,
    /// A tag; repeat for several. Given tags replace the connection's tags.
    #[arg(long = "tag")]
    pub(crate) tags: Vec<String>,
    /// Client certificate (PEM file) for mutual TLS.
    #[arg(long)]
    pub(crate) client_cert_file: Option<PathBuf>,
    /// The client certificate's private key (PEM file); it is kept in the keychain.
    #[arg(long)]
    pub(crate) client_key_file: Option<PathBuf>,
    /// Engine-specific setting NAME=VALUE (see `switchboard engines`); repeat for several.
    /// An empty value removes the setting.
    #[arg(long = "option", value_parser = parse_meta)]
    pub(crate) options: Vec<(String, String)>,
    /// Metadata entry KEY=VALUE; repeat for several. Adds to or replaces existing keys.
    #[arg(long = "meta", value_parser = parse_meta)]
    pub(crate) metadata: Vec<(String, String)>,
    #[command(flatten)]
    pub(crate) ssh: SshArgs,
}

/// The SSH route, as flags: hops in order (`--ssh` once per hop) or a `~/.ssh/config` alias.
#[derive(Args, Default, Clone)]
pub(crate) struct SshArgs {
    /// A hop of the SSH route, USER@HOST[:PORT] (repeat for each hop, first one first).
    #[arg(long = "ssh", value_parser = parse_hop, conflicts_with = "ssh_alias")]
    pub(crate) hops: Vec<(String, String, u32)>,
    /// A Host of ~/.ssh/config to reach the database through, resolved as `ssh` does.
    #[arg(long)]
    pub(crate) ssh_alias: Option<String>,
    /// How the hops log in: agent (default), key, password or keyboard-interactive.
    #[arg(long, value_parser = parse_ssh_auth)]
    pub(crate) ssh_auth: Option<switchboard_core::ssh::SshAuth>,
    /// A private key file for the hops (repeat for several; implies --ssh-auth key).
    #[arg(long = "ssh-key-file")]
    pub(crate) ssh_key_files: Vec<String>,
    /// Where the last hop's secret (key passphrase or SSH password) lives: keychain, ask or none.
    #[arg(long, value_parser = parse_save)]
    pub(crate) ssh_secret_save: Option<PasswordSave>,
    /// Read the last hop's secret (key passphrase or SSH password) from standard input.
    /// With --password-stdin, the second line.
    #[arg(long)]
    pub(crate) ssh_password_stdin: bool,
    /// Remove the SSH route (update).
    #[arg(long, conflicts_with_all = ["hops", "ssh_alias"])]
    pub(crate) no_ssh: bool,
}

pub(crate) fn parse_hop(s: &str) -> Result<(String, String, u32), String> {
    let (user, rest) = s
        .split_once('@')
        .ok_or_else(|| "expected USER@HOST[:PORT]".to_string())?;
    let (host, port) = match rest.strip_prefix('[') {
        Some(v6) => {
            let (h, tail) = v6
                .split_once(']')
                .ok_or("an IPv6 host goes in brackets: [::1]:22")?;
            let port = match tail.strip_prefix(':') {
                Some(p) => p.parse().map_err(|_| format!("{p:?} is not a port"))?,
                None => 22,
            };
            (h.to_owned(), port)
        }
        None => match rest.rsplit_once(':') {
            Some((h, p)) => (
                h.to_owned(),
                p.parse().map_err(|_| format!("{p:?} is not a port"))?,
            ),
            None => (rest.to_owned(), 22),
        },
    };
    Ok((user.to_owned(), host, port))
}

pub(crate) fn parse_ssh_auth(s: &str) -> Result<switchboard_core::ssh::SshAuth, String> {
    switchboard_core::ssh::SshAuth::parse(s)
        .ok_or_else(|| "expected agent, key, password or keyboard-interactive".into())
}

#[derive(Args)]
pub(crate) struct AddArgs {
    /// The display name: any text, e.g. "billing (prod, EU)".
    #[arg(long)]
    pub(crate) name: String,
    /// The handle the CLI and slug-only formats use (ASCII letters, digits, - _ .);
    /// derived from the name when not given.
    #[arg(long)]
    pub(crate) handle: Option<String>,
    /// postgres | sqlserver | mysql | mongodb | oracle | sqlite
    #[arg(long, default_value = "postgres", value_parser = parse_engine)]
    pub(crate) engine: Engine,
    #[command(flatten)]
    pub(crate) fields: FieldArgs,
}

#[derive(Args)]
pub(crate) struct UpdateArgs {
    /// Its handle, display name or id.
    pub(crate) connection: String,
    /// A new display name (the handle stays unless --handle is given).
    #[arg(long)]
    pub(crate) name: Option<String>,
    /// A new handle; an empty one is derived from the name.
    #[arg(long)]
    pub(crate) handle: Option<String>,
    #[command(flatten)]
    pub(crate) fields: FieldArgs,
    /// Remove the saved password from the keychain.
    #[arg(long, conflicts_with = "password_stdin")]
    pub(crate) clear_password: bool,
    /// Remove the client certificate, and its key from the keychain.
    #[arg(long, conflicts_with_all = ["client_cert_file", "client_key_file"])]
    pub(crate) clear_client_cert: bool,
}

#[derive(Args)]
pub(crate) struct ImportArgs {
    /// The connection string; or give --stdin or --file. One with a password in it is
    /// visible to every local user (`ps`) while the command runs: prefer --stdin.
    #[arg(required_unless_present_any = ["file", "stdin", "discover"], conflicts_with_all = ["file", "stdin", "discover"])]
    pub(crate) input: Option<String>,
    /// Read the connection string (or JSON body) from standard input.
    #[arg(long, conflicts_with = "file")]
    pub(crate) stdin: bool,
    /// A file or folder of connections: .env, .pgpass, pg_service.conf, a JSON export, one
    /// string per line, or another tool's list (DBeaver's workspace, project or
    /// data-sources.json, a DataGrip project, pgAdmin's servers.json, ADS's or VS Code's
    /// settings.json, a Compass export, Workbench's connections.xml, an SSMS .regsrvr,
    /// Beekeeper's app.db, DbGate's folder, HeidiSQL's settings, Sequel Ace's favorites).
    #[arg(long, conflicts_with = "discover")]
    pub(crate) file: Option<PathBuf>,
    /// With --file: the tool the file is from (dbeaver | datagrip | pgadmin | ads |
    /// vscode-mssql | compass | workbench | ssms | beekeeper | dbgate | heidisql |
    /// sequel-ace);
    /// told from the file when left out, and refused if the file reads as another.
    #[arg(long, requires = "file", value_parser = parse_tool)]
    pub(crate) from: Option<Tool>,
    /// With --file: bring the passwords the tool saved (DBeaver's credentials, a password
    /// written in a settings file) into the keychain. Without it no saved password is read.
    #[arg(long, requires = "file")]
    pub(crate) include_passwords: bool,
    /// With --file: read the passphrase a Compass export seals its secrets with from the
    /// first line of standard input (giving it is consent to take those secrets).
    #[arg(long, requires = "file")]
    pub(crate) passphrase_stdin: bool,
    /// With --file: when a row meets a saved connection. auto (default): the same entry of
    /// the same tool imported before is updated, a taken name gets -2; rename: always new;
    /// skip: leave the saved one; update: update it, met by entry or by name.
    #[arg(long, requires = "file", default_value = "auto", value_parser = parse_on_clash)]
    pub(crate) on_clash: OnClash,
    /// List what other tools keep in their default places on this machine.
    #[arg(long, conflicts_with_all = ["stdin", "save", "format"])]
    pub(crate) discover: bool,
    /// Read the input as this service's JSON body (infisical | sequin | lerian) instead of
    /// recognising it.
    #[arg(long, value_parser = parse_payload_format, conflicts_with = "file")]
    pub(crate) format: Option<PayloadFormat>,
    /// Store it (secrets go to the keychain).
    #[arg(long)]
    pub(crate) save: bool,
    /// With --file --save: only these rows (numbered from 1 as the preview shows them).
    #[arg(long, value_delimiter = ',', requires = "file", value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) rows: Vec<u32>,
}

#[derive(Args)]
pub(crate) struct DeleteArgs {
    /// Handles, display names or ids.
    #[arg(required = true)]
    pub(crate) connections: Vec<String>,
    /// Do not ask (asking happens only when standard input is a terminal).
    #[arg(long, short)]
    pub(crate) yes: bool,
}

#[derive(Args)]
pub(crate) struct ExportArgs {
    /// Its handle, display name or id.
    pub(crate) connection: String,
    /// url | kv | jdbc | ado | shell (or psql, mysql, sqlcmd, mongosh, sqlplus, sqlite3) | env
    /// | infisical | sequin | lerian
    #[arg(long, value_parser = parse_export_format)]
    pub(crate) format: ExportFormat,
    /// Put the saved password (and, in JSON bodies, the client key) into the output.
    #[arg(long)]
    pub(crate) include_secrets: bool,
}

#[derive(Args)]
pub(crate) struct ExportListArgs {
    /// Handles, display names or ids (none: every connection).
    pub(crate) connections: Vec<String>,
    /// Only the connections in this folder and the folders inside it.
    #[arg(long, conflicts_with = "connections")]
    pub(crate) folder: Option<String>,
    /// The format: switchboard (default: every setting), pgadmin (servers.json, PostgreSQL
    /// only) or dbeaver (data-sources.json). What a format cannot say goes to stderr.
    #[arg(long = "to", default_value = "switchboard", value_parser = parse_list_format)]
    pub(crate) to: ListFormat,
}

pub(crate) fn parse_list_format(s: &str) -> Result<ListFormat, String> {
    ListFormat::parse(s).ok_or_else(|| "expected switchboard, pgadmin or dbeaver".into())
}

pub(crate) fn parse_export_format(s: &str) -> Result<ExportFormat, String> {
    ExportFormat::parse(s).ok_or_else(|| {
        "expected url, kv, jdbc, ado, shell, psql, mysql, sqlcmd, mongosh, sqlplus, sqlite3, env, infisical, sequin, lerian or ssh".into()
    })
}

pub(crate) fn parse_on_clash(s: &str) -> Result<OnClash, String> {
    OnClash::parse(s).ok_or_else(|| "expected auto, rename, skip or update".into())
}

pub(crate) fn parse_tool(s: &str) -> Result<Tool, String> {
    Tool::parse(s).ok_or_else(|| {
        "expected dbeaver, datagrip, pgadmin, ads, vscode-mssql, compass, workbench, ssms, beekeeper, dbgate, heidisql or sequel-ace".into()
    })
}

pub(crate) fn parse_payload_format(s: &str) -> Result<PayloadFormat, String> {
    PayloadFormat::parse(s).ok_or_else(|| "expected infisical, sequin or lerian".into())
}

#[derive(Args)]
pub(crate) struct TestArgs {
    /// A saved connection's handle, display name or id.
    #[arg(required_unless_present_any = ["url", "all"], conflicts_with_all = ["url", "all"])]
    pub(crate) connection: Option<String>,
    /// Test every saved connection (those that ask for their password are reported, not
    /// tested); exit code 1 if any failed.
    #[arg(long, conflicts_with = "url")]
    pub(crate) all: bool,
    /// With --all: how many tests run at once.
    #[arg(long, default_value_t = switchboard_core::connections::DEFAULT_CONCURRENCY, requires = "all",
          value_parser = concurrency)]
    pub(crate) concurrency: usize,
    /// Any connection string Switchboard imports, e.g.
    /// 'postgresql://u@h/db?sslmode=verify-full&sslrootcert=ca.pem'.
    #[arg(long)]
    pub(crate) url: Option<String>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub(crate) password_stdin: bool,
    /// Trust this SSH host key (its SHA256:… fingerprint, as the failed test printed it)
    /// for the test; it is written to Switchboard's own known-hosts file.
    #[arg(long = "trust-host-key")]
    pub(crate) trust_host_keys: Vec<String>,
    /// A --url test's route (a saved connection uses its own; --ssh-password-stdin also
    /// gives a saved route's last hop its secret for this test).
    #[command(flatten)]
    pub(crate) ssh: SshArgs,
}

pub(crate) fn concurrency(s: &str) -> Result<usize, String> {
    s.parse::<usize>()
        .ok()
        .filter(|n| (1..=64).contains(n))
        .ok_or_else(|| "expected a number from 1 to 64".into())
}

pub(crate) fn parse_mode(s: &str) -> Result<TlsMode, String> {
    TlsMode::parse(s)
        .ok_or_else(|| "expected disable, prefer, require, verify-ca or verify-full".into())
}

pub(crate) fn parse_engine(s: &str) -> Result<Engine, String> {
    Engine::parse(s)
        .ok_or_else(|| "expected postgres, sqlserver, mysql, mongodb, oracle or sqlite".into())
}

pub(crate) fn parse_environment(s: &str) -> Result<Environment, String> {
    Environment::parse(s).ok_or_else(|| "expected local, development, staging or production".into())
}

pub(crate) fn parse_meta(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| "expected KEY=VALUE".into())
}

pub(crate) fn parse_save(s: &str) -> Result<PasswordSave, String> {
    PasswordSave::parse(s).ok_or_else(|| "expected keychain, ask or none".into())
}
