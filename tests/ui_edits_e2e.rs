//! Nothing typed is lost, in the real window: switching to another connection, New,
//! Import or closing the window with edits asks Save / Discard / Cancel; changes saved
//! elsewhere (another process on the same data dir, as the CLI is) show without a
//! restart; a stale edit goes on top of the newer version field by field.

use std::process::Command;
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use switchboard_core::model::{
    Connection, ConnectionFields, ConnectionUpdate, NewConnection, PasswordSave,
};
use switchboard_core::Switchboard;
use switchboard_tests::window::*;
use switchboard_tests::{data_dir, require_keyring_session, test_root};

fn fields(name: &str, host: &str) -> ConnectionFields {
    let mut f = ConnectionFields::postgres(name, host, 5432, "app", "app");
    f.password_save = PasswordSave::None;
    f
}

async fn add(sb: &Switchboard, name: &str, host: &str) -> Connection {
    sb.create(NewConnection {
        ssh_secrets: Default::default(),
        fields: fields(name, host),
        password: None,
        client_key: None,
    })
    .await
    .unwrap()
}

/// Saves `change` of the connection as another process (the CLI, another window) would.
async fn change_elsewhere(
    sb: &Switchboard,
    name: &str,
    change: impl FnOnce(&mut ConnectionFields),
) {
    let c = by_name(sb, name).await;
    let mut f = c.fields.clone();
    change(&mut f);
    sb.update(ConnectionUpdate {
        ssh_secrets: Default::default(),
        id: c.id,
        version: c.version,
        fields: f,
        password: Default::default(),
        client_key: Default::default(),
    })
    .await
    .unwrap();
}

async fn by_name(sb: &Switchboard, name: &str) -> Connection {
    sb.list()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.fields.name == name)
        .unwrap_or_else(|| panic!("{name} is not saved"))
}

/// The connection once the window has saved it (10 s at most).
async fn eventually(sb: &Switchboard, name: &str) -> Connection {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(c) = sb
            .list()
            .await
            .unwrap()
            .into_iter()
            .find(|c| c.fields.name == name)
        {
            return c;
        }
        assert!(Instant::now() < deadline, "{name} was not saved");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn item(name: &str) -> String {
    format!("[data-testid=connection-item][data-name={name}]")
}

async fn click(c: &Client, css: &str) {
    wait_for(c, css).await.click().await.unwrap();
}

async fn window_test(label: &str) -> (std::path::PathBuf, Switchboard) {
    require_keyring_session();
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "needs an X display (the test command runs Xvfb)"
    );
    let data = data_dir(label);
    let sb = Switchboard::open(&data).await.unwrap();
    (data, sb)
}

#[tokio::test]
async fn switching_new_or_import_with_edits_asks_and_save_discard_cancel_each_do_what_they_say() {
    let _one_window = WINDOW.lock().await;
    let (data, sb) = window_test("ui-edits-switch").await;
    add(&sb, "alpha", "a.example.com").await;
    add(&sb, "beta", "b.example.com").await;
    let (_driver, c) = open_window(&data).await;
    let outcome = async {
        click(&c, &item("alpha")).await;
        value_when(&c, "[name=host]", |v| v == "a.example.com").await;
        fill(&c, "host", "a2.example.com").await;

        // Another connection: asked, and Cancel keeps the edit where it was.
        click(&c, &item("beta")).await;
        let dialog = wait_for(&c, "[data-testid=unsaved-dialog]").await;
        let text = dialog.text().await.unwrap();
        assert!(
            text.contains("“alpha”") && text.contains("open “beta”"),
            "{text}"
        );
        painted(&c).await;
        std::fs::write(
            test_root().join("ui-e2e-unsaved.png"),
            c.screenshot().await.unwrap(),
        )
        .unwrap();
        click(&c, "[data-testid=unsaved-cancel]").await;
        gone(&c, "[data-testid=unsaved-dialog]").await;
        value_when(&c, "[name=host]", |v| v == "a2.example.com").await;

        // Escape is Cancel too.
        click(&c, &item("beta")).await;
        wait_for(&c, "[data-testid=unsaved-dialog]").await;
        c.find(Locator::Css("body"))
            .await
            .unwrap()
            .send_keys("\u{e00c}")
            .await
            .unwrap();
        gone(&c, "[data-testid=unsaved-dialog]").await;
        value_when(&c, "[name=host]", |v| v == "a2.example.com").await;

        // New, then Discard: the edit is gone, the saved one untouched.
        click(&c, "[data-testid=new-connection]").await;
        click(&c, "[data-testid=unsaved-discard]").await;
        value_when(&c, "[name=name]", str::is_empty).await;
        // An untouched new form asks nothing.
        click(&c, &item("alpha")).await;
        value_when(&c, "[name=host]", |v| v == "a.example.com").await;

        // Save first: the edit is saved, then the other one opens.
        fill(&c, "host", "a3.example.com").await;
        click(&c, &item("beta")).await;
        click(&c, "[data-testid=unsaved-save]").await;
        value_when(&c, "[name=host]", |v| v == "b.example.com").await;
        assert_eq!(by_name(&sb, "alpha").await.fields.host, "a3.example.com");

        // Import replaces the form: asked as well.
        fill(&c, "host", "b2.example.com").await;
        click(&c, "[data-testid=import-batch]").await;
        let text = wait_for(&c, "[data-testid=unsaved-dialog]")
            .await
            .text()
            .await
            .unwrap();
        assert!(text.contains("import connections"), "{text}");
        click(&c, "[data-testid=unsaved-cancel]").await;
        value_when(&c, "[name=host]", |v| v == "b2.example.com").await;

        // A save the backend refuses leaves the user where they were, told why.
        fill(&c, "port", "99999").await;
        click(&c, &item("alpha")).await;
        click(&c, "[data-testid=unsaved-save]").await;
        gone(&c, "[data-testid=unsaved-dialog]").await;
        wait_for(&c, ".field-error").await;
        value_when(&c, "[name=host]", |v| v == "b2.example.com").await;
        assert_eq!(by_name(&sb, "beta").await.fields.host, "b.example.com");
    }
    .await;
    c.close().await.ok();
    outcome
}

#[tokio::test]
async fn changes_saved_elsewhere_show_without_restart_and_a_stale_edit_goes_on_top_field_by_field()
{
    let _one_window = WINDOW.lock().await;
    let (data, sb) = window_test("ui-edits-elsewhere").await;
    add(&sb, "alpha", "a.example.com").await;
    let (_driver, c) = open_window(&data).await;
    let outcome = async {
        wait_for(&c, &item("alpha")).await;
        // Added by another process: listed without a restart (the data file is watched).
        add(&sb, "gamma", "g.example.com").await;
        wait_for(&c, &item("gamma")).await;

        // An open form without edits shows the newer version.
        click(&c, &item("alpha")).await;
        value_when(&c, "[name=host]", |v| v == "a.example.com").await;
        change_elsewhere(&sb, "alpha", |f| f.host = "a-new.example.com".into()).await;
        value_when(&c, "[name=host]", |v| v == "a-new.example.com").await;

        // With edits: what changed there is shown, field by field, conflicts named.
        fill(&c, "host", "mine.example.com").await;
        fill(&c, "database", "mine_db").await;
        change_elsewhere(&sb, "alpha", |f| {
            f.port = 6543;
            f.database = "their_db".into();
        })
        .await;
        let panel = wait_for(&c, "[data-testid=stale-edit]").await;
        let text = panel.text().await.unwrap();
        assert!(text.contains("version 2 → 3"), "{text}");
        wait_for(
            &c,
            "[data-testid=stale-change][data-field=port]:not(.conflict)",
        )
        .await;
        wait_for(
            &c,
            "[data-testid=stale-change][data-field=database].conflict",
        )
        .await;
        assert!(
            c.find(Locator::Css("[data-testid=stale-change][data-field=host]"))
                .await
                .is_err(),
            "host changed only here"
        );
        painted(&c).await;
        std::fs::write(
            test_root().join("ui-e2e-stale.png"),
            c.screenshot().await.unwrap(),
        )
        .unwrap();
        // Theirs for the conflict, then on top: their port, their database, my host.
        click(
            &c,
            "[data-testid=stale-change][data-field=database] [data-testid=take-theirs]",
        )
        .await;
        click(&c, "[data-testid=apply-on-top]").await;
        wait_for(&c, "[data-testid=rebased-note]").await;
        value_when(&c, "[name=port]", |v| v == "6543").await;
        value_when(&c, "[name=database]", |v| v == "their_db").await;
        value_when(&c, "[name=host]", |v| v == "mine.example.com").await;
        click(&c, "[data-testid=save]").await;
        gone(&c, "[data-testid=rebased-note]").await;
        let saved = by_name(&sb, "alpha").await;
        assert_eq!(
            (
                saved.fields.host.as_str(),
                saved.fields.port,
                saved.fields.database.as_str()
            ),
            ("mine.example.com", 6543, "their_db")
        );
        assert_eq!(saved.version, 4);

        // Saved and untouched again: the next change elsewhere just shows.
        change_elsewhere(&sb, "alpha", |f| {
            f.description = Some("from the CLI".into())
        })
        .await;
        value_when(&c, "[name=description]", |v| v == "from the CLI").await;

        // Deleted elsewhere while edited: the edits are kept as a new connection.
        fill(&c, "username", "keeper").await;
        let id = by_name(&sb, "alpha").await.id;
        sb.delete(id).await.unwrap();
        click(&c, "[data-testid=keep-as-new]").await;
        click(&c, "[data-testid=save]").await;
        let again = eventually(&sb, "alpha").await;
        assert_ne!(again.id, id);
        assert_eq!(again.fields.username, "keeper");
    }
    .await;
    c.close().await.ok();
    outcome
}

/// Asks the app's window to close as its close button does (WM_DELETE_WINDOW): Xvfb has no
/// window manager, so the message is sent directly (Debian's python3-xlib), to every
/// visible window of that title (a previous test's window may still be going away).
fn request_close(title: &str) {
    let out = Command::new("xdotool")
        .args(["search", "--onlyvisible", "--name", &format!("^{title}$")])
        .output()
        .expect("xdotool (installed by the test command)");
    let ids: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    assert!(!ids.is_empty(), "no window {title:?}");
    let script = r#"
import sys
from Xlib import display, protocol, X
d = display.Display()
p = d.intern_atom('WM_PROTOCOLS')
for wid in sys.argv[1:]:
    w = d.create_resource_object('window', int(wid))
    data = (32, [d.intern_atom('WM_DELETE_WINDOW'), X.CurrentTime, 0, 0, 0])
    w.send_event(protocol.event.ClientMessage(window=w, client_type=p, data=data), event_mask=X.NoEventMask)
d.flush()
"#;
    let ok = Command::new("/usr/bin/python3")
        .args(["-c", script])
        .args(&ids)
        .status()
        .expect("python3 with python3-xlib (installed by the test command)")
        .success();
    assert!(ok, "could not ask {title:?} to close");
}

#[tokio::test]
async fn closing_the_window_with_edits_asks_and_save_saves_before_it_closes() {
    let _one_window = WINDOW.lock().await;
    let (data, sb) = window_test("ui-edits-close").await;
    add(&sb, "alpha", "a.example.com").await;
    let (_driver, c) = open_window(&data).await;
    let outcome = async {
        click(&c, &item("alpha")).await;
        value_when(&c, "[name=host]", |v| v == "a.example.com").await;
        fill(&c, "host", "closing.example.com").await;
        // The form reports its edits to the backend after it re-renders; the page marks
        // its root once the backend has them.
        wait_for(&c, "html[data-unsaved=true]").await;
        request_close("Switchboard");
        let text = wait_for(&c, "[data-testid=unsaved-dialog]")
            .await
            .text()
            .await
            .unwrap();
        assert!(text.contains("close the window"), "{text}");
        click(&c, "[data-testid=unsaved-cancel]").await;
        gone(&c, "[data-testid=unsaved-dialog]").await;
        value_when(&c, "[name=host]", |v| v == "closing.example.com").await;

        request_close("Switchboard");
        click(&c, "[data-testid=unsaved-save]").await;
        let deadline = Instant::now() + Duration::from_secs(10);
        while by_name(&sb, "alpha").await.fields.host != "closing.example.com" {
            assert!(Instant::now() < deadline, "not saved before closing");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    .await;
    c.close().await.ok();
    outcome
}
