//! Secrets out of reach of the page, in the real window: a script in the webview calling
//! `reveal_password` or `copy_connection` with the password gets nothing unless the user
//! answers the native (GTK) dialog Switchboard raises from Rust; the page cannot answer it.
//! xdotool plays the user at the X display, as a person at the keyboard would.

use std::time::Duration;

use fantoccini::{Client, Locator};
use switchboard_core::model::{ConnectionFields, NewConnection};
use switchboard_core::{Secret, Switchboard};
use switchboard_tests::window::*;
use switchboard_tests::{data_dir, require_keyring_session, test_password, test_root};

/// Calls a command from a script in the page, as injected code would: "ok: …" or
/// "refused: …".
async fn invoke_from_page(c: &Client, cmd: &str, args: serde_json::Value) -> String {
    let out = c
        .execute_async(
            "const [cmd, args, done] = arguments;\
             window.__TAURI_INTERNALS__.invoke(cmd, args)\
               .then(v => done('ok: ' + JSON.stringify(v)), e => done('refused: ' + JSON.stringify(e)));",
            vec![cmd.into(), args],
        )
        .await
        .unwrap();
    out.as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_page_script_cannot_reveal_or_copy_a_password_without_the_native_confirmation() {
    require_keyring_session();
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "needs an X display (the test command runs Xvfb)"
    );
    let _one_window = WINDOW.lock().await;
    let data = data_dir("ui-secrets");
    let pw = test_password("ui-reveal");
    let id = {
        let sb = Switchboard::open(&data).await.unwrap();
        let fields = ConnectionFields::postgres("vault-pg", "db.example.com", 5432, "app", "app");
        let c = sb
            .create(NewConnection {
                ssh_secrets: Default::default(),
                fields,
                password: Some(Secret::new(pw.clone())),
                client_key: None,
            })
            .await
            .unwrap();
        sb.store().pool().close().await;
        c.id
    };
    let (_driver, c) = open_window(&data).await;
    let outcome = async {
        wait_for(&c, "[data-testid=connection-item][data-name=vault-pg]").await;
        let args = serde_json::json!({ "id": id });

        // A script asks for the password; the user declines (Escape): nothing comes back.
        let (page, ()) = tokio::join!(
            invoke_from_page(&c, "reveal_password", args.clone()),
            async {
                tokio::task::spawn_blocking(|| answer_dialog("Show password", "Escape"))
                    .await
                    .unwrap()
            }
        );
        assert!(page.starts_with("refused:"), "{page}");
        assert!(page.contains("\"code\":\"cancelled\""), "{page}");
        assert!(!page.contains(&pw), "the password reached the page: {page}");

        // The same for a copy with the password: declined, the clipboard never holds it.
        let copy = serde_json::json!({ "id": id, "format": "url", "includePassword": true });
        let (page, ()) = tokio::join!(invoke_from_page(&c, "copy_connection", copy), async {
            tokio::task::spawn_blocking(|| answer_dialog("Copy with password", "Escape"))
                .await
                .unwrap()
        });
        assert!(page.contains("\"code\":\"cancelled\""), "{page}");
        assert!(!system_clipboard().contains(&pw));

        // The user's own click raises the same dialog. Return (typed into the form just as
        // the dialog appeared, say) takes its default, Cancel: nothing is shown. Only
        // choosing "Show password" itself (its mnemonic, Alt+S, here) shows the password.
        c.find(Locator::Css(
            "[data-testid=connection-item][data-name=vault-pg]",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
        wait_for(&c, "[data-testid=reveal-password]")
            .await
            .click()
            .await
            .unwrap();
        tokio::task::spawn_blocking(|| answer_dialog("Show password", "Return"))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(
            c.find(Locator::Css("[data-testid=revealed-password]"))
                .await
                .is_err(),
            "Return took the dialog's default, which must be Cancel"
        );
        c.find(Locator::Css("[data-testid=reveal-password]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        tokio::task::spawn_blocking(|| answer_dialog("Show password", "alt+s"))
            .await
            .unwrap();
        let shown = wait_for(&c, "[data-testid=revealed-password]").await;
        assert_eq!(shown.text().await.unwrap(), pw);
        painted(&c).await;
        let shot = c.screenshot().await.unwrap();
        std::fs::write(test_root().join("ui-e2e-revealed.png"), shot).unwrap();
    }
    .await;
    c.close().await.ok();
    outcome
}
