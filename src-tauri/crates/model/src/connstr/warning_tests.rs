//! "Copy as…" warns only about what the user would lose: a setting that is set, not its
//! engine's default, and has no place in the format. Every format of every engine.

use super::*;
use crate::engines::DefaultValue;
use crate::model::{ConnectionFields, Engine, OptionValue, PasswordSave, TlsMode};
use crate::validation::normalize;

const PASSWORD_NOTE: &str =
    "the password is not included (choose to include it, or the client will ask)";
const SEQUIN_WEAKER: &str =
    "Sequin's ssl: true encrypts but does not verify the certificate: weaker than verify-full";

/// A connection as the form saves it untouched: every engine setting at the default the form
/// shows, the password asked for.
fn defaults(engine: Engine) -> ConnectionFields {
    let mut f = ConnectionFields::blank(engine, "orders-prod");
    f.host = if engine == Engine::Sqlite {
        String::new()
    } else {
        "db.example.com".into()
    };
    f.database = if engine == Engine::Sqlite {
        "/srv/orders.db".into()
    } else {
        "orders".into()
    };
    f.username = if engine == Engine::Sqlite {
        String::new()
    } else {
        "app".into()
    };
    f.password_save = PasswordSave::Ask;
    for field in &engine.spec().fields {
        let (Some(key), Some(d)) = (field.key.strip_prefix("options."), field.default.clone())
        else {
            continue;
        };
        let v = match d {
            DefaultValue::Bool(b) => OptionValue::Bool(b),
            DefaultValue::Number(n) => OptionValue::Text(n.to_string()),
            DefaultValue::Text(t) => OptionValue::Text(t.into()),
        };
        f.options.insert(key.into(), v);
    }
    normalize(&mut f);
    f
}

fn warnings(f: &ConnectionFields, format: ExportFormat) -> Vec<String> {
    match export(f, &ExportContext::default(), format) {
        Ok(e) => e.warnings,
        Err(e) => panic!("{:?} as {format:?}: {e}", f.engine),
    }
}

#[test]
fn a_connection_left_at_its_defaults_warns_about_nothing_in_any_format() {
    for engine in Engine::ALL {
        let f = defaults(engine);
        assert!(
            !f.options.is_empty() || engine == Engine::Mysql,
            "{engine:?}"
        );
        // The tunnel command needs a route (tested below with one).
        for format in formats_for(engine)
            .into_iter()
            .filter(|f| *f != ExportFormat::Ssh)
        {
            let w = warnings(&f, format);
            // The exceptions are values really lost: the verification Sequin cannot keep
            // (never weaker silently), and the user an Oracle thin URL carries only with
            // the password.
            let want: Vec<String> = match (engine, format) {
                (_, ExportFormat::Sequin) => vec![SEQUIN_WEAKER.into()],
                (Engine::Oracle, ExportFormat::Jdbc) => vec![
                    "JDBC thin URLs carry the user only with its password: pass the user to the driver".into(),
                ],
                _ => vec![],
            };
            assert_eq!(w, want, "{engine:?} as {format:?}");
        }
    }
}

#[test]
fn a_password_in_the_keychain_left_out_of_a_string_is_the_only_note() {
    let mut f = defaults(Engine::Postgres);
    f.password_save = PasswordSave::Keychain;
    for format in [
        ExportFormat::Url,
        ExportFormat::Kv,
        ExportFormat::Jdbc,
        ExportFormat::Shell,
        ExportFormat::Env,
    ] {
        assert_eq!(warnings(&f, format), vec![PASSWORD_NOTE], "{format:?}");
    }
}

fn with_slot(status: &str) -> ConnectionFields {
    let mut f = defaults(Engine::Postgres);
    for (k, v) in [
        ("publication", "orders_pub"),
        ("replication_slot", "orders_slot"),
        ("slot_status", status),
    ] {
        f.options.insert(k.into(), OptionValue::Text(v.into()));
    }
    f
}

#[test]
fn a_psql_command_warns_about_the_slot_it_drops_by_name_but_not_a_default_status() {
    let w = warnings(&with_slot("active"), ExportFormat::Shell);
    assert_eq!(
        w,
        vec![
            "Publication \"orders_pub\" is a Switchboard setting that a libpq URL has no place for",
            "Replication slot \"orders_slot\" is a Switchboard setting that a libpq URL has no place for",
        ]
    );
    // A status the user changed is lost too, and said.
    let w = warnings(&with_slot("disabled"), ExportFormat::Shell);
    assert!(
        w.contains(
            &"Slot status \"disabled\" is a Switchboard setting that a libpq URL has no place for"
                .to_owned()
        ),
        "{w:?}"
    );
    // The dropped fields are all still listed for a form reading the text back.
    let e = export(
        &with_slot("active"),
        &ExportContext::default(),
        ExportFormat::Url,
    )
    .unwrap();
    for k in ["publication", "replication_slot", "slot_status"] {
        assert!(e.dropped.contains(&format!("options.{k}")), "{k}: {e:?}");
    }
}

#[test]
fn sequin_carries_the_slot_and_its_status_and_others_name_what_they_lose() {
    let f = with_slot("disabled");
    assert_eq!(warnings(&f, ExportFormat::Sequin), vec![SEQUIN_WEAKER]);
    let w = warnings(&f, ExportFormat::Infisical);
    assert_eq!(
        w,
        vec![
            "Infisical has no place for the setting Publication \"orders_pub\": it is not exported",
            "Infisical has no place for the setting Replication slot \"orders_slot\": it is not exported",
            "Infisical has no place for the setting Slot status \"disabled\": it is not exported",
        ]
    );
    // Lerian carries the schema; the slot it cannot, and says so; the default status, not.
    let w = warnings(&with_slot("active"), ExportFormat::Lerian);
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(w.iter().all(|w| !w.contains("Slot status")), "{w:?}");
    // A status without a slot has no place in Sequin's body either.
    let mut f = defaults(Engine::Postgres);
    f.options
        .insert("slot_status".into(), OptionValue::Text("disabled".into()));
    assert_eq!(
        warnings(&f, ExportFormat::Sequin),
        vec![
            "Sequin has no place for the setting Slot status \"disabled\": it is not exported",
            SEQUIN_WEAKER
        ]
    );
}

#[test]
fn non_default_engine_settings_are_named_with_their_value_default_ones_are_not() {
    let mut f = defaults(Engine::Postgres);
    f.options.insert(
        "target_session_attrs".into(),
        OptionValue::Text("read-only".into()),
    );
    f.options
        .insert("schema".into(), OptionValue::Text("sales".into()));
    let w = warnings(&f, ExportFormat::Infisical);
    assert_eq!(
        w,
        vec![
            "Infisical has no place for the setting Default schema \"sales\": it is not exported",
            "Infisical has no place for the setting Target session \"read-only\": it is not exported",
        ]
    );
    // pgjdbc has no read-only target: said once, by the format's own words.
    let w = warnings(&f, ExportFormat::Jdbc);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("targetServerType"), "{w:?}");
    // MongoDB: a seed list flag set away from its default is carried, not warned about.
    let mut m = defaults(Engine::Mongodb);
    m.options.insert("srv".into(), OptionValue::Bool(true));
    assert!(warnings(&m, ExportFormat::Url).is_empty());
    // Lerian has none of them: only the one away from its default is lost (not the
    // default auth source "admin" or direct connection off).
    assert_eq!(
        warnings(&m, ExportFormat::Lerian),
        vec![
            "Lerian has no place for the setting DNS seed list (mongodb+srv) turned on: it is not exported"
        ]
    );
}

#[test]
fn payloads_say_what_they_drop_that_a_string_would_carry() {
    let mut f = defaults(Engine::Postgres);
    f.timeout_secs = 30;
    f.tls.mode = TlsMode::Require;
    f.tls.ca_pem = Some("-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n".into());
    assert_eq!(
        warnings(&f, ExportFormat::Sequin),
        vec![
            "Sequin has no connect timeout: the timeout of 30 seconds is not exported",
            "Sequin has no CA certificate field: the CA is not exported",
        ]
    );
    assert_eq!(
        warnings(&f, ExportFormat::Lerian),
        vec!["Lerian has no connect timeout: the timeout of 30 seconds is not exported"]
    );
}

#[test]
fn a_route_is_warned_about_in_every_format_and_written_as_the_openssh_command() {
    use crate::ssh::{SshAuth, SshHop, SshRoute};
    for engine in Engine::ALL.into_iter().filter(|e| *e != Engine::Sqlite) {
        let mut f = defaults(engine);
        f.host = "db.internal".into();
        f.ssh = Some(SshRoute::Hops {
            hops: vec![SshHop {
                host: "bastion.example.com".into(),
                port: 22,
                user: "ops".into(),
                auth: SshAuth::Agent,
                key_files: Vec::new(),
                secret_save: crate::model::PasswordSave::None,
            }],
        });
        for format in formats_for(engine) {
            let out = export(&f, &ExportContext::default(), format).unwrap();
            if format == ExportFormat::Ssh {
                let local = super::export::tunnel_port(f.port);
                assert_eq!(
                    out.text,
                    format!(
                        "ssh -N -L {local}:db.internal:{} ops@bastion.example.com",
                        f.port
                    )
                );
            } else {
                assert!(
                    out.warnings.iter().any(|w| w.contains("SSH route")),
                    "{engine:?} as {format:?}: {:?}",
                    out.warnings
                );
            }
        }
    }
    let f = defaults(Engine::Postgres);
    assert!(
        export(&f, &ExportContext::default(), ExportFormat::Ssh).is_err(),
        "no route, no command"
    );
}
