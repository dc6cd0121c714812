//! The small things, in the real window: the first run offers the three ways in; the
//! cursor goes where the user will type; Enter on a connection string in Host reads it
//! instead of saving; a pasted string's password shows as held; at the minimum window
//! size nothing overlaps or scrolls sideways; status and environment look different; and
//! "Test all" says how it ended, shows each failure's reason and filters to failures.

use std::time::Duration;

use fantoccini::{Client, Locator};
use switchboard_core::model::{
    ConnectionFields, Engine, Environment, NewConnection, PasswordSave, TlsMode,
};
use switchboard_core::Switchboard;
use switchboard_tests::window::*;
use switchboard_tests::{data_dir, require_keyring_session, test_root};

fn item(name: &str) -> String {
    format!("[data-testid=connection-item][data-name={name}]")
}

async fn click(c: &Client, css: &str) {
    wait_for(c, css).await.click().await.unwrap();
}

/// The id of the element that has the keyboard focus.
async fn focused(c: &Client) -> String {
    let id = c
        .execute(
            "return document.activeElement ? document.activeElement.id : '';",
            vec![],
        )
        .await
        .unwrap();
    id.as_str().unwrap_or_default().to_owned()
}

/// `[left, top, right, bottom]` of the first element matching `css`.
async fn rect(c: &Client, css: &str) -> [f64; 4] {
    let r = c
        .execute(
            "const r = document.querySelector(arguments[0]).getBoundingClientRect();\
             return [r.left, r.top, r.right, r.bottom];",
            vec![css.into()],
        )
        .await
        .unwrap();
    let v: Vec<f64> = serde_json::from_value(r).unwrap();
    [v[0], v[1], v[2], v[3]]
}

fn overlap(a: [f64; 4], b: [f64; 4]) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

async fn number(c: &Client, script: &str) -> f64 {
    c.execute(script, vec![]).await.unwrap().as_f64().unwrap()
}

fn start() {
    require_keyring_session();
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "needs an X display (the test command runs Xvfb)"
    );
}

#[tokio::test]
async fn the_first_run_offers_three_ways_in_and_the_cursor_goes_where_the_user_types() {
    start();
    let _one_window = WINDOW.lock().await;
    let data = data_dir("ui-first-run");
    let (_driver, c) = open_window(&data).await;
    let outcome = async {
        let first = wait_for(&c, "[data-testid=first-run]")
            .await
            .text()
            .await
            .unwrap();
        assert!(first.contains("OS keychain"), "{first}");
        for way in ["first-new", "first-paste", "first-import"] {
            wait_for(&c, &format!("[data-testid={way}]")).await;
        }
        let list = c
            .find(Locator::Css("aside .none"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(list, "No connections yet.");
        painted(&c).await;
        std::fs::write(
            test_root().join("ui-e2e-first-run.png"),
            c.screenshot().await.unwrap(),
        )
        .unwrap();

        // "Paste a connection string": the cursor is in the paste box.
        click(&c, "[data-testid=first-paste]").await;
        wait_for(&c, "[data-testid=import-text]").await;
        assert_eq!(focused(&c).await, "import-text");
        c.find(Locator::Css("[data-testid=import-text]"))
            .await
            .unwrap()
            .send_keys("postgresql://app:held-Secret-1@db.example.com:5432/orders")
            .await
            .unwrap();
        click(&c, "[data-testid=import-apply]").await;
        // The password is held by the backend, and the field says so instead of looking empty.
        let field = wait_for(&c, "[data-testid=password][data-held=pasted]").await;
        let placeholder = field.attr("placeholder").await.unwrap().unwrap_or_default();
        assert!(
            placeholder.contains("from the pasted string"),
            "{placeholder}"
        );
        assert_eq!(field.prop("value").await.unwrap().unwrap_or_default(), "");

        // New (after discarding the pasted form): the cursor is in Name.
        click(&c, "[data-testid=new-connection]").await;
        click(&c, "[data-testid=unsaved-discard]").await;
        value_when(&c, "[name=host]", str::is_empty).await;
        assert_eq!(focused(&c).await, "f-name");

        // Enter on a connection string in Host reads it into the form; nothing is saved.
        let host = c.find(Locator::Css("[name=host]")).await.unwrap();
        host.send_keys("postgresql://u@h2.example.com:5433/db")
            .await
            .unwrap();
        host.send_keys(&char::from(fantoccini::key::Key::Enter).to_string())
            .await
            .unwrap();
        value_when(&c, "[name=host]", |v| v == "h2.example.com").await;
        value_when(&c, "[name=port]", |v| v == "5433").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let sb = Switchboard::open(&data).await.unwrap();
        assert!(sb.list().await.unwrap().is_empty(), "Enter saved the form");
    }
    .await;
    c.close().await.ok();
    outcome
}

#[tokio::test]
async fn at_the_minimum_size_nothing_overlaps_and_test_all_summarises_shows_reasons_and_filters() {
    start();
    let _one_window = WINDOW.lock().await;
    let data = data_dir("ui-small");
    let long_host = "replica-0042.eu-central-1.internal.payments.example.corp";
    {
        let sb = Switchboard::open(&data).await.unwrap();
        let mut local = ConnectionFields::postgres("local-file", "", 0, "", "");
        local.engine = Engine::Sqlite;
        local.database = data.join("switchboard.db").display().to_string();
        local.tls.mode = TlsMode::Disable;
        local.password_save = PasswordSave::None;
        let mut down = ConnectionFields::postgres("prod-down", "127.0.0.1", 1, "app", "app");
        down.environment = Some(Environment::Production);
        down.password_save = PasswordSave::None;
        let mut far = ConnectionFields::postgres("far-away", long_host, 1, "app", "app");
        far.password_save = PasswordSave::None;
        far.timeout_secs = 1;
        for fields in [local, down, far] {
            sb.create(NewConnection {
                ssh_secrets: Default::default(),
                fields,
                password: None,
                client_key: None,
            })
            .await
            .unwrap();
        }
        sb.store().pool().close().await;
    }
    let (_driver, c) = open_window(&data).await;
    let outcome = async {
        c.set_window_size(760, 520).await.unwrap();
        wait_for(&c, &item("far-away")).await;
        painted(&c).await;
        assert!(number(&c, "return window.innerWidth;").await <= 770.0);

        // The title and the buttons beside it do not overlap; the list never scrolls sideways,
        // and a long host is cut with an ellipsis, whole on hover.
        let brand = rect(&c, "aside .brand").await;
        for button in ["new-connection", "import-batch"] {
            let b = rect(&c, &format!("[data-testid={button}]")).await;
            assert!(
                !overlap(brand, b),
                "{button} overlaps the title: {brand:?} {b:?}"
            );
        }
        let sideways = number(
            &c,
            "const u = document.querySelector('aside ul'); return u.scrollWidth - u.clientWidth;",
        )
        .await;
        assert!(sideways <= 0.0, "the list scrolls sideways by {sideways}px");
        let cut = format!("{} .where", item("far-away"));
        let hidden = number(
            &c,
            &format!(
                "const w = document.querySelector('{cut}'); return w.scrollWidth - w.clientWidth;"
            ),
        )
        .await;
        assert!(hidden > 0.0, "the long host is not cut");
        let title = c
            .find(Locator::Css(&cut))
            .await
            .unwrap()
            .attr("title")
            .await
            .unwrap()
            .unwrap_or_default();
        assert!(title.contains(long_host), "{title}");

        // The sidebar is resizable from the keyboard (and by dragging the same handle).
        let before = rect(&c, "aside").await;
        c.find(Locator::Css("[data-testid=splitter]"))
            .await
            .unwrap()
            .send_keys(&char::from(fantoccini::key::Key::Right).to_string())
            .await
            .unwrap();
        let after = rect(&c, "aside").await;
        assert_eq!(after[2] - before[2], 16.0, "{before:?} → {after:?}");

        // Test all: one passes, two fail; the summary, each reason on its row, failures only.
        click(&c, "[data-testid=test-all]").await;
        let summary = value_text_when(&c, "[data-testid=test-all-summary]", |t| {
            t.contains("passed")
        })
        .await;
        assert!(
            summary.contains("1 passed") && summary.contains("2 failed"),
            "{summary}"
        );
        let reason_css = format!("{} [data-testid=fail-reason]", item("prod-down"));
        wait_for(&c, &reason_css).await;
        let reason = shown_text(&c, &reason_css)
            .await
            .expect("the reason is on screen");
        assert!(!reason.trim().is_empty());
        // A failed test is a ✕ beside the name; production is a stripe along the row.
        let mark = shown_text(
            &c,
            &format!(
                "{} [data-testid=status-dot][data-status=failed]",
                item("prod-down")
            ),
        )
        .await;
        assert!(mark.is_some_and(|m| m.contains('✕')));
        let stripe = c
            .execute(
                "const s = document.querySelector(arguments[0]); const st = getComputedStyle(s);\
                 return [st.width, st.backgroundColor];",
                vec![format!("{} .stripe.coloured", item("prod-down")).into()],
            )
            .await
            .unwrap();
        assert_eq!(stripe[0], "4px", "{stripe}");
        painted(&c).await;
        std::fs::write(
            test_root().join("ui-e2e-small.png"),
            c.screenshot().await.unwrap(),
        )
        .unwrap();
        click(&c, "[data-testid=failed-only]").await;
        gone(&c, &item("local-file")).await;
        wait_for(&c, &item("prod-down")).await;
        wait_for(&c, &item("far-away")).await;
        click(&c, "[data-testid=failed-only]").await;
        wait_for(&c, &item("local-file")).await;

        // Copy as…: the panel stays inside the window.
        click(&c, &item("prod-down")).await;
        click(&c, "[data-testid=copy-as]").await;
        let panel = rect(&c, "[data-testid=copy-panel]").await;
        assert!(
            panel[0] >= 0.0,
            "the Copy as panel runs off the left edge: {panel:?}"
        );
        painted(&c).await;
        std::fs::write(
            test_root().join("ui-e2e-min-size.png"),
            c.screenshot().await.unwrap(),
        )
        .unwrap();
    }
    .await;
    c.close().await.ok();
    outcome
}
