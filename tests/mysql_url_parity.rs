//! Switchboard reads `mysql://` URLs itself (the model crate builds no driver); this is the
//! proof that it reads them as sqlx, the driver its MySQL test runs on, does: the same
//! URLs accepted and refused, and the same host, port, user, database and ssl-mode.
//! Deliberate differences are left out of the generator and named here: a port of 0 (we
//! refuse it, sqlx keeps it) and `socket=` (we put the path in the host field).

use std::str::FromStr;

use proptest::prelude::*;
use sqlx::mysql::{MySqlConnectOptions, MySqlSslMode};
use switchboard_core::connstr::import;
use switchboard_core::model::TlsMode;

fn part() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-z][a-z0-9_]{0,8}",
        // Encoded specials, non-ASCII, and bytes that do not decode to UTF-8.
        prop::collection::vec(
            prop_oneof![
                Just("%40".to_owned()),
                Just("%3A".to_owned()),
                Just("%2F".to_owned()),
                Just("%C3%A9".to_owned()),
                Just("%FF".to_owned()),
                Just("%".to_owned()),
                "[a-z0-9]{1,3}",
            ],
            1..4
        )
        .prop_map(|v| v.concat()),
    ]
}

fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("localhost".to_owned()),
        "[a-z]{1,6}(\\.[a-z]{2,4}){0,2}",
        Just("[::1]".to_owned()),
        Just("[2001:db8::7]".to_owned()),
        Just("127.0.0.1".to_owned()),
    ]
}

fn query() -> impl Strategy<Value = Vec<String>> {
    let word = prop_oneof![
        Just("DISABLED"),
        Just("preferred"),
        Just("Required"),
        Just("VERIFY_CA"),
        Just("verify_identity"),
        Just("VERIFY-IDENTITY"),
        Just("verify_full"),
        Just(""),
    ];
    prop::collection::vec(
        prop_oneof![
            (prop_oneof![Just("ssl-mode"), Just("sslmode")], word)
                .prop_map(|(k, w)| format!("{k}={w}")),
            prop_oneof![Just("64"), Just("x"), Just("")]
                .prop_map(|n| format!("statement-cache-capacity={n}")),
            Just("charset=utf8mb4".to_owned()),
            Just("ssl-ca=%2Fetc%2Fca.pem".to_owned()),
            Just("frobnicate=1".to_owned()),
        ],
        0..3,
    )
}

fn mode(m: MySqlSslMode) -> TlsMode {
    match m {
        MySqlSslMode::Disabled => TlsMode::Disable,
        MySqlSslMode::Preferred => TlsMode::Prefer,
        MySqlSslMode::Required => TlsMode::Require,
        MySqlSslMode::VerifyCa => TlsMode::VerifyCa,
        MySqlSslMode::VerifyIdentity => TlsMode::VerifyFull,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn mysql_urls_are_read_as_sqlx_reads_them(
        scheme in prop_oneof![Just("mysql"), Just("mariadb")],
        user in part(),
        password in prop::option::of(part()),
        host in host(),
        port in prop::option::of(1u16..=65535),
        db in part(),
        q in query(),
    ) {
        let auth = match (&*user, &password) {
            ("", None) => String::new(),
            (u, None) => format!("{u}@"),
            (u, Some(p)) => format!("{u}:{p}@"),
        };
        let port = port.map(|p| format!(":{p}")).unwrap_or_default();
        let q = if q.is_empty() { String::new() } else { format!("?{}", q.join("&")) };
        let url = format!("{scheme}://{auth}{host}{port}/{db}{q}");
        let ours = import(&url);
        let theirs = MySqlConnectOptions::from_str(&url);
        match (&ours, &theirs) {
            (Ok(p), Ok(o)) => {
                let f = &p.imported.fields;
                prop_assert_eq!(&f.host, o.get_host().trim_matches(['[', ']']), "{}", url);
                prop_assert_eq!(f.port, u32::from(o.get_port()), "{}", url);
                prop_assert_eq!(&f.username, o.get_username(), "{}", url);
                prop_assert_eq!(&*f.database, o.get_database().unwrap_or(""), "{}", url);
                prop_assert_eq!(f.tls.mode, mode(o.get_ssl_mode()), "{}", url);
            }
            (Err(_), Err(_)) => {}
            _ => prop_assert!(false, "{url}: ours {:?}, sqlx {:?}", ours.as_ref().err(), theirs.as_ref().err().map(|e| e.to_string())),
        }
    }
}
