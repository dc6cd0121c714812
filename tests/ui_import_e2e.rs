//! First run with another tool's list on the machine, in the real window (WebDriver under
//! Xvfb, a real SQLite file): a DBeaver workspace in the default place of this OS
//! (`$XDG_DATA_HOME/DBeaverData/workspace6`, as DBeaver's `RuntimeUtils.getWorkingDirectory`
//! puts it) is found and offered, previewed with every row (the other engine skipped with
//! its reason), imported, and its folders appear in the list.

use fantoccini::Locator;
use switchboard_tests::window::*;
use switchboard_tests::{data_dir, require_keyring_session, test_root};

fn workspace(xdg: &std::path::Path) {
    let meta = xdg.join("DBeaverData/workspace6/General/.dbeaver");
    std::fs::create_dir_all(&meta).unwrap();
    let conns = serde_json::json!({
        "folders": {"Clients": {}, "Acme": {"parent": "Clients"}, "Production": {"parent": "Clients/Acme"}},
        "connections": {
            "postgres-jdbc-1": {"provider": "postgresql", "driver": "postgres-jdbc", "name": "acme-orders",
                "folder": "Clients/Acme/Production",
                "configuration": {"host": "orders.acme.example", "port": "5432", "database": "orders", "user": "orders_app",
                    "configurationType": "MANUAL", "type": "prod"}},
            "mysql8-1": {"provider": "mysql", "driver": "mysql8", "name": "acme-crm", "folder": "Clients/Acme",
                "configuration": {"host": "crm.acme.example", "port": "3306", "database": "crm", "user": "crm_app",
                    "configurationType": "MANUAL", "type": "dev"}},
            "com_clickhouse-1": {"provider": "clickhouse", "driver": "com_clickhouse", "name": "events",
                "configuration": {"host": "ch.example.com", "configurationType": "MANUAL"}}
        }
    });
    std::fs::write(meta.join("data-sources.json"), conns.to_string()).unwrap();
}

#[tokio::test]
async fn first_run_finds_a_dbeaver_workspace_previews_imports_it_and_its_folders_appear() {
    require_keyring_session();
    let _one = WINDOW.lock().await;
    let data = data_dir("ui-import-dbeaver");
    let xdg = test_root().join(format!("xdg-{}", uuid::Uuid::new_v4()));
    workspace(&xdg);
    // Other tools' places of this machine's user (DataGrip's IDE config) stay out of it;
    // the home holds a TablePlus folder, whose list cannot be read.
    let config = xdg.join("config");
    let home = xdg.join("home");
    std::fs::create_dir_all(home.join(".tableplus/data")).unwrap();
    let (_driver, c) = open_window_env(
        &data,
        &[
            ("XDG_DATA_HOME", &xdg),
            ("XDG_CONFIG_HOME", &config),
            ("HOME", &home),
        ],
    )
    .await;

    let found = wait_for(&c, "[data-testid=first-found]").await;
    let text = found.text().await.unwrap();
    assert!(
        text.contains("DBeaver: 3 connections in 1 project"),
        "{text}"
    );
    // TablePlus is named with why it cannot be read and what to do, with no import button.
    let note = wait_for(&c, "[data-testid=first-found-note]")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        note.contains("TablePlus keeps its passwords in the system keyring")
            && note.contains("paste them here"),
        "{note}"
    );
    assert_eq!(
        c.find_all(Locator::Css("[data-testid=first-found-import]"))
            .await
            .unwrap()
            .len(),
        1,
        "only the readable find offers an import"
    );
    wait_for(&c, "[data-testid=first-found-import]")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&c, "[data-testid=offer-preview]")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&c, "[data-testid=batch-row]").await;
    let rows = c
        .find_all(Locator::Css("[data-testid=batch-row]"))
        .await
        .unwrap();
    let mut seen = Vec::new();
    for r in &rows {
        seen.push((
            r.attr("data-label").await.unwrap().unwrap_or_default(),
            r.attr("data-status").await.unwrap().unwrap_or_default(),
        ));
    }
    seen.sort();
    assert_eq!(
        seen,
        [
            ("acme-crm".to_owned(), "ready".to_owned()),
            ("acme-orders".to_owned(), "ready".to_owned()),
            ("events".to_owned(), "skipped".to_owned())
        ]
    );
    let skipped = c
        .find(Locator::Css("[data-testid=batch-row][data-status=skipped]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(skipped.contains("clickhouse"), "{skipped}");
    // The preview, its status pills and its choices are legible and labelled, light and dark.
    accessible(&c, "import preview, light").await;
    choose_theme(&c, "dark").await;
    accessible(&c, "import preview, dark").await;
    choose_theme(&c, "light").await;

    wait_for(&c, "[data-testid=batch-import]")
        .await
        .click()
        .await
        .unwrap();
    let done = wait_for(&c, "[data-testid=batch-result]").await;
    assert!(done.text().await.unwrap().contains("Imported 2"));
    wait_for(&c, "[data-testid=batch-close]")
        .await
        .click()
        .await
        .unwrap();

    // The folders DBeaver kept are the list's tree.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let mut paths = Vec::new();
        for f in c
            .find_all(Locator::Css("[data-testid=folder-row]"))
            .await
            .unwrap()
        {
            paths.push(f.attr("data-path").await.unwrap().unwrap_or_default());
        }
        if paths.contains(&"Clients/Acme/Production".to_owned()) {
            assert!(paths.contains(&"Clients".to_owned()));
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the folders did not appear: {paths:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    c.close().await.ok();
}
