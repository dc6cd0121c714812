use super::*;
use crate::model::{ConnectionFields, Engine, OptionValue, TlsMode};
use crate::secret::Secret;

fn imp(s: &str) -> Parsed {
    match import(s) {
        Ok(p) => p,
        Err(e) => panic!("{s}: {e} ({})", e.hint()),
    }
}

fn pw(p: &Parsed) -> Option<&str> {
    p.imported.password.as_ref().map(Secret::expose)
}

fn opt<'a>(p: &'a Parsed, k: &str) -> Option<&'a OptionValue> {
    p.imported.fields.options.get(k)
}

fn opt_text<'a>(p: &'a Parsed, k: &str) -> Option<&'a str> {
    opt(p, k).and_then(OptionValue::as_text)
}

// ---------- import: one case per documented form ----------

#[test]
fn postgres_uri_with_encoded_password_multi_host_and_libpq_parameters() {
    let p = imp("postgresql://app:p%40ss%2Fw%3Ard@db1.example.com:6432,db2:6433/orders?sslmode=verify-full&sslrootcert=/etc/ca.pem&application_name=etl&connect_timeout=7&options=-c%20search_path%3Dsales&target_session_attrs=read-write&keepalives=1");
    assert_eq!(p.kind, SourceKind::PostgresUri);
    let f = &p.imported.fields;
    assert_eq!((f.host.as_str(), f.port), ("db1.example.com", 6432));
    assert_eq!(
        (f.username.as_str(), f.database.as_str()),
        ("app", "orders")
    );
    assert_eq!(pw(&p), Some("p@ss/w:rd"));
    assert_eq!(f.tls.mode, TlsMode::VerifyFull);
    assert_eq!(f.timeout_secs, 7);
    assert_eq!(opt_text(&p, "schema"), Some("sales"));
    assert_eq!(opt_text(&p, "application_name"), Some("etl"));
    assert_eq!(opt_text(&p, "target_session_attrs"), Some("read-write"));
    assert_eq!(
        p.imported.files,
        vec![FileRef {
            slot: FileSlot::Ca,
            param: "sslrootcert".into(),
            path: "/etc/ca.pem".into()
        }]
    );
    let w = p.imported.warnings.join("\n");
    assert!(w.contains("2 hosts are listed"), "{w}");
    assert!(w.contains("parameter keepalives"), "{w}");
    assert_eq!(f.password_save, PasswordSave::Keychain);
}

#[test]
fn postgres_unix_socket_ipv6_and_keyword_strings() {
    let p = imp("postgresql://%2Fvar%2Frun%2Fpostgresql/app?user=me");
    assert_eq!(p.imported.fields.host, "/var/run/postgresql");
    let p = imp("postgres://me@[2001:db8::7]:5433/x?sslmode=require");
    assert_eq!(p.imported.fields.host, "2001:db8::7");
    assert_eq!(p.imported.fields.port, 5433);
    let p = imp(
        r"host=db.example.com port=5433 dbname='my db' user=app password='it\'s \\ here' sslmode=verify-ca",
    );
    assert_eq!(p.kind, SourceKind::LibpqKeywords);
    assert_eq!(p.imported.fields.database, "my db");
    assert_eq!(pw(&p), Some(r"it's \ here"));
    assert_eq!(p.imported.fields.tls.mode, TlsMode::VerifyCa);
}

#[test]
fn postgres_without_sslmode_keeps_libpqs_prefer_and_says_so() {
    let p = imp("postgresql://u@h/d");
    assert_eq!(p.imported.fields.tls.mode, TlsMode::Prefer);
    assert!(p.imported.warnings.iter().any(|w| w.contains("no sslmode")));
}

#[test]
fn jdbc_urls_for_every_driver() {
    let p = imp("jdbc:postgresql://pg.example.com:5433/shop?user=app&password=s%3Bx&ssl=true&currentSchema=retail&ApplicationName=bi");
    assert_eq!(p.kind, SourceKind::JdbcPostgres);
    assert_eq!(p.imported.fields.tls.mode, TlsMode::VerifyFull);
    assert_eq!(pw(&p), Some("s;x"));
    assert_eq!(opt_text(&p, "schema"), Some("retail"));

    let p = imp("jdbc:mysql://my.example.com:3307/shop?user=app&password=pw&sslMode=VERIFY_CA&connectTimeout=5000");
    assert_eq!(p.imported.fields.engine, Engine::Mysql);
    assert_eq!(p.imported.fields.port, 3307);
    assert_eq!(p.imported.fields.tls.mode, TlsMode::VerifyCa);
    assert_eq!(p.imported.fields.timeout_secs, 5);

    let p = imp("jdbc:mariadb://maria:3306/db?user=u&useSsl=true&trustServerCertificate=true");
    assert_eq!(p.imported.fields.tls.mode, TlsMode::Require);

    let p = imp("jdbc:sqlserver://sql.example.com:1434;databaseName=Sales;user=sa;password={p;w}};d};encrypt=true;trustServerCertificate=false;hostNameInCertificate=*.example.com");
    assert_eq!(p.kind, SourceKind::JdbcSqlServer);
    let f = &p.imported.fields;
    assert_eq!(
        (f.host.as_str(), f.port, f.database.as_str()),
        ("sql.example.com", 1434, "Sales")
    );
    assert_eq!(pw(&p), Some("p;w};d"));
    assert_eq!(f.tls.mode, TlsMode::VerifyFull);
    assert_eq!(
        opt_text(&p, "host_name_in_certificate"),
        Some("*.example.com")
    );

    let p = imp(
        "jdbc:sqlserver://sql\\SQLEXPRESS;databaseName=x;encrypt=true;trustServerCertificate=true",
    );
    assert_eq!(opt_text(&p, "instance"), Some("SQLEXPRESS"));
    assert_eq!(p.imported.fields.tls.mode, TlsMode::Require);

    let p = imp("jdbc:oracle:thin:@//ora.example.com:1522/ORCLPDB1");
    let f = &p.imported.fields;
    assert_eq!(
        (f.host.as_str(), f.port, f.database.as_str()),
        ("ora.example.com", 1522, "ORCLPDB1")
    );
    assert_eq!(opt_text(&p, "connect_by"), Some("service_name"));

    let p = imp("jdbc:oracle:thin:scott/tiger@ora:1521:ORCL");
    assert_eq!(opt_text(&p, "connect_by"), Some("sid"));
    assert_eq!(p.imported.fields.username, "scott");
    assert_eq!(pw(&p), Some("tiger"));

    let p = imp("jdbc:oracle:thin:@(DESCRIPTION=(ADDRESS=(PROTOCOL=TCPS)(HOST=ora.example.com)(PORT=2484))(CONNECT_DATA=(SERVICE_NAME=sales.example.com))(SECURITY=(SSL_SERVER_CERT_DN=\"CN=ora.example.com,O=Example\")))");
    assert_eq!(p.imported.fields.tls.mode, TlsMode::VerifyFull);
    assert_eq!(p.imported.fields.port, 2484);
    assert_eq!(
        opt_text(&p, "server_dn"),
        Some("CN=ora.example.com,O=Example")
    );

    let p = imp("jdbc:sqlite:/home/me/app.db");
    assert_eq!(p.imported.fields.database, "/home/me/app.db");
}

#[test]
fn ado_net_strings_with_quotes_braces_and_non_ascii_passwords() {
    let p = imp("Server=tcp:sql.example.com,1433;Initial Catalog=Sales;User ID=app;Password=\"pä;ss\"\"w\";Encrypt=True;TrustServerCertificate=False;Connection Timeout=30;ApplicationIntent=ReadOnly;MultipleActiveResultSets=True");
    assert_eq!(p.kind, SourceKind::AdoNet);
    let f = &p.imported.fields;
    assert_eq!((f.host.as_str(), f.port), ("sql.example.com", 1433));
    assert_eq!((f.database.as_str(), f.username.as_str()), ("Sales", "app"));
    assert_eq!(pw(&p), Some("pä;ss\"w"));
    assert_eq!(f.tls.mode, TlsMode::VerifyFull);
    assert_eq!(f.timeout_secs, 30);
    assert_eq!(opt_text(&p, "application_intent"), Some("read_only"));
    assert!(p
        .imported
        .warnings
        .iter()
        .any(|w| w.contains("multipleactiveresultsets")));

    let p = imp("Data Source=db\\INST;Database={we;ird};uid=u;pwd='a''b';Encrypt=Optional");
    assert_eq!(p.imported.fields.database, "we;ird");
    assert_eq!(opt_text(&p, "instance"), Some("INST"));
    assert_eq!(pw(&p), Some("a'b"));
    assert_eq!(p.imported.fields.tls.mode, TlsMode::Prefer);

    let p = imp("Server=db;Database=x;Integrated Security=SSPI");
    assert!(p
        .imported
        .warnings
        .iter()
        .any(|w| w.contains("Windows authentication")));
}

#[test]
fn mysql_mariadb_and_mongodb_urls() {
    let p = imp("mysql://app:p%40ss@my.example.com:3307/shop?ssl-mode=VERIFY_IDENTITY&ssl-ca=/etc/ca.pem&charset=utf8mb4");
    assert_eq!(p.kind, SourceKind::MysqlUrl);
    let f = &p.imported.fields;
    assert_eq!(
        (f.host.as_str(), f.port, f.database.as_str()),
        ("my.example.com", 3307, "shop")
    );
    assert_eq!(pw(&p), Some("p@ss"));
    assert_eq!(f.tls.mode, TlsMode::VerifyFull);
    assert_eq!(p.imported.files.len(), 1);
    assert!(p.imported.warnings.iter().any(|w| w.contains("charset")));
    assert_eq!(
        imp("mariadb://u@h/d?ssl-mode=REQUIRED")
            .imported
            .fields
            .tls
            .mode,
        TlsMode::Require
    );

    let p = imp("mongodb://app:s%3Acret@m1.example.com:27018,m2.example.com:27018/orders?replicaSet=rs0&authSource=admin&tls=true&tlsAllowInvalidHostnames=true&appName=x");
    let f = &p.imported.fields;
    assert_eq!(f.host, "m1.example.com,m2.example.com");
    assert_eq!(f.port, 27018);
    assert_eq!(pw(&p), Some("s:cret"));
    assert_eq!(f.tls.mode, TlsMode::VerifyCa);
    assert_eq!(opt_text(&p, "replica_set"), Some("rs0"));
    assert!(p.imported.warnings.iter().any(|w| w.contains("appName")));

    let p = imp("mongodb+srv://u@cluster0.example.net/db");
    assert_eq!(
        p.imported.fields.tls.mode,
        TlsMode::VerifyFull,
        "srv implies TLS"
    );
    assert_eq!(opt(&p, "srv"), Some(&OptionValue::Bool(true)));
}

#[test]
fn oracle_ezconnect_tns_and_sqlite_forms() {
    let p = imp("scott/\"t@ger\"@tcps://ora.example.com:2484/sales?ssl_server_dn_match=no");
    assert_eq!(p.kind, SourceKind::OracleEzconnect);
    assert_eq!(pw(&p), Some("t@ger"));
    assert_eq!(p.imported.fields.tls.mode, TlsMode::VerifyCa);
    let p = imp("ora.example.com:1521/XEPDB1");
    assert_eq!(p.imported.fields.database, "XEPDB1");
    assert_eq!(p.imported.fields.tls.mode, TlsMode::Disable);
    let p = imp("SALES =\n (DESCRIPTION =\n  (ADDRESS = (PROTOCOL = TCP)(HOST = ora)(PORT = 1521))\n  (CONNECT_DATA = (SID = ORCL)))");
    assert_eq!(p.kind, SourceKind::OracleTns);
    assert_eq!(p.imported.fields.name, "SALES");
    assert_eq!(opt_text(&p, "connect_by"), Some("sid"));

    let p = imp("/srv/data/app.db");
    assert_eq!(p.kind, SourceKind::SqlitePath);
    let p = imp("sqlite:///srv/data/my%20app.db?mode=ro");
    assert_eq!(p.imported.fields.database, "/srv/data/my app.db");
    assert_eq!(opt(&p, "read_only"), Some(&OptionValue::Bool(true)));
    assert_eq!(
        import("sqlite::memory:").unwrap_err().code(),
        ErrorCode::UrlInvalid
    );
}

#[test]
fn a_chain_of_env_keys_is_read_once_not_recursively() {
    // Each `KEY=` used to start another import of the rest: 100 000 of them overflowed the
    // stack. A value is never itself a `KEY=value` line.
    let chain = format!("{}postgresql://u@db/app", "A=".repeat(100_000));
    if let Ok(p) = import(&chain) {
        // One level: the value is read as whatever else it looks like.
        assert_eq!(p.kind, SourceKind::EnvLine);
    }
    assert_eq!(imp("A=postgresql://u@db/app").kind, SourceKind::EnvLine);
}

#[test]
fn a_mongodb_prefix_cut_inside_a_multibyte_character_is_not_a_panic() {
    // Found by the fuzz target: the test for "mongodb+srv://" cut the input at byte 14,
    // here inside a U+FFFD (bytes 13..16).
    let _ = import(&format!("mongodb://u]{}:", "\u{fffd}".repeat(9)));
    let _ = import("mongodb://\u{fffd}\u{fffd}");
    let _ = import("mongosh mongodb://abc\u{e9}");
    let p = imp("mongodb://h\u{e9}t\u{e9}/d");
    assert_eq!(p.imported.fields.database, "d");
}

#[test]
fn a_mysql_short_flag_followed_by_a_multibyte_character_is_not_a_panic() {
    // `-é…` used to be cut after its second byte, inside the é.
    let _ = import("mysql -\u{e9}x h");
    let p = imp("mysql -h db -u u -p\u{e9}t\u{e9} shop");
    assert_eq!(pw(&p), Some("\u{e9}t\u{e9}"));
    assert_eq!(p.imported.fields.database, "shop");
    let p = imp("mysql -h db -u u -\u{e9}x shop");
    assert_eq!(p.imported.fields.database, "shop");
}

#[test]
fn a_command_that_is_a_shell_comment_is_an_error_not_a_panic() {
    // Found by the fuzz target (minimised: `#/psql \x9e`): the tool is named, but the shell
    // reads a comment and gives no words.
    assert!(import("#/psql \u{fffd}").is_err());
    assert!(import("#/usr/bin/mysql -h db").is_err());
}

#[test]
fn env_lines_and_shell_commands() {
    let p = imp("export BILLING_DATABASE_URL=\"postgresql://u:pw@db/billing?sslmode=verify-full\"");
    assert_eq!(p.kind, SourceKind::EnvLine);
    assert_eq!(p.imported.fields.name, "billing-database");
    assert_eq!(pw(&p), Some("pw"));

    let p = imp("psql -h db.example.com -p 5433 -U app -d orders");
    assert_eq!(p.kind, SourceKind::ShellCommand);
    assert_eq!(p.imported.fields.port, 5433);
    let p = imp("mysql --host=h --user=u -psecret --ssl-mode=VERIFY_CA shop");
    assert_eq!(pw(&p), Some("secret"));
    assert_eq!(p.imported.fields.database, "shop");
    let p = imp("sqlcmd -S tcp:sql,1433 -d Sales -U sa -N m -C");
    assert_eq!(p.imported.fields.tls.mode, TlsMode::Require);
}

#[test]
fn unknown_or_broken_input_has_a_stable_code_and_never_quotes_a_secret() {
    for s in [
        "",
        "hello world",
        "postgresql://u:TOPSECRET%zz@h/d",
        "mysql://u:TOPSECRET@h:99999/d",
        "mongodb://u:TOP@SECRET@h/d",
        "Server=h;Password=\"TOPSECRET",
        "jdbc:sqlserver://h;password={TOPSECRET",
        "jdbc:db2://h/TOPSECRET",
        "(DESCRIPTION=(ADDRESS=(HOST=TOPSECRET)",
        "psql 'postgresql://u:TOPSECRET@h/d",
    ] {
        let e = import(s).unwrap_err();
        let all = format!("{e} {} {:?}", e.hint(), e.field());
        assert!(
            !all.contains("TOPSECRET") && !all.contains("SECRET"),
            "{s}: {all}"
        );
        assert!(
            matches!(e.code(), ErrorCode::UrlInvalid | ErrorCode::PortOutOfRange),
            "{s}: {:?}",
            e.code()
        );
    }
}

#[test]
fn ado_reader_agrees_with_the_connection_string_crate_where_that_crate_is_right() {
    // The crate rejects non-ASCII and keeps "" doubled; on everything else we must agree.
    let cases = [
        "Server=tcp:h,1433;Database=d;User ID=u;Password=p",
        "server = h ; database = my db ; uid = u",
        "Data Source=h;Password={a;b}",
        "Data Source=h;Password=\"a;b\";Encrypt=yes",
        "Data Source=h;Password='x=y'",
    ];
    for c in cases {
        let theirs: connection_string::AdoNetString = c.parse().unwrap();
        let ours = sqlserver_pairs(c);
        let mut theirs: Vec<(String, String)> =
            theirs.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        theirs.sort();
        assert_eq!(ours, theirs, "{c}");
    }
}

fn sqlserver_pairs(s: &str) -> Vec<(String, String)> {
    let mut v = super::sqlserver::pairs_for_tests(s);
    v.sort();
    v
}

#[test]
fn pem_files_are_split_so_a_key_never_reaches_a_certificate_field() {
    // The key's label is assembled so that no key-shaped text is committed.
    let label = format!("{} KEY", "PRIVATE");
    let both = format!(
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n-----BEGIN {label}-----\nBBBB\n-----END {label}-----\n"
    );
    let both = both.as_str();
    let cert = crate::pem::select_blocks(both, |l| l == "CERTIFICATE");
    assert!(cert.contains("AAAA") && !cert.contains("BBBB"));
    let key = crate::pem::select_blocks(both, |l| l.ends_with("PRIVATE KEY"));
    assert!(key.contains("BBBB") && !key.contains("AAAA"));
}

// ---------- batch ----------

#[test]
fn env_file_rows_pg_variables_and_skipped_lines() {
    let text = "# app\nPORT=3000\nDATABASE_URL=postgresql://u:p@db/app?sslmode=verify-full\nANALYTICS_DSN='mysql://a@an/x?ssl-mode=REQUIRED'\nREPORTS_URL=not a url\nPGHOST=pg.internal\nPGUSER=etl\nPGDATABASE=warehouse\nPGSSLMODE=verify-ca\n";
    let b = batch::parse(text, Some(".env")).unwrap();
    assert_eq!(b.source, batch::BatchSource::Env);
    let labels: Vec<&str> = b.rows.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "DATABASE_URL",
            "ANALYTICS_DSN",
            "REPORTS_URL",
            "PG* variables"
        ]
    );
    assert!(matches!(b.rows[2].entry, batch::Entry::Invalid(_)));
    match &b.rows[3].entry {
        batch::Entry::Connection(p) => {
            assert_eq!(p.imported.fields.host, "pg.internal");
            assert_eq!(p.imported.fields.tls.mode, TlsMode::VerifyCa);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        b.notes,
        ["1 line holds no connection string and was skipped"]
    );
}

#[test]
fn pgpass_lines_match_saved_connections_as_libpq_does() {
    let b = batch::parse(
        "db.example.com:5432:*:app:se\\:cret\n*:*:*:*:fallback\nbroken line\n",
        Some("/home/me/.pgpass"),
    )
    .unwrap();
    assert_eq!(b.source, batch::BatchSource::Pgpass);
    let batch::Entry::Password(first) = &b.rows[0].entry else {
        panic!()
    };
    assert_eq!(first.password.expose(), "se:cret");
    let f = ConnectionFields::postgres("x", "db.example.com", 5432, "orders", "app");
    assert!(first.matches(&f));
    let mut other = f.clone();
    other.username = "someone".into();
    assert!(!first.matches(&other));
    assert!(matches!(b.rows[2].entry, batch::Entry::Invalid(_)));
}

#[test]
fn pg_service_sections_become_named_connections() {
    let text = "# services\n[billing]\nhost=pg1\nport=5433\ndbname=billing\nuser=bill\nsslmode=verify-full\n\n[reports]\nhost=pg2\ndbname=rep\nfrobnicate=1\n";
    let b = batch::parse(text, Some("pg_service.conf")).unwrap();
    assert_eq!(b.source, batch::BatchSource::PgService);
    assert_eq!(b.rows.len(), 2);
    let batch::Entry::Connection(p) = &b.rows[0].entry else {
        panic!()
    };
    assert_eq!(p.imported.fields.name, "billing");
    assert_eq!(p.imported.fields.port, 5433);
    let batch::Entry::Connection(p) = &b.rows[1].entry else {
        panic!()
    };
    assert!(p.imported.warnings.iter().any(|w| w.contains("frobnicate")));
}

#[test]
fn json_exports_hold_lists_of_seed_payloads() {
    let text = r#"[{"configName":"rep","type":"POSTGRESQL","host":"h","port":5432,"databaseName":"d","userName":"u"},
                   {"name":"cdc","url":"postgresql://u@db/app?sslmode=verify-full"},
                   {"what":"ever"}]"#;
    let b = batch::parse(text, None).unwrap();
    assert_eq!(b.source, batch::BatchSource::Json);
    assert_eq!(b.rows.len(), 3);
    assert!(matches!(b.rows[0].entry, batch::Entry::Connection(_)));
    assert!(matches!(b.rows[1].entry, batch::Entry::Connection(_)));
    assert!(matches!(b.rows[2].entry, batch::Entry::Invalid(_)));
}

// ---------- export ----------

fn pg() -> ConnectionFields {
    let mut f = ConnectionFields::postgres("orders", "db.example.com", 5432, "orders", "app");
    f.options
        .insert("schema".into(), OptionValue::Text("sales".into()));
    f
}

fn out(f: &ConnectionFields, format: ExportFormat, password: Option<&str>) -> ExportedText {
    let ctx = ExportContext {
        password: password.map(|p| Secret::new(p.to_owned())),
        ..ExportContext::default()
    };
    export(f, &ctx, format).unwrap()
}

#[test]
fn exports_are_deterministic_and_omit_the_password_unless_asked() {
    let f = pg();
    let cases = [
        (ExportFormat::Url, "postgresql://app@db.example.com:5432/orders?sslmode=verify-full&options=-c%20search_path%3Dsales"),
        (ExportFormat::Kv, "host=db.example.com port=5432 dbname=orders user=app sslmode=verify-full options='-c search_path=sales'"),
        (ExportFormat::Jdbc, "jdbc:postgresql://db.example.com:5432/orders?user=app&sslmode=verify-full&currentSchema=sales"),
        (ExportFormat::Shell, "psql 'postgresql://app@db.example.com:5432/orders?sslmode=verify-full&options=-c%20search_path%3Dsales'"),
        (ExportFormat::Env, "DATABASE_URL=postgresql://app@db.example.com:5432/orders?sslmode=verify-full&options=-c%20search_path%3Dsales"),
    ];
    for (format, want) in cases {
        let e = out(&f, format, None);
        assert_eq!(e.text, want);
        assert!(e
            .warnings
            .iter()
            .any(|w| w.contains("password is not included")));
        assert_eq!(out(&f, format, None), e, "deterministic");
    }
    let with = out(&f, ExportFormat::Url, Some("p@ss word"));
    assert!(
        with.text.starts_with("postgresql://app:p%40ss%20word@"),
        "{}",
        with.text
    );
}

#[test]
fn sql_server_exports_in_ado_jdbc_url_and_sqlcmd_words() {
    let mut f = ConnectionFields::blank(Engine::SqlServer, "s");
    f.host = "sql.example.com".into();
    f.database = "Sales".into();
    f.username = "app".into();
    f.tls.mode = TlsMode::Require;
    assert_eq!(
        out(&f, ExportFormat::Ado, Some("a;b")).text,
        "Server=tcp:sql.example.com,1433;Initial Catalog=Sales;User ID=app;Password=\"a;b\";Encrypt=True;TrustServerCertificate=True"
    );
    assert_eq!(
        out(&f, ExportFormat::Jdbc, None).text,
        "jdbc:sqlserver://sql.example.com:1433;databaseName=Sales;user=app;encrypt=true;trustServerCertificate=true"
    );
    assert_eq!(
        out(&f, ExportFormat::Shell, None).text,
        "sqlcmd -S tcp:sql.example.com,1433 -d Sales -U app -N true -C"
    );
    f.tls.mode = TlsMode::VerifyCa;
    let e = out(&f, ExportFormat::Ado, None);
    assert!(e.text.contains("TrustServerCertificate=False"));
    assert!(e.warnings.iter().any(|w| w.contains("stricter")));
}

#[test]
fn formats_an_engine_cannot_take_are_refused_with_the_list_it_can() {
    let f = ConnectionFields::blank(Engine::Mongodb, "m");
    let e = export(&f, &ExportContext::default(), ExportFormat::Ado).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ExportNotPossible);
    assert!(e.hint().contains("url, shell, env"), "{}", e.hint());
}

#[test]
fn review_found_misreadings_are_fixed() {
    // sqlcmd with a non-ASCII flag: an error, not a panic.
    assert!(import("sqlcmd -é x").is_err());
    // ADO.NET with a parenthesised server is not a TNS entry.
    let p = imp("Server=(local);Database=db;User Id=sa;Password=x;Encrypt=True");
    assert_eq!(p.kind, SourceKind::AdoNet);
    assert_eq!(p.imported.fields.host, "localhost");
    // mysql --ssl=0 turns TLS off.
    assert_eq!(
        imp("mysql --host=h --ssl=0 db").imported.fields.tls.mode,
        TlsMode::Disable
    );
    // Connector/J: requireSSL alone means useSSL (its default is true).
    assert_eq!(
        imp("jdbc:mysql://h/db?requireSSL=true")
            .imported
            .fields
            .tls
            .mode,
        TlsMode::Require
    );
    assert_eq!(
        imp("jdbc:mysql://h/db?verifyServerCertificate=true")
            .imported
            .fields
            .tls
            .mode,
        TlsMode::VerifyCa
    );
    // libpq verifies the chain for require + sslrootcert: imported as verify-ca, said so.
    let p = imp("postgresql://u@h/d?sslmode=require&sslrootcert=/etc/ca.pem");
    assert_eq!(p.imported.fields.tls.mode, TlsMode::VerifyCa);
    assert!(p.imported.warnings.iter().any(|w| w.contains("verify-ca")));
    // A repeated ADO.NET key: the last value wins.
    let p = imp("Server=a;Database=one;Database=two");
    assert_eq!(p.imported.fields.database, "two");
}

#[test]
fn mongosh_password_flags_with_equals_are_read_and_never_echoed() {
    let p =
        imp("mongosh mongodb://h/db --password=S3cretValue --username=me --frobnicate=S3cretToo");
    assert_eq!(pw(&p), Some("S3cretValue"));
    assert_eq!(p.imported.fields.username, "me");
    let w = p.imported.warnings.join("\n");
    assert!(w.contains("--frobnicate") && !w.contains("S3cret"), "{w}");
}

#[test]
fn a_bad_host_list_entry_is_not_quoted_back() {
    for s in [
        "mongodb://u@[S3cretHost,h2/db",
        "mongodb://u@h1,[::1]S3cret/db",
        "mongodb://u@h1,,S3cret/db",
    ] {
        let e = import(s).unwrap_err().to_string();
        assert!(!e.contains("S3cret"), "{s}: {e}");
    }
}

// ---------- imports the drivers' own parsers read differently (issue 11) ----------

fn tls_of(s: &str) -> TlsMode {
    imp(s).imported.fields.tls.mode
}

#[test]
fn a_mongodb_tls_file_option_alone_turns_tls_on_as_the_drivers_do() {
    assert_eq!(
        tls_of("mongodb://h/db?tlsCAFile=/etc/ca.pem"),
        TlsMode::VerifyFull
    );
    assert_eq!(
        tls_of("mongodb://h/db?tlsCertificateKeyFile=/etc/me.pem"),
        TlsMode::VerifyFull
    );
    assert!(import("mongodb://h/db?tls=false&tlsCAFile=/etc/ca.pem").is_err());
    // A false allow-invalid option still says TLS is wanted (both drivers read it so).
    assert_eq!(
        tls_of("mongodb://h/db?tlsAllowInvalidCertificates=false"),
        TlsMode::VerifyFull
    );
}

#[test]
fn mongodb_tls_and_ssl_that_disagree_are_refused_not_read_as_off() {
    for s in [
        "mongodb://h/db?tls=true&ssl=false",
        "mongodb://h/db?ssl=false&tls=true",
    ] {
        let e = import(s).unwrap_err();
        assert!(e.to_string().contains("tls and ssl"), "{s}: {e}");
    }
    assert_eq!(
        tls_of("mongodb://h/db?tls=true&ssl=true"),
        TlsMode::VerifyFull
    );
}

#[test]
fn mongodb_options_separated_by_semicolons_are_each_read() {
    let p = imp("mongodb://h/db?replicaSet=rs0;tls=true;authSource=admin");
    assert_eq!(opt_text(&p, "replica_set"), Some("rs0"));
    assert_eq!(opt_text(&p, "auth_source"), Some("admin"));
    assert_eq!(p.imported.fields.tls.mode, TlsMode::VerifyFull);
    assert!(import("mongodb://h/db?replicaSet=rs0;tls=true&authSource=admin").is_err());
}

#[test]
fn mongodb_database_names_the_server_cannot_have_are_refused() {
    for s in [
        "mongodb://h/my%20db",
        "mongodb://h/d$b",
        "mongodb://h/d%22b",
        "mongodb://h//db",
    ] {
        assert!(import(s).is_err(), "{s}");
    }
    // db.collection is the drivers' old form: the database is kept, the collection said.
    let p = imp("mongodb://h/shop.orders");
    assert_eq!(p.imported.fields.database, "shop");
    assert!(p.imported.warnings.iter().any(|w| w.contains("collection")));
}

#[test]
fn mongodb_flags_are_only_the_words_true_and_false() {
    for v in ["yes", "1", "TRUE", ""] {
        assert!(import(&format!("mongodb://h/db?tls={v}")).is_err(), "{v}");
    }
    assert!(
        import("mongodb://h/db?tls=true&tlsInsecure=true&tlsAllowInvalidCertificates=true")
            .is_err()
    );
}

#[test]
fn a_bare_ssl_in_a_pgjdbc_url_asks_for_tls_as_pgjdbc_does() {
    assert_eq!(tls_of("jdbc:postgresql://h/db?ssl"), TlsMode::VerifyFull);
    assert_eq!(tls_of("jdbc:postgresql://h/db?ssl="), TlsMode::VerifyFull);
    assert_eq!(
        tls_of("jdbc:postgresql://h/db?ssl=TRUE"),
        TlsMode::VerifyFull
    );
    // Only true turns it on; ssl=false leaves pgjdbc's default, prefer, and says so.
    let p = imp("jdbc:postgresql://h/db?ssl=false");
    assert_eq!(p.imported.fields.tls.mode, TlsMode::Prefer);
    assert!(p
        .imported
        .warnings
        .iter()
        .any(|w| w.contains("sslmode=disable")));
}

#[test]
fn pgjdbc_sslmode_values_are_read_in_any_case() {
    assert_eq!(
        tls_of("jdbc:postgresql://h/db?sslmode=VERIFY-FULL"),
        TlsMode::VerifyFull
    );
    assert_eq!(
        tls_of("jdbc:postgresql://h/db?sslmode=Require"),
        TlsMode::Require
    );
    assert!(import("jdbc:postgresql://h/db?sslmode=").is_err());
}

#[test]
fn pgjdbc_urls_the_driver_cannot_read_are_refused_and_plus_is_a_space() {
    for s in [
        "jdbc:postgresql://h",
        "jdbc:postgresql:/db",
        "jdbc:postgresql://h/db/x",
    ] {
        assert!(import(s).is_err(), "{s}");
    }
    let p = imp("jdbc:postgresql://h/a+b?user=c+d");
    assert_eq!(p.imported.fields.database, "a b");
    assert_eq!(p.imported.fields.username, "c d");
    assert_eq!(imp("jdbc:postgresql://").imported.fields.host, "localhost");
}

#[test]
fn mariadb_address_hosts_are_read() {
    let p = imp("jdbc:mariadb://address=(host=db1.example.com)(port=3307)(type=master),address=(host=db2)(port=3308)/shop?useSsl=true");
    let f = &p.imported.fields;
    assert_eq!(
        (f.host.as_str(), f.port, f.database.as_str()),
        ("db1.example.com", 3307, "shop")
    );
    assert!(p.imported.warnings.iter().any(|w| w.contains("2 hosts")));
    let p = imp("jdbc:mariadb://address=(port=3309)(host=[::1])/db");
    assert_eq!(
        (p.imported.fields.host.as_str(), p.imported.fields.port),
        ("::1", 3309)
    );
    for s in [
        "jdbc:mariadb://address=(host=h)(port=x)/db",
        "jdbc:mariadb://address=(port=3306)/db",
        "jdbc:mariadb://address=host=h/db",
    ] {
        assert!(import(s).is_err(), "{s}");
    }
}

#[test]
fn mariadb_unknown_modes_and_unreadable_flags_are_refused() {
    for s in [
        "jdbc:mariadb:foo://h/db",
        "jdbc:mariadb:://h/db",
        "jdbc:mariadb://h/db?useSsl=yes",
        "jdbc:mariadb://h/db?useSsl=true&trustServerCertificate=maybe",
        "jdbc:mariadb://h/db?useSsl=true&disableSslHostnameVerification=on",
        "jdbc:mysql:foo://h/db",
    ] {
        assert!(import(s).is_err(), "{s}");
    }
    let p = imp("jdbc:mariadb:replication://h1,h2/db");
    assert_eq!(p.imported.fields.host, "h1");
    assert!(p
        .imported
        .warnings
        .iter()
        .any(|w| w.contains("replication")));
}

#[test]
fn mariadb_urls_get_mariadbs_tls_default_not_mysqls() {
    let p = imp("jdbc:mariadb://h/db");
    assert_eq!(p.imported.fields.tls.mode, TlsMode::Disable);
    assert!(p.imported.warnings.iter().any(|w| w.contains("no TLS")));
    // trustServerCertificate alone does not turn TLS on in MariaDB Connector/J.
    assert_eq!(
        tls_of("jdbc:mariadb://h/db?trustServerCertificate=true"),
        TlsMode::Disable
    );
    assert_eq!(tls_of("jdbc:mariadb://h/db?useSsl"), TlsMode::VerifyFull);
    assert_eq!(tls_of("jdbc:mariadb://h/db?useSSL=1"), TlsMode::VerifyFull);
    // MySQL's Connector/J still prefers TLS by default.
    assert_eq!(tls_of("jdbc:mysql://h/db"), TlsMode::Prefer);
}

#[test]
fn mariadb_disable_ssl_hostname_verification_gives_verify_ca() {
    assert_eq!(
        tls_of("jdbc:mariadb://h/db?useSsl=true&disableSslHostnameVerification=true"),
        TlsMode::VerifyCa
    );
    assert_eq!(
        tls_of("jdbc:mariadb://h/db?useSsl=true&disableSslHostnameVerification=true&trustServerCertificate=true"),
        TlsMode::Require
    );
}

#[test]
fn mariadb_values_are_read_as_written_and_no_user_before_the_host() {
    let p = imp("jdbc:mariadb://h/d%20b?user=%41&password=p%zz");
    assert_eq!(p.imported.fields.database, "d%20b");
    assert_eq!(p.imported.fields.username, "%41");
    assert_eq!(pw(&p), Some("p%zz"));
    assert!(import("jdbc:mariadb://u:p@h/db").is_err());
    // Connector/J (MySQL) reads user:password@host.
    let p = imp("jdbc:mysql://u:p%40@h/db");
    assert_eq!(
        (p.imported.fields.username.as_str(), pw(&p)),
        ("u", Some("p@"))
    );
}

#[test]
fn unimported_server_settings_in_options_are_named_not_counted() {
    let p =
        import("postgresql://u@h/d?options=-c%20search_path%3Dapp%20-c%20statement_timeout%3D5s")
            .unwrap();
    let w = p.imported.warnings.join("\n");
    assert!(
        w.contains("1 server setting besides search_path is not imported: statement_timeout"),
        "{w}"
    );
    assert!(!w.contains("5s"), "names, not values: {w}");
}
