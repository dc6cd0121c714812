//! Every engine described once, as data: its fields (label, kind, required, default,
//! choices, help), how each level of the TLS ladder is said in its own words, and the
//! rules that span several fields. The UI renders its form from `EngineSpec`; validation,
//! the CLI and import read the same description.

mod mongodb;
mod mysql;
mod oracle;
mod postgres;
mod sqlite;
mod sqlserver;

use serde::Serialize;
use ts_rs::TS;

use crate::error::FieldIssue;
use crate::model::{ConnectionFields, Engine, TlsMode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FieldKind {
    Text,
    /// A host name or IP (or, where the engine allows, a Unix-socket directory).
    Host,
    /// Several `host[:port]`, comma-separated (MongoDB replica sets).
    HostList,
    Port,
    Secret,
    Select,
    Bool,
    /// PEM certificate(s).
    Certificate,
    /// PEM private key (a secret).
    PrivateKey,
    /// A file on this machine.
    FilePath,
    Number,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Section {
    Server,
    Authentication,
    Security,
    Advanced,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
}

/// A default value as the form shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(untagged)]
#[ts(export)]
pub enum DefaultValue {
    Bool(bool),
    Number(u32),
    Text(&'static str),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FieldSpec {
    /// Where the value lives in `ConnectionFields`: `host`, `port`, `database`,
    /// `username`, `password`, `tls.mode`, `tls.ca_pem`, `tls.client_cert_pem`,
    /// `client_key`, or `options.<name>` for engine-specific settings.
    pub key: &'static str,
    pub label: &'static str,
    pub kind: FieldKind,
    pub required: bool,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<DefaultValue>,
    pub choices: Vec<Choice>,
    pub help: &'static str,
    pub placeholder: &'static str,
    pub section: Section,
}

/// How one level of the ladder is expressed by this engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TlsModeSpec {
    pub mode: TlsMode,
    pub supported: bool,
    /// The engine's own words, e.g. `ssl-mode=VERIFY_IDENTITY`.
    pub native: &'static str,
    /// What will and will not be verified, or why the level is unavailable.
    pub explanation: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct EngineSpec {
    pub engine: Engine,
    pub label: &'static str,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_port: Option<u16>,
    pub fields: Vec<FieldSpec>,
    /// Whether `host` may be a Unix-socket path.
    pub unix_sockets: bool,
    pub tls_modes: Vec<TlsModeSpec>,
    /// A note shown with the TLS choice (e.g. what the driver cannot do).
    pub tls_note: &'static str,
}

impl EngineSpec {
    pub fn field(&self, key: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.key == key)
    }

    pub fn has(&self, key: &str) -> bool {
        self.field(key).is_some()
    }

    pub fn tls_mode(&self, mode: TlsMode) -> Option<&TlsModeSpec> {
        self.tls_modes.iter().find(|m| m.mode == mode)
    }
}

impl Engine {
    pub const ALL: [Engine; 6] = [
        Engine::Postgres,
        Engine::SqlServer,
        Engine::Mysql,
        Engine::Mongodb,
        Engine::Oracle,
        Engine::Sqlite,
    ];

    /// The one place that maps an engine to its description.
    pub fn spec(self) -> &'static EngineSpec {
        use std::sync::OnceLock;
        static SPECS: OnceLock<Vec<EngineSpec>> = OnceLock::new();
        let all = SPECS.get_or_init(|| Engine::ALL.iter().map(|e| build(*e)).collect());
        let i = Engine::ALL.iter().position(|e| *e == self).unwrap_or(0);
        &all[i]
    }

    pub fn default_port(self) -> Option<u16> {
        self.spec().default_port
    }

    /// Rules that span several fields, per engine.
    pub fn check(self, f: &ConnectionFields, issues: &mut Vec<FieldIssue>) {
        match self {
            Engine::Postgres => postgres::check(f, issues),
            Engine::SqlServer => sqlserver::check(f, issues),
            Engine::Mysql => mysql::check(f, issues),
            Engine::Mongodb => mongodb::check(f, issues),
            Engine::Oracle => oracle::check(f, issues),
            Engine::Sqlite => sqlite::check(f, issues),
        }
    }
}

fn build(e: Engine) -> EngineSpec {
    match e {
        Engine::Postgres => postgres::spec(),
        Engine::SqlServer => sqlserver::spec(),
        Engine::Mysql => mysql::spec(),
        Engine::Mongodb => mongodb::spec(),
        Engine::Oracle => oracle::spec(),
        Engine::Sqlite => sqlite::spec(),
    }
}

/// Every engine's description, for the UI.
pub fn all() -> Vec<EngineSpec> {
    Engine::ALL.iter().map(|e| e.spec().clone()).collect()
}

// Builders shared by the engine files, so each reads as a table.

pub(crate) fn field(
    key: &'static str,
    label: &'static str,
    kind: FieldKind,
    section: Section,
) -> FieldSpec {
    FieldSpec {
        key,
        label,
        kind,
        required: false,
        default: None,
        choices: Vec::new(),
        help: "",
        placeholder: "",
        section,
    }
}

impl FieldSpec {
    pub(crate) fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub(crate) fn default(mut self, d: DefaultValue) -> Self {
        self.default = Some(d);
        self
    }

    pub(crate) fn help(mut self, h: &'static str) -> Self {
        self.help = h;
        self
    }

    pub(crate) fn placeholder(mut self, p: &'static str) -> Self {
        self.placeholder = p;
        self
    }

    pub(crate) fn choices(mut self, c: &[(&'static str, &'static str)]) -> Self {
        self.choices = c
            .iter()
            .map(|(value, label)| Choice { value, label })
            .collect();
        self
    }
}

pub(crate) fn tls(
    mode: TlsMode,
    supported: bool,
    native: &'static str,
    explanation: &'static str,
) -> TlsModeSpec {
    TlsModeSpec {
        mode,
        supported,
        native,
        explanation,
    }
}

/// The usual server/authentication fields of a networked engine.
pub(crate) fn network_fields(port: u16, database_required: bool) -> Vec<FieldSpec> {
    let mut database = field("database", "Database", FieldKind::Text, Section::Server);
    if database_required {
        database = database.required();
    }
    vec![
        field("host", "Host", FieldKind::Host, Section::Server)
            .required()
            .placeholder("db.example.com")
            .help("Host name or IP address, without scheme or port."),
        field("port", "Port", FieldKind::Port, Section::Server)
            .required()
            .default(DefaultValue::Number(u32::from(port))),
        database,
        field(
            "username",
            "Username",
            FieldKind::Text,
            Section::Authentication,
        )
        .required(),
        field(
            "password",
            "Password",
            FieldKind::Secret,
            Section::Authentication,
        ),
    ]
}

pub(crate) fn tls_fields(client_certificates: bool) -> Vec<FieldSpec> {
    let mut v = vec![
        field("tls.mode", "TLS", FieldKind::Select, Section::Security)
            .required()
            .default(DefaultValue::Text("verify-full")),
        field(
            "tls.ca_pem",
            "CA certificate",
            FieldKind::Certificate,
            Section::Security,
        )
        .help("PEM text, trusted in addition to the system's certificate store."),
    ];
    if client_certificates {
        v.push(
            field(
                "tls.client_cert_pem",
                "Client certificate",
                FieldKind::Certificate,
                Section::Security,
            )
            .help("For servers that require mutual TLS."),
        );
        v.push(
            field(
                "client_key",
                "Client private key",
                FieldKind::PrivateKey,
                Section::Security,
            )
            .help("Kept in your OS keychain."),
        );
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::model::{ConnectionFields, OptionValue};
    use crate::validation::{normalize, validate};

    #[test]
    fn every_engine_description_matches_its_snapshot() {
        for e in Engine::ALL {
            insta::assert_json_snapshot!(format!("engine_{}", e.as_str()), e.spec());
        }
    }

    #[test]
    fn every_described_field_is_one_the_model_holds() {
        let known = [
            "host",
            "port",
            "database",
            "username",
            "password",
            "tls.mode",
            "tls.ca_pem",
            "tls.client_cert_pem",
            "client_key",
        ];
        for e in Engine::ALL {
            let spec = e.spec();
            assert_eq!(
                spec.tls_modes.len(),
                TlsMode::ALL.len(),
                "{e:?} describes every ladder level"
            );
            assert!(spec.tls_modes.iter().any(|m| m.supported), "{e:?}");
            for f in &spec.fields {
                assert!(
                    known.contains(&f.key) || f.key.starts_with("options."),
                    "{e:?}: {}",
                    f.key
                );
                // The TLS select takes its choices from `tls_modes`.
                if f.key != "tls.mode" {
                    assert_eq!(
                        f.kind == FieldKind::Select,
                        !f.choices.is_empty(),
                        "{e:?}: {}",
                        f.key
                    );
                }
                if let (Some(DefaultValue::Text(d)), FieldKind::Select) = (&f.default, f.kind) {
                    let ok = if f.key == "tls.mode" {
                        spec.tls_modes
                            .iter()
                            .any(|m| m.supported && m.mode.as_str() == *d)
                    } else {
                        f.choices.iter().any(|c| c.value == *d)
                    };
                    assert!(ok, "{e:?}: {} default {d}", f.key);
                }
            }
        }
    }

    fn base(engine: Engine) -> ConnectionFields {
        let mut f = ConnectionFields::postgres("c", "db.example.com", 1, "app", "me");
        f.engine = engine;
        f.port = u32::from(engine.default_port().unwrap_or(0));
        if engine == Engine::Sqlite {
            f.database = "/var/lib/app.db".into();
            f.tls.mode = TlsMode::Disable;
        }
        normalize(&mut f);
        f
    }

    fn codes(f: &ConnectionFields) -> Vec<(ErrorCode, String)> {
        validate(f).into_iter().map(|i| (i.code, i.field)).collect()
    }

    #[test]
    fn a_minimal_connection_of_every_engine_is_valid() {
        for e in Engine::ALL {
            assert_eq!(codes(&base(e)), vec![], "{e:?}");
        }
    }

    #[test]
    fn engine_rules_table() {
        type Edit = fn(&mut ConnectionFields);
        type Case = (Engine, &'static str, Edit, Vec<(ErrorCode, &'static str)>);
        let cases: Vec<Case> = vec![
            (
                Engine::Postgres,
                "socket directory as host",
                |f| f.host = "/var/run/postgresql".into(),
                vec![],
            ),
            (
                Engine::Postgres,
                "database required",
                |f| f.database.clear(),
                vec![(ErrorCode::DatabaseRequired, "database")],
            ),
            (
                Engine::Postgres,
                "unknown option",
                |f| {
                    f.options.insert("sslnegotiation".into(), "direct".into());
                },
                vec![(ErrorCode::OptionUnknown, "options.sslnegotiation")],
            ),
            (
                Engine::Postgres,
                "select outside its choices",
                |f| {
                    f.options
                        .insert("target_session_attrs".into(), "master".into());
                },
                vec![(ErrorCode::OptionInvalid, "options.target_session_attrs")],
            ),
            (
                Engine::Postgres,
                "publication without slot",
                |f| {
                    f.options.insert("publication".into(), "pub".into());
                },
                vec![(ErrorCode::ReplicationIncomplete, "options.replication_slot")],
            ),
            (
                Engine::Postgres,
                "publication and slot",
                |f| {
                    f.options.insert("publication".into(), "pub".into());
                    f.options.insert("replication_slot".into(), "slot".into());
                },
                vec![],
            ),
            (
                Engine::Postgres,
                "replica of itself",
                |f| {
                    f.options.insert("replica_of".into(), "C".into());
                },
                vec![(ErrorCode::OptionInvalid, "options.replica_of")],
            ),
            (
                Engine::SqlServer,
                "database optional",
                |f| f.database.clear(),
                vec![],
            ),
            (
                Engine::SqlServer,
                "socket path is not a host",
                |f| f.host = "/tmp/sock".into(),
                vec![(ErrorCode::HostInvalid, "host")],
            ),
            (
                Engine::SqlServer,
                "bool where text is expected",
                |f| {
                    f.options.insert("instance".into(), OptionValue::Bool(true));
                },
                vec![(ErrorCode::OptionInvalid, "options.instance")],
            ),
            (
                Engine::Mysql,
                "socket path as host",
                |f| f.host = "/run/mysqld/mysqld.sock".into(),
                vec![],
            ),
            (
                Engine::Mysql,
                "port 0",
                |f| f.port = 0,
                vec![(ErrorCode::PortOutOfRange, "port")],
            ),
            (
                Engine::Mongodb,
                "replica set host list",
                |f| f.host = "a.example.com:27017,b.example.com:27018".into(),
                vec![],
            ),
            (
                Engine::Mongodb,
                "bad port in host list",
                |f| f.host = "a.example.com:0,b".into(),
                vec![(ErrorCode::HostInvalid, "host")],
            ),
            (
                Engine::Mongodb,
                "no opportunistic TLS",
                |f| f.tls.mode = TlsMode::Prefer,
                vec![(ErrorCode::TlsModeUnsupported, "tls.mode")],
            ),
            (
                Engine::Mongodb,
                "srv with several hosts",
                |f| {
                    f.host = "a,b".into();
                    f.options.insert("srv".into(), OptionValue::Bool(true));
                },
                vec![(ErrorCode::HostInvalid, "host")],
            ),
            (
                Engine::Mongodb,
                "direct connection to several hosts",
                |f| {
                    f.host = "a,b".into();
                    f.options
                        .insert("direct_connection".into(), OptionValue::Bool(true));
                },
                vec![(ErrorCode::OptionInvalid, "options.direct_connection")],
            ),
            (
                Engine::Mongodb,
                "user optional",
                |f| f.username.clear(),
                vec![],
            ),
            (
                Engine::Mongodb,
                "bool option given as text",
                |f| {
                    f.options.insert("srv".into(), "yes".into());
                },
                vec![(ErrorCode::OptionInvalid, "options.srv")],
            ),
            (
                Engine::Oracle,
                "service name required",
                |f| f.database.clear(),
                vec![(ErrorCode::DatabaseRequired, "database")],
            ),
            (
                Engine::Oracle,
                "SID",
                |f| {
                    f.options.insert("connect_by".into(), "sid".into());
                },
                vec![],
            ),
            (
                Engine::Oracle,
                "no opportunistic TLS",
                |f| f.tls.mode = TlsMode::Prefer,
                vec![(ErrorCode::TlsModeUnsupported, "tls.mode")],
            ),
            (
                Engine::Sqlite,
                "path required",
                |f| f.database.clear(),
                vec![(ErrorCode::DatabaseRequired, "database")],
            ),
            (
                Engine::Sqlite,
                "a URL is not a path",
                |f| f.database = "sqlite:///tmp/x.db".into(),
                vec![(ErrorCode::PathInvalid, "database")],
            ),
            (
                Engine::Sqlite,
                "TLS makes no sense",
                |f| f.tls.mode = TlsMode::Require,
                vec![(ErrorCode::TlsModeUnsupported, "tls.mode")],
            ),
        ];
        for (engine, what, edit, want) in cases {
            let mut f = base(engine);
            edit(&mut f);
            let want: Vec<(ErrorCode, String)> =
                want.into_iter().map(|(c, p)| (c, p.to_owned())).collect();
            assert_eq!(codes(&f), want, "{engine:?}: {what}");
        }
    }

    #[test]
    fn normalising_keeps_only_what_the_engine_shows_and_splits_sql_server_instances() {
        let mut f = base(Engine::SqlServer);
        f.host = "db01\\SQLEXPRESS".into();
        normalize(&mut f);
        assert_eq!(f.host, "db01");
        assert_eq!(
            f.options["instance"],
            OptionValue::Text("SQLEXPRESS".into())
        );
        let mut s = base(Engine::Postgres);
        s.engine = Engine::Sqlite;
        s.database = "/tmp/a.db".into();
        s.tls.ca_pem = Some("x".into());
        normalize(&mut s);
        assert_eq!((s.host.as_str(), s.port, s.username.as_str()), ("", 0, ""));
        assert_eq!(s.tls.mode, TlsMode::Disable);
        assert_eq!(s.tls.ca_pem, None);
        assert_eq!(codes(&s), vec![]);
    }
}
