use serde_json::json;

use super::*;
use crate::connstr::draft::Primary;
use crate::model::OptionValue;
use crate::validation::{normalize, validate};
use infisical::INFISICAL_GATEWAY;
use proptest::prelude::*;
use sequin::SEQUIN_IPV6;

fn pg() -> ConnectionFields {
    let mut f = ConnectionFields::blank(Engine::Postgres, "orders-prod");
    f.host = "db.example.com".into();
    f.database = "orders".into();
    f.username = "app".into();
    f
}

#[test]
fn infisical_tls_words_map_exactly_onto_the_ladder() {
    let body = |enabled: bool, reject: bool| {
        json!({"name": "x-db", "method": "username-and-password", "credentials": {
            "host": "h", "port": 5432, "database": "d", "username": "u", "password": "p",
            "sslEnabled": enabled, "sslRejectUnauthorized": reject}})
        .to_string()
    };
    let mode = |e, r| {
        import(PayloadFormat::Infisical, &body(e, r))
            .unwrap()
            .fields
            .tls
            .mode
    };
    assert_eq!(mode(false, true), TlsMode::Disable);
    assert_eq!(mode(true, false), TlsMode::Require);
    assert_eq!(mode(true, true), TlsMode::VerifyFull);
    let i = import(PayloadFormat::Infisical, &body(true, true)).unwrap();
    assert_eq!(i.password.unwrap().expose(), "p");
}

#[test]
fn levels_a_service_cannot_express_are_exported_stricter_with_a_warning_never_weaker_silently() {
    let mut f = pg();
    f.tls.mode = TlsMode::VerifyCa;
    let e = export(PayloadFormat::Infisical, &f, &ExportContext::default()).unwrap();
    assert_eq!(e.body["credentials"]["sslRejectUnauthorized"], true);
    assert!(e.warnings[0].contains("verify-ca"));
    f.tls.mode = TlsMode::VerifyFull;
    let e = export(PayloadFormat::Sequin, &f, &ExportContext::default()).unwrap();
    assert_eq!(e.body["ssl"], true);
    assert!(e.warnings[0].contains("weaker"), "{:?}", e.warnings);
}

#[test]
fn exports_leave_secrets_out_unless_asked() {
    let f = pg();
    for fmt in [
        PayloadFormat::Infisical,
        PayloadFormat::Sequin,
        PayloadFormat::Lerian,
    ] {
        let e = export(fmt, &f, &ExportContext::default()).unwrap();
        assert!(
            e.body["password"].is_null() && e.body["credentials"]["password"].is_null(),
            "{fmt:?}: {}",
            e.body
        );
        let with = ExportContext {
            password: Some(Secret::new("s3cret")),
            ..Default::default()
        };
        assert!(export(fmt, &f, &with)
            .unwrap()
            .body
            .to_string()
            .contains("s3cret"));
    }
}

#[test]
fn service_limits_are_checked_on_export() {
    let mut f = pg();
    f.name = "ab".into();
    let e = export(PayloadFormat::Lerian, &f, &ExportContext::default()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ExportNotPossible);
    let mut s = ConnectionFields::blank(Engine::Sqlite, "local");
    s.database = "/tmp/a.db".into();
    for fmt in [
        PayloadFormat::Infisical,
        PayloadFormat::Sequin,
        PayloadFormat::Lerian,
    ] {
        assert_eq!(
            export(fmt, &s, &ExportContext::default())
                .unwrap_err()
                .code(),
            ErrorCode::ExportNotPossible
        );
    }
}

#[test]
fn unknown_keys_become_warnings_and_nested_metadata_reaches_validation() {
    let body = json!({"configName": "reporting", "type": "POSTGRESQL", "host": "h", "port": 5432,
        "databaseName": "d", "userName": "u", "schema": "sales", "ssl": {"mode": "verify-full", "extra": 1},
        "metadata": {"team": "core", "limits": {"max": 1}}, "retries": 3});
    let i = import(PayloadFormat::Lerian, &body.to_string()).unwrap();
    assert_eq!(
        i.warnings,
        vec![
            "ssl.extra is not used by Switchboard and was left out",
            "retries is not used by Switchboard and was left out"
        ]
    );
    assert_eq!(
        i.fields.options["schema"],
        OptionValue::Text("sales".into())
    );
    let mut f = i.fields;
    normalize(&mut f);
    let codes: Vec<ErrorCode> = validate(&f).into_iter().map(|i| i.code).collect();
    assert_eq!(codes, vec![ErrorCode::MetadataValueNotText]);
}

#[test]
fn sequin_primary_block_goes_out_and_comes_back() {
    let mut f = pg();
    f.tls.mode = TlsMode::Require;
    f.options.insert(
        "replica_of".into(),
        OptionValue::Text("orders-primary".into()),
    );
    let primary = Primary {
        host: "primary.example.com".into(),
        port: 5433,
        database: "orders".into(),
        username: "app".into(),
        ssl: true,
        tls_mode: None,
        password: None,
    };
    let ctx = ExportContext {
        primary: Some(primary.clone()),
        ..Default::default()
    };
    let out = export(PayloadFormat::Sequin, &f, &ctx).unwrap();
    assert_eq!(out.body["primary"]["hostname"], "primary.example.com");
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let back = import(PayloadFormat::Sequin, &out.body.to_string()).unwrap();
    assert_eq!(back.primary, Some(primary));
    assert_eq!(back.warnings, vec![PRIMARY_UNMATCHED.to_owned()]);
    let alone = export(PayloadFormat::Sequin, &f, &ExportContext::default()).unwrap();
    assert!(
        alone.warnings[0].contains("orders-primary"),
        "{:?}",
        alone.warnings
    );
}

#[test]
fn sequin_url_sslmode_is_honoured_and_its_files_are_not_read() {
    let body = json!({"name": "cdc", "url": "postgresql://u@db/app?sslmode=verify-full&sslrootcert=/etc/passwd"});
    let i = import(PayloadFormat::Sequin, &body.to_string()).unwrap();
    assert_eq!(i.fields.tls.mode, TlsMode::VerifyFull);
    assert_eq!(i.fields.tls.ca_pem, None);
    assert!(
        i.warnings
            .iter()
            .any(|w| w.contains("sslrootcert names a file")),
        "{:?}",
        i.warnings
    );
    let both =
        json!({"name": "cdc", "ssl": true, "url": "postgresql://u@db/app?sslmode=verify-ca"});
    let i = import(PayloadFormat::Sequin, &both.to_string()).unwrap();
    assert_eq!(i.fields.tls.mode, TlsMode::VerifyCa);
    assert!(
        i.warnings
            .iter()
            .any(|w| w.contains("stricter") || w.contains("is used")),
        "{:?}",
        i.warnings
    );
}

#[test]
fn sequin_url_and_slots_import() {
    let body = json!({"name": "cdc", "url": "postgresql://rep:p%40ss@db:6432/app", "ssl": true,
        "replication_slots": [{"publication_name": "pub", "slot_name": "slot", "status": "disabled"}]});
    let i = import(PayloadFormat::Sequin, &body.to_string()).unwrap();
    assert_eq!(
        (
            i.fields.host.as_str(),
            i.fields.port,
            i.fields.username.as_str()
        ),
        ("db", 6432, "rep")
    );
    assert_eq!(i.password.unwrap().expose(), "p@ss");
    assert_eq!(
        i.fields.options["slot_status"],
        OptionValue::Text("disabled".into())
    );
    assert_eq!(i.fields.tls.mode, TlsMode::Require);
}

const KEY: &str = concat!("PRIVATE", " KEY");

/// Connections each format can carry, field for field.
fn carried(
    format: PayloadFormat,
) -> impl Strategy<Value = (ConnectionFields, Option<String>, Option<String>)> {
    let engines: Vec<Engine> = match format {
        PayloadFormat::Infisical => vec![Engine::Postgres, Engine::SqlServer],
        PayloadFormat::Sequin => vec![Engine::Postgres],
        PayloadFormat::Lerian => vec![
            Engine::Postgres,
            Engine::SqlServer,
            Engine::Mysql,
            Engine::Mongodb,
            Engine::Oracle,
        ],
    };
    let modes: Vec<TlsMode> = match format {
        PayloadFormat::Infisical => {
            vec![TlsMode::Disable, TlsMode::Require, TlsMode::VerifyFull]
        }
        PayloadFormat::Sequin => vec![TlsMode::Disable, TlsMode::Require],
        PayloadFormat::Lerian => vec![
            TlsMode::Disable,
            TlsMode::Require,
            TlsMode::VerifyCa,
            TlsMode::VerifyFull,
        ],
    };
    (
        proptest::sample::select(engines),
        proptest::sample::select(modes),
        "[a-z][a-z0-9-]{2,40}",
        "[a-z][a-z0-9.-]{0,30}",
        1u32..=65535,
        "[A-Za-z_][A-Za-z0-9_]{0,20}",
        "[a-z][a-z0-9_]{0,20}",
        proptest::option::of("\\PC{1,40}"),
        proptest::option::of("[a-z_]{1,12}"),
        proptest::collection::btree_map("[a-z]{1,10}", "\\PC{0,30}", 0..4),
        any::<bool>(),
    )
        .prop_map(
            move |(
                engine,
                mode,
                name,
                host,
                port,
                database,
                username,
                password,
                extra,
                meta,
                flag,
            )| {
                let mut f = ConnectionFields::blank(engine, &name);
                f.host = host;
                f.port = port;
                f.database = database;
                f.username = username;
                f.tls.mode = mode;
                if mode == TlsMode::VerifyCa {
                    f.tls.ca_pem = Some(
                        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".into(),
                    );
                }
                match format {
                    PayloadFormat::Infisical => {
                        // Infisical carries one slug: the handle, read back as both.
                        f.handle = f.name.clone();
                        f.description = extra.clone();
                        if flag {
                            f.metadata
                                .insert(INFISICAL_GATEWAY.into(), Value::String("gw-1".into()));
                        }
                    }
                    PayloadFormat::Sequin => {
                        if let Some(e) = &extra {
                            f.options.insert(
                                "publication".into(),
                                OptionValue::Text(format!("pub_{e}")),
                            );
                            f.options.insert(
                                "replication_slot".into(),
                                OptionValue::Text(format!("slot_{e}")),
                            );
                            f.options.insert(
                                "slot_status".into(),
                                OptionValue::Text(if flag { "active" } else { "disabled" }.into()),
                            );
                        }
                        if flag {
                            f.metadata
                                .insert(SEQUIN_IPV6.into(), Value::String("true".into()));
                        }
                    }
                    PayloadFormat::Lerian => {
                        f.metadata = meta
                            .into_iter()
                            .map(|(k, v)| (k, Value::String(v)))
                            .collect();
                        if let (Some(e), true) = (&extra, engine == Engine::Postgres) {
                            f.options
                                .insert("schema".into(), OptionValue::Text(e.clone()));
                        }
                    }
                }
                let client_key = (format == PayloadFormat::Lerian
                    && flag
                    && engine.spec().has("tls.client_cert_pem"))
                .then(|| {
                    f.tls.client_cert_pem = Some(
                        "-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----\n".into(),
                    );
                    // A stand-in, not a key: the label is assembled so no key-shaped
                    // text sits in the repository.
                    format!("-----BEGIN {KEY}-----\nCCCC\n-----END {KEY}-----\n")
                });
                (f, password, client_key)
            },
        )
}

fn round_trip(
    format: PayloadFormat,
    f: ConnectionFields,
    password: Option<String>,
    key: Option<String>,
) {
    let secrets = ExportContext {
        password: password.clone().map(Secret::new),
        client_key: key.clone().map(Secret::new),
        primary: None,
    };
    let out = export(format, &f, &secrets).unwrap();
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let back = import(format, &out.body.to_string()).unwrap();
    // The one note an import may carry here: the gateway is kept but not used.
    assert!(
        back.warnings
            .iter()
            .all(|w| w.starts_with("gatewayId is kept")),
        "{:?}",
        back.warnings
    );
    assert_eq!(back.fields, f);
    assert_eq!(back.password.map(|p| p.expose().to_owned()), password);
    assert_eq!(back.client_key.map(|p| p.expose().to_owned()), key);
}

proptest! {
    #[test]
    fn infisical_export_then_import_is_unchanged((f, p, k) in carried(PayloadFormat::Infisical)) {
        round_trip(PayloadFormat::Infisical, f, p, k);
    }

    #[test]
    fn sequin_export_then_import_is_unchanged((f, p, k) in carried(PayloadFormat::Sequin)) {
        round_trip(PayloadFormat::Sequin, f, p, k);
    }

    #[test]
    fn lerian_export_then_import_is_unchanged((f, p, k) in carried(PayloadFormat::Lerian)) {
        round_trip(PayloadFormat::Lerian, f, p, k);
    }
}

#[test]
fn infisical_names_the_handle_and_lerian_the_display_name() {
    let mut f = pg();
    f.name = "billing (prod, EU)".into();
    f.handle = "billing-eu".into();
    let ctx = ExportContext::default();
    let inf = export(PayloadFormat::Infisical, &f, &ctx).unwrap();
    assert_eq!(inf.body["name"], "billing-eu");
    let ler = export(PayloadFormat::Lerian, &f, &ctx).unwrap();
    assert_eq!(ler.body["configName"], "billing (prod, EU)");
    // An unsaved form without a handle exports the one a save would derive.
    f.handle.clear();
    let inf = export(PayloadFormat::Infisical, &f, &ctx).unwrap();
    assert_eq!(inf.body["name"], "billing-prod-eu");
    // Back in: Infisical's name is both handle and display name; Lerian's only the name.
    let back = import(PayloadFormat::Infisical, &inf.body.to_string()).unwrap();
    assert_eq!(
        (back.fields.name.as_str(), back.fields.handle.as_str()),
        ("billing-prod-eu", "billing-prod-eu")
    );
    let back = import(PayloadFormat::Lerian, &ler.body.to_string()).unwrap();
    assert_eq!(
        (back.fields.name.as_str(), back.fields.handle.as_str()),
        ("billing (prod, EU)", "")
    );
}
