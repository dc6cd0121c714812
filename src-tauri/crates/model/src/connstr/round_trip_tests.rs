//! The round trip: import(export(c)) == c, for every engine and format, on generated
//! connections with the characters that break naive readers.

use super::*;
use crate::engines::{DefaultValue, FieldKind};
use crate::hosts::url_host;
use crate::model::{ConnectionFields, Engine, OptionValue, TlsMode, DEFAULT_TIMEOUT_SECS};
use crate::secret::Secret;
use draft::split_host_port;
use proptest::prelude::*;
use std::collections::BTreeMap;

/// What a string can carry, with every unset option at its engine default.
fn carried(f: &ConnectionFields, dropped: &[String]) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    let spec = f.engine.spec();
    let mut f = f.clone();
    crate::validation::normalize(&mut f);
    m.insert("engine".into(), f.engine.as_str().into());
    if f.engine == Engine::Mongodb {
        let hosts: Vec<String> = f
            .host
            .split(',')
            .map(|e| match split_host_port(e.trim()) {
                Ok((h, Some(p))) => format!("{h}:{p}"),
                _ => format!("{}:{}", e.trim().trim_matches(['[', ']']), f.port),
            })
            .collect();
        let srv = f
            .options
            .get("srv")
            .and_then(OptionValue::as_bool)
            .unwrap_or(false);
        m.insert(
            "hosts".into(),
            if srv { f.host.clone() } else { hosts.join(",") },
        );
    } else {
        m.insert("host".into(), f.host.clone());
        m.insert("port".into(), f.port.to_string());
    }
    m.insert("database".into(), f.database.clone());
    m.insert("username".into(), f.username.clone());
    m.insert("tls.mode".into(), f.tls.mode.as_str().into());
    m.insert("timeout_secs".into(), f.timeout_secs.to_string());
    for field in &spec.fields {
        let Some(k) = field.key.strip_prefix("options.") else {
            continue;
        };
        let v = match (f.options.get(k), &field.default) {
            (Some(OptionValue::Text(t)), _) => t.clone(),
            (Some(OptionValue::Bool(b)), _) => b.to_string(),
            (None, Some(DefaultValue::Text(t))) => (*t).to_owned(),
            (None, Some(DefaultValue::Bool(b))) => b.to_string(),
            (None, _) if field.kind == FieldKind::Bool => "false".into(),
            (None, _) => String::new(),
        };
        m.insert(field.key.to_owned(), v);
    }
    for d in dropped {
        m.remove(d);
    }
    m
}

fn word() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_]{0,10}"
}

/// Text with the characters that break naive readers: @ : / ? # % & = ; ' " \ { } space, non-ASCII.
fn nasty() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9@:/?#%&=;'\"\\\\{}+ äß€-]{1,14}"
        .prop_filter("no surrounding spaces", |s| s.trim() == s)
}

fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9-]{0,8}(\\.[a-z]{2,6}){0,2}",
        (1u8..=254, 0u8..=255).prop_map(|(a, b)| format!("10.{a}.{b}.1")),
        (1u16..=0xfffe).prop_map(|n| format!("2001:db8::{n:x}")),
    ]
}

fn fields_for(engine: Engine) -> BoxedStrategy<(ConnectionFields, Option<String>)> {
    let spec = engine.spec();
    let modes: Vec<TlsMode> = spec
        .tls_modes
        .iter()
        .filter(|m| m.supported)
        .map(|m| m.mode)
        .collect();
    let base = (
        host(),
        1u32..=65535,
        proptest::sample::select(modes),
        prop_oneof![Just(DEFAULT_TIMEOUT_SECS), 1u32..=600],
    );
    let oracle = engine == Engine::Oracle;
    let db = if oracle {
        word().boxed()
    } else {
        nasty().boxed()
    };
    let user = if oracle {
        word().boxed()
    } else {
        nasty().boxed()
    };
    let password = if oracle {
        proptest::option::of("[a-zA-Z0-9@:/?#%&=;' äß{}-]{1,12}").boxed()
    } else {
        proptest::option::of(nasty()).boxed()
    };
    (base, db, user, password, options_for(engine))
        .prop_map(
            move |(
                (host, port, mode, timeout),
                database,
                username,
                password,
                (options, host_override),
            )| {
                let mut f = ConnectionFields::blank(engine, "c");
                f.host = host_override.unwrap_or(host);
                f.port = port;
                f.database = database;
                f.username = username;
                f.tls.mode = mode;
                f.timeout_secs = timeout;
                f.options = options;
                if engine == Engine::Sqlite {
                    f.host.clear();
                    f.username.clear();
                }
                (f, password)
            },
        )
        .prop_map(move |(mut f, p)| {
            if engine == Engine::Sqlite {
                f.database = format!(
                    "/srv/{}/{}.db",
                    f.database.replace(['/', '\\', '\''], "_"),
                    "x"
                );
                return (f, None);
            }
            (f, p)
        })
        .boxed()
}

type Opts = (BTreeMap<String, OptionValue>, Option<String>);

fn options_for(engine: Engine) -> BoxedStrategy<Opts> {
    let t = |s: String| OptionValue::Text(s);
    match engine {
        Engine::Postgres => (
            proptest::option::of("[a-z_ ]{1,8}".prop_filter("trimmed", |s| s.trim() == s)),
            proptest::option::of(nasty()),
            proptest::option::of(proptest::sample::select(vec![
                "any",
                "read-write",
                "read-only",
                "primary",
                "standby",
                "prefer-standby",
            ])),
            proptest::option::of(word()),
            prop_oneof![Just(None), Just(Some("/var/run/postgresql".to_owned()))],
        )
            .prop_map(move |(schema, app, tsa, replica, socket)| {
                let mut o = BTreeMap::new();
                if let Some(s) = schema {
                    o.insert("schema".into(), t(s));
                }
                if let Some(a) = app {
                    o.insert("application_name".into(), t(a));
                }
                if let Some(x) = tsa {
                    o.insert("target_session_attrs".into(), t(x.into()));
                }
                if let Some(r) = replica {
                    o.insert("replica_of".into(), t(r));
                }
                (o, socket)
            })
            .boxed(),
        Engine::SqlServer => (
            proptest::option::of("[A-Z]{1,8}"),
            proptest::option::of(host()),
            proptest::option::of(proptest::sample::select(vec!["read_write", "read_only"])),
        )
            .prop_map(move |(inst, cert, intent)| {
                let mut o = BTreeMap::new();
                if let Some(i) = inst {
                    o.insert("instance".into(), t(i));
                }
                if let Some(c) = cert {
                    o.insert("host_name_in_certificate".into(), t(c));
                }
                if let Some(i) = intent {
                    o.insert("application_intent".into(), t(i.into()));
                }
                (o, None)
            })
            .boxed(),
        Engine::Mongodb => (
            any::<bool>(),
            proptest::collection::vec((host(), proptest::option::of(1u32..=65535)), 1..4),
            proptest::option::of(word()),
            proptest::option::of(word()),
            any::<bool>(),
        )
            .prop_map(move |(srv, hosts, auth, rs, direct)| {
                let mut o = BTreeMap::new();
                o.insert("srv".into(), OptionValue::Bool(srv));
                if let Some(a) = auth {
                    o.insert("auth_source".into(), t(a));
                }
                if let Some(r) = rs {
                    o.insert("replica_set".into(), t(r));
                }
                let list = if srv {
                    "cluster0.example.net".to_owned()
                } else {
                    if direct && hosts.len() == 1 {
                        o.insert("direct_connection".into(), OptionValue::Bool(true));
                    }
                    hosts
                        .iter()
                        .map(|(h, p)| match p {
                            Some(p) => format!("{}:{p}", url_host(h)),
                            None => url_host(h),
                        })
                        .collect::<Vec<_>>()
                        .join(",")
                };
                (o, Some(list))
            })
            .boxed(),
        Engine::Oracle => (
            proptest::sample::select(vec!["service_name", "sid"]),
            proptest::option::of("CN=[a-z]{1,8},O=[A-Z][a-z]{1,6}"),
        )
            .prop_map(move |(by, dn)| {
                let mut o = BTreeMap::new();
                o.insert("connect_by".into(), t(by.into()));
                if let Some(d) = dn {
                    o.insert("server_dn".into(), t(d));
                }
                (o, None)
            })
            .boxed(),
        Engine::Sqlite => any::<bool>()
            .prop_map(|ro| {
                let mut o = BTreeMap::new();
                o.insert("read_only".into(), OptionValue::Bool(ro));
                (o, None)
            })
            .boxed(),
        Engine::Mysql => prop_oneof![Just(None), Just(Some("/run/mysqld/mysqld.sock".to_owned()))]
            .prop_map(|socket| (BTreeMap::new(), socket))
            .boxed(),
    }
}

fn round_trip(
    f: &ConnectionFields,
    password: Option<String>,
) -> std::result::Result<(), TestCaseError> {
    for format in formats_for(f.engine) {
        if format.payload().is_some() {
            continue; // payloads have their own round-trip properties (payloads.rs)
        }
        let ctx = ExportContext {
            password: password.clone().map(Secret::new),
            ..ExportContext::default()
        };
        let e = match export(f, &ctx, format) {
            Ok(e) => e,
            // Refusals must be for a reason the user can act on, never a crash.
            Err(err) => {
                prop_assert_eq!(err.code(), ErrorCode::ExportNotPossible, "{:?}", format);
                continue;
            }
        };
        let back = import(&e.text).map_err(|err| {
            TestCaseError::fail(format!(
                "{format:?}: {} did not import: {err} ({})",
                e.text,
                err.hint()
            ))
        })?;
        prop_assert_eq!(
            carried(&back.imported.fields, &e.dropped),
            carried(f, &e.dropped),
            "{:?}: {}",
            format,
            e.text
        );
        if !e.dropped.iter().any(|d| d == "username") {
            prop_assert_eq!(
                back.imported
                    .password
                    .as_ref()
                    .map(|p| p.expose().to_owned()),
                password.clone(),
                "{:?}: {}",
                format,
                e.text
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn postgres_every_format_round_trips((f, p) in fields_for(Engine::Postgres)) { round_trip(&f, p)?; }

    #[test]
    fn sql_server_every_format_round_trips((f, p) in fields_for(Engine::SqlServer)) { round_trip(&f, p)?; }

    #[test]
    fn mysql_every_format_round_trips((f, p) in fields_for(Engine::Mysql)) { round_trip(&f, p)?; }

    #[test]
    fn mongodb_every_format_round_trips((f, p) in fields_for(Engine::Mongodb)) { round_trip(&f, p)?; }

    #[test]
    fn oracle_every_format_round_trips((f, p) in fields_for(Engine::Oracle)) { round_trip(&f, p)?; }

    #[test]
    fn sqlite_every_format_round_trips((f, p) in fields_for(Engine::Sqlite)) { round_trip(&f, p)?; }

    #[test]
    fn import_never_panics_on_arbitrary_text(s in "\\PC{0,200}") {
        let _ = import(&s);
        let _ = batch::parse(&s, None);
    }
}
