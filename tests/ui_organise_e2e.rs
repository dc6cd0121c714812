//! Organising connections in the real window (WebDriver under Xvfb, a real SQLite file
//! and the real Secret Service): the folder tree (collapse remembered, a new folder, Move
//! to…, drag and drop onto a folder), multi-select with a change applied to all, Delete
//! with Undo bringing back the row and its keychain password, favourites on top, filter
//! chips, the search's highlight, the certificate-expiry banner and the health board — and
//! axe-core finds no serious accessibility violation in any of those states, light or dark.

use fantoccini::{Client, Locator};
use switchboard_core::model::{ConnectionFields, Environment, NewConnection, TlsMode};
use switchboard_core::store::LastTest;
use switchboard_core::{Secret, Switchboard};
use switchboard_tests::window::*;
use switchboard_tests::{data_dir, require_keyring_session, test_password, test_root};
use uuid::Uuid;

struct Seeded {
    ids: std::collections::HashMap<&'static str, Uuid>,
    password: String,
}

/// Six connections in two folders, one with a password in the keychain, one whose last
/// test saw a certificate that expires in 12 days.
async fn seed(data: &std::path::Path) -> Seeded {
    let sb = Switchboard::open(data).await.unwrap();
    let password = test_password("organise-ui");
    let mut ids = std::collections::HashMap::new();
    for (name, folder, tls) in [
        ("billing-1", "Payments/EU", TlsMode::VerifyFull),
        ("billing-2", "Payments/EU", TlsMode::VerifyFull),
        ("billing-10", "Payments/EU", TlsMode::Require),
        ("ledger", "Payments", TlsMode::VerifyFull),
        ("orders", "", TlsMode::Prefer),
        ("search-db", "", TlsMode::VerifyFull),
    ] {
        let mut f = ConnectionFields::postgres(name, &format!("{name}.db.test"), 5432, "d", "u");
        f.folder = folder.into();
        f.tls.mode = tls;
        // Every environment's pill is on screen for the contrast checks, light and dark.
        f.environment = Some(match name {
            "billing-1" => Environment::Local,
            "billing-2" => Environment::Development,
            "billing-10" => Environment::Staging,
            _ => Environment::Production,
        });
        if name == "search-db" {
            f.metadata
                .insert("owner".into(), serde_json::json!("team-kestrel"));
        }
        let c = sb
            .create(NewConnection {
                password: (name == "ledger").then(|| Secret::new(password.clone())),
                fields: f,
                client_key: None,
                ssh_secrets: Default::default(),
            })
            .await
            .unwrap();
        ids.insert(name, c.id);
    }
    let soon = time::OffsetDateTime::now_utc() + time::Duration::days(12);
    let soon = soon
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    sb.store()
        .record_test(
            ids["billing-2"],
            &LastTest {
                connection_id: ids["billing-2"],
                ok: true,
                code: None,
                step: None,
                message: None,
                total_ms: 31.0,
                tested_at: "2026-12-01T09:00:00Z".into(),
                tls_version: Some("TLSv1.3".into()),
                tls_verified: Some(true),
                cert_not_after: Some(soon),
                server_version: Some("PostgreSQL 17.2".into()),
            },
        )
        .await
        .unwrap();
    Seeded { ids, password }
}

/// The names of the connection rows, top to bottom, with the folder rows as `[path]`.
async fn lines(c: &Client) -> Vec<String> {
    let v = c
        .execute(
            "return [...document.querySelectorAll('[data-testid=connection-item], [data-testid=folder-row]')]\
               .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)\
               .map((e) => e.dataset.path !== undefined ? `[${e.dataset.path}]` : e.dataset.name);",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(v).unwrap()
}

async fn lines_when(c: &Client, ok: impl Fn(&[String]) -> bool) -> Vec<String> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let got = lines(c).await;
        if ok(&got) {
            return got;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the list shows {got:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn click(c: &Client, css: &str) {
    wait_for(c, css).await.click().await.unwrap();
}

/// A click with Ctrl (or Shift) held, as the row's handler sees it.
async fn modified_click(c: &Client, name: &str, modifier: &str) {
    c.execute(
        &format!(
            "document.querySelector(`[data-testid=connection-item][data-name=\"${{arguments[0]}}\"]`)\
               .dispatchEvent(new MouseEvent('click', {{ bubbles: true, {modifier}: true }}));"
        ),
        vec![serde_json::Value::from(name)],
    )
    .await
    .unwrap();
}

async fn folder_of(data: &std::path::Path, id: Uuid) -> String {
    let sb = Switchboard::open(data).await.unwrap();
    sb.get(id).await.unwrap().fields.folder
}

/// Waits until the saved folder of `id` is `want` (the window's change reached the store).
async fn folder_becomes(data: &std::path::Path, id: Uuid, want: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let got = folder_of(data, id).await;
        if got == want {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "folder is {got:?}, not {want:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn folders_selection_undo_favourites_filters_and_the_health_board_work_in_the_window() {
    require_keyring_session();
    let _one_window = WINDOW.lock().await;
    let data = data_dir("ui-organise");
    let seeded = seed(&data).await;
    let ids = &seeded.ids;
    let (_driver, c) = open_window(&data).await;
    let outcome = async {
        // The tree: folders first at each level, then connections in natural order.
        let tree = lines_when(&c, |l| l.len() == 8).await;
        assert_eq!(
            tree,
            [
                "[Payments]",
                "[Payments/EU]",
                "billing-1",
                "billing-2",
                "billing-10",
                "ledger",
                "orders",
                "search-db"
            ]
        );
        accessible(&c, "the tree").await;
        // Dark chosen by the user: the same checks hold (environment pills, text contrast).
        choose_theme(&c, "dark").await;
        accessible(&c, "the tree, dark").await;
        choose_theme(&c, "light").await;

        // Collapsing a folder hides its contents, and the store remembers it.
        click(&c, "[data-testid=folder-row][data-path='Payments/EU'] [data-testid=folder-toggle]").await;
        lines_when(&c, |l| !l.contains(&"billing-1".to_owned())).await;
        let sb = Switchboard::open(&data).await.unwrap();
        let kept = sb.summaries().await.unwrap().folders;
        assert!(kept.iter().any(|f| f.path == "Payments/EU" && f.collapsed), "{kept:?}");
        click(&c, "[data-testid=folder-row][data-path='Payments/EU'] [data-testid=folder-toggle]").await;
        lines_when(&c, |l| l.contains(&"billing-1".to_owned())).await;

        // A new, empty folder.
        click(&c, "[data-testid=new-folder]").await;
        let input = wait_for(&c, "[data-testid=folder-input]").await;
        input.send_keys("Archive").await.unwrap();
        accessible(&c, "the new-folder dialog").await;
        click(&c, "[data-testid=folder-confirm]").await;
        lines_when(&c, |l| l.first().map(String::as_str) == Some("[Archive]")).await;

        // Ctrl-click two rows, Move to… the new folder: both move, in one change.
        modified_click(&c, "orders", "ctrlKey").await;
        modified_click(&c, "search-db", "ctrlKey").await;
        let count = wait_for(&c, "[data-testid=selection-count]").await.text().await.unwrap();
        assert_eq!(count, "2 selected");
        click(&c, "[data-testid=bulk-move]").await;
        wait_for(&c, "[data-testid=folder-input]").await.send_keys("Archive").await.unwrap();
        click(&c, "[data-testid=folder-confirm]").await;
        folder_becomes(&data, ids["orders"], "Archive").await;
        folder_becomes(&data, ids["search-db"], "Archive").await;
        lines_when(&c, |l| l[..3] == ["[Archive]", "orders", "search-db"]).await;
        // Export… writes Switchboard's JSON list of the selection where the user says.
        click(&c, "[data-testid=bulk-export]").await;
        let file = test_root().join(format!("ui-export-{}.json", std::process::id()));
        let path = file.clone();
        tokio::task::spawn_blocking(move || save_in_dialog("Export connections", &path))
            .await
            .unwrap();
        let note = wait_for(&c, "[data-testid=export-note]").await.text().await.unwrap();
        assert!(note.starts_with("Exported 2 connections to "), "{note}");
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let exported: Vec<(&str, &str)> = doc["connections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["name"].as_str().unwrap(), c["folder"].as_str().unwrap()))
            .collect();
        assert_eq!(exported, [("orders", "Archive"), ("search-db", "Archive")]);
        click(&c, "[data-testid=clear-selection]").await;

        // Drag and drop: ledger dropped onto Archive.
        c.execute(
            "const row = document.querySelector('[data-testid=connection-item][data-name=ledger]');\
             const target = document.querySelector('[data-testid=folder-row][data-path=Archive]');\
             const dt = new DataTransfer();\
             row.dispatchEvent(new DragEvent('dragstart', { bubbles: true, dataTransfer: dt }));\
             target.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: dt }));\
             target.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));",
            vec![],
        )
        .await
        .unwrap();
        folder_becomes(&data, ids["ledger"], "Archive").await;
        // The list shows the move before a row is clicked: a click aimed at ledger's old
        // place would land on the row that took it (billing-10).
        lines_when(&c, |l| l[..2] == ["[Archive]", "ledger"]).await;

        // Delete from the keyboard, then Undo: the row and its keychain password are back.
        let ledger = wait_for(&c, "[data-testid=connection-item][data-name=ledger]").await;
        ledger.click().await.unwrap();
        value_when(&c, "[name=name]", |v| v == "ledger").await;
        let ledger = wait_for(&c, "[data-testid=connection-item][data-name=ledger]").await;
        ledger.send_keys("\u{E017}").await.unwrap();
        wait_for(&c, "[data-testid=delete-dialog]").await;
        accessible(&c, "the delete dialog").await;
        click(&c, "[data-testid=delete-confirm]").await;
        wait_for(&c, "[data-testid=undo-toast]").await;
        lines_when(&c, |l| !l.contains(&"ledger".to_owned())).await;
        assert!(Switchboard::open(&data).await.unwrap().get(ids["ledger"]).await.is_err());
        // The next row opened in its place.
        value_when(&c, "[name=name]", |v| v != "ledger" && !v.is_empty()).await;
        click(&c, "[data-testid=undo-delete]").await;
        lines_when(&c, |l| l.contains(&"ledger".to_owned())).await;
        let back = Switchboard::open(&data).await.unwrap();
        assert_eq!(back.reveal_password(ids["ledger"]).await.unwrap().expose(), seeded.password);
        gone(&c, "[data-testid=undo-toast]").await;

        // Quick open with nothing typed starts with the connection opened last.
        let open_now = value_when(&c, "[name=name]", |v| !v.is_empty()).await;
        c.active_element()
            .await
            .unwrap()
            .send_keys("\u{E009}k\u{E000}")
            .await
            .unwrap();
        let first = wait_for(&c, "[data-testid=quick-open-result]").await;
        assert_eq!(first.attr("data-name").await.unwrap(), Some(open_now));
        assert!(c
            .find(Locator::Css("[data-testid=quick-open-result] [data-testid=quick-open-recent]"))
            .await
            .is_ok());
        wait_for(&c, "[data-testid=quick-open-input]")
            .await
            .send_keys("\u{E00C}")
            .await
            .unwrap();
        gone(&c, "[data-testid=quick-open]").await;

        // A favourite is pinned on top.
        c.execute(
            "document.querySelector('[data-testid=connection-item][data-name=billing-10]')\
               .closest('li').querySelector('[data-testid=favourite]').click();",
            vec![],
        )
        .await
        .unwrap();
        wait_for(&c, "[data-testid=list-section][data-section='s:fav']").await;
        lines_when(&c, |l| l.first().map(String::as_str) == Some("billing-10")).await;

        // Chips: TLS below verify-full shows the two connections that do not verify fully.
        click(&c, "[data-testid=filters-toggle]").await;
        click(&c, "[data-testid=chip-weak-tls]").await;
        let weak = lines_when(&c, |l| l.len() == 2).await;
        assert_eq!(weak, ["billing-10", "orders"]);
        let toggle = wait_for(&c, "[data-testid=filters-toggle]").await.text().await.unwrap();
        assert_eq!(toggle, "Filters (1)");
        click(&c, "[data-testid=chips-clear]").await;

        // Search reaches metadata, and marks the match in the row.
        let search = wait_for(&c, "[data-testid=search]").await;
        search.send_keys("kestrel").await.unwrap();
        lines_when(&c, |l| l == ["search-db"]).await;
        search.send_keys("\u{E009}a\u{E009}\u{E003}").await.unwrap();
        search.send_keys("ledg").await.unwrap();
        let marked = wait_for(&c, "[data-testid=connection-item] mark").await.text().await.unwrap();
        assert_eq!(marked, "ledg");
        accessible(&c, "a search with a highlight").await;
        search.send_keys("\u{E009}a\u{E009}\u{E003}").await.unwrap();

        // The expiring certificate is said in the list; the board opens sorted by expiry.
        let banner = wait_for(&c, "[data-testid=cert-expiry-banner]").await;
        assert_eq!(banner.text().await.unwrap(), "1 certificate expires within 30 days");
        banner.click().await.unwrap();
        let first = wait_for(&c, "[data-testid=health-row]").await;
        assert_eq!(first.attr("data-id").await.unwrap(), Some(ids["billing-2"].to_string()));
        painted(&c).await;
        std::fs::write(test_root().join("ui-health-board.png"), c.screenshot().await.unwrap()).unwrap();
        // textContent: WebKit's driver leaves an ellipsised cell out of an element's text.
        let row = first.prop("textContent").await.unwrap().unwrap_or_default();
        for part in ["billing-2", "TLSv1.3", "yes", "31 ms", "PostgreSQL 17.2"] {
            assert!(row.contains(part), "{part} not in {row:?}");
        }
        let expiry = c
            .find(Locator::Css("[data-testid=health-row] [data-col=expiry]"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(expiry == "in 11 d" || expiry == "in 12 d", "{expiry}");
        accessible(&c, "the health board").await;
        click(&c, "[data-testid=health-close]").await;
        painted(&c).await;
        std::fs::write(test_root().join("ui-folders.png"), c.screenshot().await.unwrap()).unwrap();
    }
    .await;
    c.close().await.ok();
    outcome
}

#[tokio::test]
async fn the_window_reopens_at_its_size_and_position_with_the_last_connection_open_and_the_chosen_theme(
) {
    require_keyring_session();
    let _one_window = WINDOW.lock().await;
    let data = data_dir("ui-window-state");
    seed(&data).await;
    let rect = {
        let (driver, c) = open_window(&data).await;
        let outcome = async {
            wait_for(&c, "[data-testid=connection-item][data-name=orders]")
                .await
                .click()
                .await
                .unwrap();
            value_when(&c, "[name=name]", |v| v == "orders").await;
            choose_theme(&c, "dark").await;
            c.set_window_rect(60, 50, 980, 640).await.unwrap();
            let rect = c.get_window_rect().await.unwrap();
            // Written once the window has been still for a moment.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while !data.join("window.json").exists() {
                assert!(
                    std::time::Instant::now() < deadline,
                    "window.json was not written"
                );
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            tokio::time::sleep(std::time::Duration::from_millis(800)).await;
            rect
        }
        .await;
        c.close().await.ok();
        drop(driver);
        outcome
    };
    let (_driver, c) = open_window(&data).await;
    let outcome = async {
        // The connection open last is open again, and the window has its size and place.
        value_when(&c, "[name=name]", |v| v == "orders").await;
        // The chosen theme too, over whatever the system says.
        wait_for(&c, "html[data-theme=dark]").await;
        value_when(&c, "[data-testid=theme]", |v| v == "dark").await;
        let again = c.get_window_rect().await.unwrap();
        assert_eq!(
            (again.2, again.3),
            (rect.2, rect.3),
            "size: {again:?} vs {rect:?}"
        );
        assert!(
            again.0.abs_diff(rect.0) <= 2 && again.1.abs_diff(rect.1) <= 2,
            "position: {again:?} vs {rect:?}"
        );
    }
    .await;
    c.close().await.ok();
    outcome
}
