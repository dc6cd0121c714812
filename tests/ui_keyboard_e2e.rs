//! The window from the keyboard alone, in the real window: Ctrl+N starts a connection
//! with the cursor in its name, Tab walks the fields, Ctrl+S saves, Ctrl+Enter tests what
//! the form holds, Ctrl+F goes to the search, ↓/↑ open the next and previous rows with the
//! keyboard following them, "?" lists the shortcuts and Esc closes the list. No click.

use fantoccini::{Client, Locator};
use switchboard_tests::window::*;
use switchboard_tests::{data_dir, require_keyring_session, test_password, test_root};

const CTRL: &str = "\u{E009}";
const NULL: &str = "\u{E000}";
const TAB: &str = "\u{E004}";
const DOWN: &str = "\u{E015}";
const UP: &str = "\u{E013}";
const ESCAPE: &str = "\u{E00C}";

/// Types `keys` into whatever has the focus, as the user at the keyboard.
async fn press(c: &Client, keys: &str) {
    c.active_element()
        .await
        .unwrap()
        .send_keys(keys)
        .await
        .unwrap();
}

async fn chord(c: &Client, key: &str) {
    press(c, &format!("{CTRL}{key}{NULL}")).await;
}

/// `[id, name, data-name]` of the element with the keyboard focus.
async fn focused(c: &Client) -> [String; 3] {
    let v = c
        .execute(
            "const e = document.activeElement;\
             return e ? [e.id || '', e.getAttribute('name') || '', e.dataset.name || ''] : ['', '', ''];",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(v).unwrap()
}

/// Waits until the keyboard focus is on the list row of `name` (5 s at most).
async fn keyboard_on_row(c: &Client, name: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while focused(c).await[2] != name {
        assert!(
            std::time::Instant::now() < deadline,
            "the keyboard is on {:?}, not the row {name}",
            focused(c).await
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Presses Tab until the field named `name` has the focus (40 presses at most).
async fn tab_to(c: &Client, name: &str) {
    for _ in 0..40 {
        if focused(c).await[1] == name {
            return;
        }
        press(c, TAB).await;
    }
    panic!(
        "Tab never reached [name={name}]; focus is on {:?}",
        focused(c).await
    );
}

/// Replaces the focused field's text (WebKit's driver keeps Ctrl down for the rest of a
/// key sequence, so no Ctrl+A: the field is cleared, then typed into, focus unmoved).
async fn retype(c: &Client, text: &str) {
    let field = c.active_element().await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

async fn new_connection(c: &Client, name: &str, password: &str) {
    chord(c, "n").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while focused(c).await[0] != "f-name" {
        assert!(
            std::time::Instant::now() < deadline,
            "Ctrl+N left the focus on {:?}",
            focused(c).await
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    press(c, name).await;
    tab_to(c, "host").await;
    retype(c, "127.0.0.1").await;
    tab_to(c, "port").await;
    retype(c, "1").await;
    tab_to(c, "database").await;
    retype(c, "app").await;
    tab_to(c, "username").await;
    retype(c, "app").await;
    tab_to(c, "password").await;
    press(c, password).await;
    chord(c, "s").await;
    wait_for(
        c,
        &format!("[data-testid=connection-item][data-name={name}]"),
    )
    .await;
}

#[tokio::test]
async fn new_fill_save_test_search_and_move_through_the_list_with_the_keyboard_alone() {
    require_keyring_session();
    let _one_window = WINDOW.lock().await;
    let data = data_dir("ui-keyboard");
    let (_driver, c) = open_window(&data).await;
    let outcome = async {
        wait_for(&c, "[data-testid=first-new]").await;
        let pw = test_password("ui-keyboard");
        new_connection(&c, "kbd-2", &pw).await;

        // Ctrl+Enter tests the form as it is: nothing listens on port 1.
        chord(&c, "\u{E007}").await;
        let result = wait_for(&c, "[data-testid=test-result][data-status=failed]").await;
        assert!(
            result
                .text()
                .await
                .unwrap()
                .to_lowercase()
                .contains("refused"),
            "{}",
            result.text().await.unwrap()
        );

        new_connection(&c, "kbd-10", &pw).await;

        // Ctrl+F, then ↓ opens the first row in natural order (kbd-2 before kbd-10) with
        // the keyboard on it; ↓ again opens the next, ↑ goes back.
        chord(&c, "f").await;
        assert_eq!(focused(&c).await[0], "connection-search");
        press(&c, DOWN).await;
        value_when(&c, "[name=name]", |v| v == "kbd-2").await;
        keyboard_on_row(&c, "kbd-2").await;
        press(&c, DOWN).await;
        value_when(&c, "[name=name]", |v| v == "kbd-10").await;
        keyboard_on_row(&c, "kbd-10").await;
        press(&c, UP).await;
        value_when(&c, "[name=name]", |v| v == "kbd-2").await;
        keyboard_on_row(&c, "kbd-2").await;

        // "?" (not in a field) lists the shortcuts; Esc closes the list.
        press(&c, "?").await;
        let keys = wait_for(&c, "[data-testid=shortcuts]")
            .await
            .text()
            .await
            .unwrap();
        assert!(keys.contains("Ctrl") && keys.contains("Save"), "{keys}");
        painted(&c).await;
        let shot = c.screenshot().await.unwrap();
        std::fs::write(test_root().join("ui-shortcuts.png"), shot).unwrap();
        press(&c, ESCAPE).await;
        gone(&c, "[data-testid=shortcuts]").await;
        assert!(c
            .find(Locator::Css("[data-testid=unsaved-dialog]"))
            .await
            .is_err());
    }
    .await;
    c.close().await.ok();
    outcome
}
