//! The native question asked before a secret leaves the keychain for the window
//! (`reveal_password`, "Copy as…" with the password). It is raised from Rust, outside the
//! page: a script in the webview can call the command but cannot answer the dialog, so it
//! alone can never read a password.
//!
//! On Linux the dialog is built with GTK directly: the dialog plugin's (rfd) focuses its
//! first button, so Return typed into the form just as the dialog appeared would say yes.
//! Here "Cancel" is focused and the default; only a deliberate choice of the named button
//! (clicked, Tab then Space, or its Alt mnemonic) reveals. Elsewhere the dialog plugin asks.

use switchboard_core::{ApiError, CoreError, ErrorCode};
use tokio::sync::{oneshot, Mutex};

/// What the dialog asks.
pub struct SecretQuestion {
    pub title: &'static str,
    pub message: String,
    pub detail: &'static str,
    /// The button that says yes, named for what it does ("Show password").
    pub yes: &'static str,
}

/// Asks in a modal native dialog over `window`; `cancelled` unless the user chooses
/// `q.yes`. `one_at_a_time` is held while the dialog is up, so a page cannot stack
/// dialogs behind the one the user is reading.
pub async fn secret(
    window: &tauri::WebviewWindow,
    one_at_a_time: &Mutex<()>,
    q: SecretQuestion,
) -> Result<(), ApiError> {
    let _held = one_at_a_time.lock().await;
    let title = q.title;
    let (tx, rx) = oneshot::channel();
    ask(window, q, tx)?;
    if rx.await.unwrap_or(false) {
        tracing::info!(
            what = title,
            "the user confirmed handing a secret to the window"
        );
        return Ok(());
    }
    Err(CoreError::input(
        ErrorCode::Cancelled,
        None,
        "Nothing was revealed: the confirmation was not given.",
        "Choose the button in the dialog Switchboard shows to reveal or copy a password.",
    )
    .into())
}

#[cfg(target_os = "linux")]
fn ask(
    window: &tauri::WebviewWindow,
    q: SecretQuestion,
    tx: oneshot::Sender<bool>,
) -> Result<(), ApiError> {
    let parent = window.clone();
    window
        .run_on_main_thread(move || {
            use gtk::prelude::*;
            let parent = parent.gtk_window().ok();
            let dialog = gtk::MessageDialog::new(
                parent.as_ref(),
                gtk::DialogFlags::MODAL | gtk::DialogFlags::DESTROY_WITH_PARENT,
                gtk::MessageType::Warning,
                gtk::ButtonsType::None,
                &q.message,
            );
            dialog.set_title(q.title);
            dialog.set_secondary_text(Some(q.detail));
            let cancel = dialog.add_button("Cancel", gtk::ResponseType::Cancel);
            // Its first letter is its mnemonic (Alt+S "Show password", Alt+C "Copy with
            // password"): a deliberate key that works wherever the focus is.
            let yes = dialog.add_button(&format!("_{}", q.yes), gtk::ResponseType::Accept);
            yes.style_context().add_class("destructive-action");
            dialog.set_default_response(gtk::ResponseType::Cancel);
            // Fn, called once per response: the first one answers, the dialog then goes.
            let tx = std::cell::Cell::new(Some(tx));
            dialog.connect_response(move |d, response| {
                if let Some(tx) = tx.take() {
                    let _ = tx.send(response == gtk::ResponseType::Accept);
                }
                d.close();
            });
            dialog.show_all();
            cancel.grab_focus();
        })
        .map_err(|e| no_dialog(&e))
}

#[cfg(not(target_os = "linux"))]
fn ask(
    window: &tauri::WebviewWindow,
    q: SecretQuestion,
    tx: oneshot::Sender<bool>,
) -> Result<(), ApiError> {
    use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};
    window
        .dialog()
        .message(format!("{}\n\n{}", q.message, q.detail))
        .title(q.title)
        .kind(MessageDialogKind::Warning)
        .buttons(MessageDialogButtons::OkCancelCustom(
            q.yes.to_owned(),
            "Cancel".to_owned(),
        ))
        .parent(window)
        .show(move |yes| {
            let _ = tx.send(yes);
        });
    Ok(())
}

#[cfg(target_os = "linux")]
fn no_dialog(e: &tauri::Error) -> ApiError {
    CoreError::input(
        ErrorCode::Cancelled,
        None,
        format!("Nothing was revealed: the confirmation dialog could not be shown ({e})."),
        "Try again; if it keeps failing, restart Switchboard.",
    )
    .into()
}
