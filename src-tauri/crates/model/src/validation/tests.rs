use super::*;
use crate::model::ConnectionFields;

fn valid() -> ConnectionFields {
    ConnectionFields::postgres("prod-orders", "db.example.com", 5432, "orders", "app")
}

fn codes(f: &ConnectionFields) -> Vec<(ErrorCode, String)> {
    validate(f).into_iter().map(|i| (i.code, i.field)).collect()
}

#[test]
fn a_complete_postgres_form_has_no_issues() {
    assert!(validate(&valid()).is_empty());
}

#[test]
fn a_display_name_is_any_text_of_1_to_100_characters_without_control_characters() {
    let mut f = valid();
    for good in ["billing (prod, EU)", "Склад", "é".repeat(100).as_str(), "a"] {
        f.name = good.into();
        assert!(validate(&f).is_empty(), "{good}");
    }
    f.name = "é".repeat(101);
    assert_eq!(codes(&f), vec![(ErrorCode::NameTooLong, "name".into())]);
    f.name = String::new();
    assert_eq!(codes(&f), vec![(ErrorCode::NameRequired, "name".into())]);
    for bad in ["two\nlines", "tab\there", "nul\0"] {
        f.name = bad.into();
        assert_eq!(
            codes(&f),
            vec![(ErrorCode::NameInvalidChars, "name".into())],
            "{bad:?}"
        );
    }
}

#[test]
fn a_name_is_trimmed_and_compared_by_its_unicode_lower_case() {
    let mut f = valid();
    f.name = "  Склад ".into();
    normalize(&mut f);
    assert_eq!(f.name, "Склад");
    assert_eq!(name_key(" склад "), name_key("СКЛАД"));
    assert_eq!(name_key("Billing (Prod)"), "billing (prod)");
}

#[test]
fn a_handle_is_ascii_slug_characters_64_at_most_and_may_be_left_empty() {
    let mut f = valid();
    for good in ["", "prod-orders", "a.b_c-D", &"a".repeat(64)] {
        f.handle = good.into();
        assert!(validate(&f).is_empty(), "{good}");
    }
    f.handle = "a".repeat(65);
    assert_eq!(codes(&f), vec![(ErrorCode::HandleTooLong, "handle".into())]);
    for bad in ["has space", "склад", "a/b"] {
        f.handle = bad.into();
        assert_eq!(
            codes(&f),
            vec![(ErrorCode::HandleInvalidChars, "handle".into())],
            "{bad}"
        );
    }
}

#[test]
fn a_derived_handle_is_the_name_as_a_lower_case_slug_transliterated() {
    for (name, handle) in [
        ("billing (prod, EU)", "billing-prod-eu"),
        ("Склад", "sklad"),
        ("Café Zürich", "cafe-zurich"),
        ("prod_orders.v2", "prod_orders.v2"),
        ("  --x--  ", "x"),
        ("billing (prod, EU)-copy", "billing-prod-eu-copy"),
        ("***", HANDLE_FALLBACK),
        ("", HANDLE_FALLBACK),
    ] {
        assert_eq!(derive_handle(name), handle, "{name}");
    }
    let long = derive_handle(&format!("{} tail", "a".repeat(63)));
    assert_eq!(
        long,
        "a".repeat(63),
        "cut at 64, then the trailing '-' goes"
    );
    let mut f = valid();
    f.handle = derive_handle("東京 (primary) 🚀");
    assert!(validate(&f).is_empty(), "{}", f.handle);
}

#[test]
fn port_boundaries_0_and_65536_rejected_1_and_65535_accepted() {
    for (port, ok) in [(0, false), (1, true), (65535, true), (65536, false)] {
        let mut f = valid();
        f.port = port;
        assert_eq!(validate(&f).is_empty(), ok, "port {port}");
    }
}

#[test]
fn timeout_and_description_boundaries() {
    for (t, ok) in [(0, false), (1, true), (600, true), (601, false)] {
        let mut f = valid();
        f.timeout_secs = t;
        assert_eq!(validate(&f).is_empty(), ok, "timeout {t}");
    }
    for (n, ok) in [(256, true), (257, false)] {
        let mut f = valid();
        f.description = Some("é".repeat(n));
        assert_eq!(validate(&f).is_empty(), ok, "description {n}");
    }
    let mut f = valid();
    f.host = format!("{}.{}", "a".repeat(63), "b".repeat(63));
    assert!(validate(&f).is_empty());
    f.host = format!("{}.{}", "a".repeat(64), "b");
    assert_eq!(
        codes(&f),
        vec![(ErrorCode::HostInvalid, "host".into())],
        "a 64-character label"
    );
    f.host = [
        "a".repeat(63),
        "b".repeat(63),
        "c".repeat(63),
        "d".repeat(61),
    ]
    .join(".");
    assert_eq!(f.host.len(), 253);
    assert!(validate(&f).is_empty(), "253 characters");
    f.host.push('d');
    assert_eq!(
        codes(&f),
        vec![(ErrorCode::HostInvalid, "host".into())],
        "254 characters"
    );
}

#[test]
fn hosts_with_scheme_path_space_or_bad_ipv6_are_rejected() {
    for bad in ["postgres://x", "db/x", "db x", "[::1", "fe80::zz", "a..b"] {
        let mut f = valid();
        f.host = bad.into();
        assert_eq!(
            codes(&f),
            vec![(ErrorCode::HostInvalid, "host".into())],
            "{bad}"
        );
    }
    for good in ["localhost", "10.0.0.5", "::1", "[::1]", "db-1.internal"] {
        let mut f = valid();
        f.host = good.into();
        assert!(validate(&f).is_empty(), "{good}");
    }
}

#[test]
fn verify_ca_without_a_ca_certificate_is_refused() {
    let mut f = valid();
    f.tls.mode = crate::model::TlsMode::VerifyCa;
    assert_eq!(
        codes(&f),
        vec![(ErrorCode::CaRequired, "tls.ca_pem".into())]
    );
}

#[test]
fn an_oracle_server_dn_at_verify_full_needs_the_ca_certificate() {
    let mut f = valid();
    f.engine = crate::model::Engine::Oracle;
    f.tls.mode = crate::model::TlsMode::VerifyFull;
    assert!(validate(&f).is_empty(), "{:?}", codes(&f));
    f.options.insert(
        "server_dn".into(),
        crate::model::OptionValue::Text("CN=db.example.com".into()),
    );
    assert_eq!(
        codes(&f),
        vec![(ErrorCode::CaRequired, "tls.ca_pem".into())]
    );
    f.tls.mode = crate::model::TlsMode::Require;
    assert!(validate(&f).is_empty(), "the DN only counts at verify-full");
    f.options.insert(
        "server_dn".into(),
        crate::model::OptionValue::Text("CN=unfinished\\".into()),
    );
    assert_eq!(
        codes(&f),
        vec![(ErrorCode::OptionInvalid, "options.server_dn".into())]
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut f = valid();
    f.name = String::new();
    f.host = String::new();
    f.port = 0;
    f.database = " ".into();
    f.username = String::new();
    f.description = Some("x".repeat(257));
    f.tls.ca_pem = Some("not a pem".into());
    f.timeout_secs = 0;
    let got: Vec<ErrorCode> = validate(&f).into_iter().map(|i| i.code).collect();
    assert_eq!(
        got,
        vec![
            ErrorCode::NameRequired,
            ErrorCode::HostRequired,
            ErrorCode::PortOutOfRange,
            ErrorCode::DatabaseRequired,
            ErrorCode::UsernameRequired,
            ErrorCode::CaPemInvalid,
            ErrorCode::DescriptionTooLong,
            ErrorCode::TimeoutOutOfRange,
        ]
    );
}

#[test]
fn metadata_boundaries_key_100_ok_101_not_value_2000_ok_2001_not_50_entries_ok_51_not() {
    let mut f = valid();
    f.metadata.insert("k".repeat(100), "v".repeat(2000).into());
    assert!(validate(&f).is_empty());
    f.metadata.insert("k".repeat(101), "x".into());
    f.metadata.insert("long".into(), "v".repeat(2001).into());
    f.metadata.insert(String::new(), "x".into());
    let got = codes(&f);
    assert!(got.contains(&(
        ErrorCode::MetadataKeyInvalid,
        format!("metadata.{}", "k".repeat(101))
    )));
    assert!(got.contains(&(ErrorCode::MetadataValueTooLong, "metadata.long".into())));
    assert!(got.contains(&(ErrorCode::MetadataKeyInvalid, "metadata.".into())));
    let mut f = valid();
    for i in 0..50 {
        f.metadata.insert(format!("k{i}"), "v".into());
    }
    assert!(validate(&f).is_empty());
    f.metadata.insert("k50".into(), "v".into());
    assert_eq!(
        codes(&f),
        vec![(ErrorCode::MetadataTooMany, "metadata".into())]
    );
}

#[test]
fn nested_metadata_values_are_rejected_with_their_key() {
    let mut f = valid();
    f.metadata
        .insert("team".into(), serde_json::json!({"name": "core"}));
    f.metadata.insert("count".into(), serde_json::json!(3));
    assert_eq!(
        codes(&f),
        vec![
            (ErrorCode::MetadataValueNotText, "metadata.count".into()),
            (ErrorCode::MetadataValueNotText, "metadata.team".into()),
        ]
    );
}

#[test]
fn tags_and_colour_rules() {
    let mut f = valid();
    f.tags = vec![" eu ".into(), "EU".into(), "".into(), "billing".into()];
    f.color = Some(" #A1B2C3 ".into());
    normalize(&mut f);
    assert_eq!(f.tags, vec!["eu", "billing"]);
    assert_eq!(f.color.as_deref(), Some("#a1b2c3"));
    assert!(validate(&f).is_empty());
    f.tags = vec!["a,b".into(), "x".repeat(33), "x".repeat(32)];
    f.color = Some("red".into());
    assert_eq!(
        codes(&f),
        vec![
            (ErrorCode::ColorInvalid, "color".into()),
            (ErrorCode::TagInvalid, "tags.0".into()),
            (ErrorCode::TagInvalid, "tags.1".into()),
        ]
    );
    f.tags = (0..21).map(|i| format!("t{i}")).collect();
    f.color = None;
    assert_eq!(codes(&f), vec![(ErrorCode::TagsTooMany, "tags".into())]);
}

#[test]
fn normalize_strips_ipv6_brackets_and_blank_optionals() {
    let mut f = valid();
    f.host = " [::1] ".into();
    f.description = Some("  ".into());
    normalize(&mut f);
    assert_eq!(f.host, "::1");
    assert_eq!(f.description, None);
}
