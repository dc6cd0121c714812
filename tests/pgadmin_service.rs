//! pgAdmin servers that name a libpq `Service` or a `passfile`, against the real libpq on
//! this machine. pgAdmin connects with `service=… port=… dbname=… [user=…]` plus its
//! ConnectionParameters (`create_connection_string` in pgadmin-org/pgadmin4
//! `web/pgadmin/utils/driver/psycopg3/server_manager.py`), and libpq fills the rest from
//! the service files and takes the password from the passfile. The parity: libpq, handed
//! that same string and environment (`PQconnectStart`, then `PQconninfo` and `PQpass`,
//! through Python's ctypes), must agree with every row Switchboard imports.
//!
//! The only test in this binary: it sets PGSERVICEFILE and PGSYSCONFDIR for the process.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

use switchboard_core::imports::{Batch, ImportOptions, RowStatus};
use switchboard_core::model::TlsMode;
use switchboard_tests::imports::{open, row, saved};
use switchboard_tests::test_root;

const LIBPQ: &str = r#"
import ctypes, json, sys
lib = ctypes.CDLL("libpq.so.5")
class Opt(ctypes.Structure):
    _fields_ = [("keyword", ctypes.c_char_p), ("envvar", ctypes.c_char_p), ("compiled", ctypes.c_char_p),
                ("val", ctypes.c_char_p), ("label", ctypes.c_char_p), ("dispchar", ctypes.c_char_p),
                ("dispsize", ctypes.c_int)]
lib.PQconnectStart.restype = ctypes.c_void_p
lib.PQconnectStart.argtypes = [ctypes.c_char_p]
lib.PQconninfo.restype = ctypes.POINTER(Opt)
lib.PQconninfo.argtypes = [ctypes.c_void_p]
lib.PQpass.restype = ctypes.c_char_p
lib.PQpass.argtypes = [ctypes.c_void_p]
lib.PQerrorMessage.restype = ctypes.c_char_p
lib.PQerrorMessage.argtypes = [ctypes.c_void_p]
out = []
for s in json.load(sys.stdin):
    c = lib.PQconnectStart(s.encode())
    o, got, i = lib.PQconninfo(c), {}, 0
    while o and o[i].keyword:
        if o[i].val is not None:
            got[o[i].keyword.decode()] = o[i].val.decode()
        i += 1
    p = lib.PQpass(c)
    got["(password)"] = p.decode() if p else None
    got["(error)"] = (lib.PQerrorMessage(c) or b"").decode()
    out.append(got)
json.dump(out, sys.stdout)
"#;

/// What libpq makes of each conninfo string under `env` (and no other PG* variable; the
/// home is `home`, so this machine's ~/.pgpass and ~/.pg_service.conf stay out of it).
fn libpq(conninfos: &[String], env: &[(&str, &Path)], home: &Path) -> Vec<serde_json::Value> {
    let mut cmd = Command::new("python3");
    cmd.args(["-c", LIBPQ]);
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("PG")) {
        cmd.env_remove(k);
    }
    let mut child = cmd
        .env("HOME", home)
        .env("PGPASSFILE", home.join("no-pgpass"))
        .envs(env.iter().map(|(k, v)| (*k, *v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 with libpq5 (installed by the test command)");
    let input = serde_json::to_vec(conninfos).unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the libpq harness failed");
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
async fn service_and_passfile_entries_resolve_exactly_as_libpq_resolves_them() {
    let dir = test_root().join(format!("pgadmin-service-{}", std::process::id()));
    let sysconf = dir.join("etc");
    std::fs::create_dir_all(&sysconf).unwrap();
    let user_file = dir.join("pg_service.conf");
    let service_password = switchboard_tests::test_password("pgadmin-service");
    // The user's file: billing, and a [reporting] the system file also has (the user's wins).
    std::fs::write(
        &user_file,
        format!("# services\n[billing] # production\nhost=127.0.0.1\nport=1\nuser=svc_user\ndbname=from_service\nsslmode=verify-full\n\n[reporting]\nhost=127.0.0.2\npassword={service_password}\n"),
    )
    .unwrap();
    std::fs::write(
        sysconf.join("pg_service.conf"),
        "[reporting]\nhost=10.9.9.9\nsslmode=disable\n[archive]\nhost=127.0.0.3\nuser=archivist\nsslmode=require\n",
    )
    .unwrap();
    let marker = switchboard_tests::secret_marker();
    let secret = format!("{marker}-pass:word");
    let passfile = dir.join("pgpass");
    std::fs::write(
        &passfile,
        format!(
            "# pgpass\n127.0.0.4:5432:app:other:nope\n127.0.0.4:5432:app:alice:{}\n",
            secret.replace(':', "\\:")
        ),
    )
    .unwrap();
    std::fs::set_permissions(&passfile, std::fs::Permissions::from_mode(0o600)).unwrap();
    let open_passfile = dir.join("pgpass-open");
    std::fs::copy(&passfile, &open_passfile).unwrap();
    std::fs::set_permissions(&open_passfile, std::fs::Permissions::from_mode(0o644)).unwrap();
    let env = [
        ("PGSERVICEFILE", user_file.as_path()),
        ("PGSYSCONFDIR", sysconf.as_path()),
    ];
    for (k, v) in env {
        std::env::set_var(k, v);
    }

    let servers = serde_json::json!({"Servers": {
        "1": {"Name": "billing", "Group": "Servers", "Port": 5432, "MaintenanceDB": "postgres",
              "Service": "billing", "ConnectionParameters": {"connect_timeout": 10}},
        "2": {"Name": "reporting", "Group": "Servers", "Port": 5432, "MaintenanceDB": "postgres",
              "Username": "rep", "Service": "reporting",
              "ConnectionParameters": {"sslmode": "prefer"}},
        "3": {"Name": "archive", "Group": "Servers", "Port": 5433, "MaintenanceDB": "postgres",
              "Service": "archive"},
        "4": {"Name": "with passfile", "Group": "Servers", "Host": "127.0.0.4", "Port": 5432,
              "MaintenanceDB": "app", "Username": "alice",
              "ConnectionParameters": {"sslmode": "require", "passfile": passfile.to_str().unwrap()}},
        "5": {"Name": "open passfile", "Group": "Servers", "Host": "127.0.0.4", "Port": 5432,
              "MaintenanceDB": "app", "Username": "alice",
              "ConnectionParameters": {"sslmode": "require", "passfile": open_passfile.to_str().unwrap()}},
        "6": {"Name": "missing", "Group": "Servers", "Port": 5432, "MaintenanceDB": "postgres",
              "Username": "x", "Service": "nowhere"}
    }});
    // The strings pgAdmin hands libpq for these servers.
    let conninfos: Vec<String> = vec![
        "service=billing port=5432 dbname=postgres connect_timeout=10".into(),
        "service=reporting port=5432 dbname=postgres user=rep sslmode=prefer".into(),
        "service=archive port=5433 dbname=postgres".into(),
        format!(
            "host=127.0.0.4 port=5432 dbname=app user=alice sslmode=require passfile={}",
            passfile.display()
        ),
        format!(
            "host=127.0.0.4 port=5432 dbname=app user=alice sslmode=require passfile={}",
            open_passfile.display()
        ),
    ];
    let reference = libpq(&conninfos, &env, &dir);

    let sb = open("pgadmin-service").await;
    let text = servers.to_string();
    let with_passwords = ImportOptions {
        include_passwords: true,
        ..Default::default()
    };
    let preview = sb
        .preview_batch_with(Batch::Text(&text), &with_passwords)
        .await
        .unwrap();
    for (i, name) in [
        "billing",
        "reporting",
        "archive",
        "with passfile",
        "open passfile",
    ]
    .into_iter()
    .enumerate()
    {
        let r = row(&preview, name);
        assert_eq!(r.status, RowStatus::Ready, "{r:?}");
        let f = r.fields.as_ref().unwrap();
        let want = &reference[i];
        assert_eq!(f.host, want["host"].as_str().unwrap(), "{name}: host");
        assert_eq!(
            f.port.to_string(),
            want["port"].as_str().unwrap(),
            "{name}: port"
        );
        assert_eq!(
            f.database,
            want["dbname"].as_str().unwrap(),
            "{name}: dbname"
        );
        assert_eq!(f.username, want["user"].as_str().unwrap(), "{name}: user");
        assert_eq!(
            f.tls.mode.as_str(),
            want["sslmode"].as_str().unwrap(),
            "{name}: sslmode"
        );
        assert_eq!(
            r.has_password,
            want["(password)"].is_string(),
            "{name}: libpq found a password: {:?}; warnings {:?}",
            want["(error)"],
            r.warnings
        );
        assert!(
            !format!("{r:?}").contains(&marker),
            "a preview row never carries the password"
        );
    }
    assert_eq!(
        reference[1]["(password)"],
        service_password.as_str(),
        "libpq takes the service's password"
    );
    assert_eq!(
        reference[3]["(password)"],
        secret.as_str(),
        "libpq's own answer"
    );
    assert!(
        reference[4]["(password)"].is_null(),
        "libpq ignores an open passfile"
    );
    let billing = row(&preview, "billing");
    assert!(billing.tls_from.as_deref().unwrap().contains("[billing]"));
    assert!(row(&preview, "open passfile")
        .warnings
        .iter()
        .any(|w| w.contains("group or world access")));
    // A service no file defines: shown, not ready, naming the files searched.
    let missing = row(&preview, "missing");
    assert_eq!(missing.status, RowStatus::Invalid);
    let said = missing.warnings.join("\n");
    assert!(
        said.contains("nowhere") && said.contains(user_file.to_str().unwrap()),
        "{said}"
    );

    // Without consent, the passfile is named, not read.
    let preview = sb.preview_batch(Batch::Text(&text)).await.unwrap();
    let r = row(&preview, "with passfile");
    assert!(!r.has_password);
    // Nor is a password the service file holds taken without consent.
    let reporting = row(&preview, "reporting");
    assert!(!reporting.has_password);
    assert!(
        reporting
            .warnings
            .iter()
            .any(|w| w.contains("password in the service reporting is a secret")),
        "{:?}",
        reporting.warnings
    );
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("import with passwords")),
        "{r:?}"
    );

    // Saved: the password went to the keychain, never to SQLite.
    sb.import_batch_with(Batch::Text(&text), None, &with_passwords)
        .await
        .unwrap();
    let with_passfile = saved(&sb, "with passfile").await;
    assert_eq!(
        sb.reveal_password(with_passfile.id).await.unwrap().expose(),
        secret
    );
    let reporting = saved(&sb, "reporting").await;
    assert_eq!(
        sb.reveal_password(reporting.id).await.unwrap().expose(),
        service_password,
        "the service's password, with consent, as libpq takes it"
    );
    let billing = saved(&sb, "billing").await;
    assert_eq!(billing.host, "127.0.0.1");
    assert!(matches!(
        sb.get(billing.id).await.unwrap().fields.tls.mode,
        TlsMode::VerifyFull
    ));
}
