//! The Tauri shell: thin command adapters over `switchboard_core::Switchboard`.
//! Errors cross IPC as `ApiError` values (code, field, message, hint, issues).

use switchboard_core::cancel::{Cancel, Running, Started};
use switchboard_core::connections::{ManyResult, TestControl};
use switchboard_core::connstr::{ExportFormat, ExportFormatInfo, ExportedText};
use switchboard_core::drafts::{Draft, DraftToken};
use switchboard_core::edits::Rebased;
use switchboard_core::engines::EngineSpec;
use switchboard_core::exports::{
    CopiedText, ListExport, ListFormat, SavedExport, SECRET_CLIPBOARD_SECS,
};
use switchboard_core::model::{
    Connection, ConnectionFields, ConnectionUpdate, Engine, Environment, EnvironmentInfo,
    NewConnection,
};
use switchboard_core::organise::{BulkChange, Deleted, FolderContents};
use switchboard_core::probe::report::{Progress, StepReport};
use switchboard_core::store::{LastTest, SummaryListing};
use switchboard_core::tunnels::{OpenTunnelInfo, TunnelNotice};
use switchboard_core::watch::{StoreWatch, WindowNotice};
use switchboard_core::{ApiError, FieldIssue, Secret, Switchboard, TestReport};
use tauri::ipc::Channel;

mod confirm;
mod geometry;
mod imports;
mod memory;
use tauri::State;
use uuid::Uuid;

pub struct AppState {
    pub sb: Switchboard,
    /// Tests in flight, by the window's test id, for `cancel_test`.
    running: Running,
    /// Held while a secret's confirmation dialog is up: one question at a time, so a page
    /// cannot stack dialogs behind the one the user is reading.
    confirming: tokio::sync::Mutex<()>,
    window: WindowState,
    /// The window's size and position, kept in the data dir.
    geometry: geometry::Geometry,
    /// Tunnels the window opened, by connection: how to stop each and where it listens.
    tunnels: std::sync::Mutex<std::collections::HashMap<Uuid, (Cancel, OpenTunnelInfo)>>,
}

/// What the window is told outside of command answers, and whether it may close.
#[derive(Default)]
struct WindowState {
    /// The page's channel for `WindowNotice`s (set by `watch_window`); shared with the
    /// data file's watcher thread.
    notices: std::sync::Arc<std::sync::Mutex<Option<Channel<WindowNotice>>>>,
    /// The page holds edits that are not saved: closing asks the page first.
    unsaved: std::sync::atomic::AtomicBool,
    /// Kept for as long as the window runs.
    _watch: Option<StoreWatch>,
}

impl WindowState {
    fn notify(&self, notice: WindowNotice) {
        notify(&self.notices, notice);
    }
}

fn notify(to: &std::sync::Mutex<Option<Channel<WindowNotice>>>, notice: WindowNotice) {
    // A poisoned lock only means a send panicked; the channel itself is still good.
    let guard = to.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(channel) = guard.as_ref() {
        let _ = channel.send(notice);
    }
}

type CmdResult<T> = Result<T, ApiError>;

/// The list: a compact row a connection (`open_connection` reads one in full).
#[tauri::command]
async fn list_summaries(state: State<'_, AppState>) -> CmdResult<SummaryListing> {
    let listing = state.sb.summaries().await?;
    memory::release_soon();
    Ok(listing)
}

/// Changes when the list would; the window lists again only then.
#[tauri::command]
async fn listing_stamp(state: State<'_, AppState>) -> CmdResult<String> {
    Ok(state.sb.listing_stamp().await?)
}

/// Reads a saved connection without marking it used: a re-read after a change elsewhere
/// must not write (the write would be a change elsewhere again).
#[tauri::command]
async fn get_connection(state: State<'_, AppState>, id: Uuid) -> CmdResult<Connection> {
    Ok(state.sb.get(id).await?)
}

/// Opens a saved connection in the form: it counts as used ("Recently used").
#[tauri::command]
async fn open_connection(state: State<'_, AppState>, id: Uuid) -> CmdResult<Connection> {
    let c = state.sb.get(id).await?;
    if let Err(e) = state.sb.mark_used(id).await {
        tracing::warn!(error = %e, "could not remember that a connection was opened");
    }
    Ok(c)
}

#[tauri::command]
async fn create_folder(state: State<'_, AppState>, path: String) -> CmdResult<String> {
    Ok(state.sb.create_folder(&path).await?)
}

#[tauri::command]
async fn rename_folder(state: State<'_, AppState>, from: String, to: String) -> CmdResult<u32> {
    Ok(state.sb.rename_folder(&from, &to).await?)
}

#[tauri::command]
async fn delete_folder(
    state: State<'_, AppState>,
    path: String,
    contents: FolderContents,
) -> CmdResult<Option<Deleted>> {
    Ok(state.sb.delete_folder(&path, contents).await?)
}

#[tauri::command]
async fn set_folder_collapsed(
    state: State<'_, AppState>,
    path: String,
    collapsed: bool,
) -> CmdResult<()> {
    Ok(state.sb.set_folder_collapsed(&path, collapsed).await?)
}

/// Moves, tags or sets the environment of a selection, all in one transaction.
#[tauri::command]
async fn change_connections(
    state: State<'_, AppState>,
    ids: Vec<Uuid>,
    change: BulkChange,
) -> CmdResult<u32> {
    Ok(state.sb.change_many(&ids, change).await?)
}

#[tauri::command]
async fn set_favourite(state: State<'_, AppState>, id: Uuid, favourite: bool) -> CmdResult<()> {
    Ok(state.sb.set_favourite(id, favourite).await?)
}

/// Deletes a selection (one or many) and answers the token `undo_delete` takes.
#[tauri::command]
async fn delete_connections(state: State<'_, AppState>, ids: Vec<Uuid>) -> CmdResult<Deleted> {
    Ok(state.sb.delete_with_undo(&ids).await?)
}

/// Writes the list of `ids` (Switchboard's JSON, or pgAdmin's / DBeaver's file) to a file
/// the user picks in the native save dialog; answers where and what the format could not
/// carry, or nothing when the user cancelled. Never holds a secret.
#[tauri::command]
async fn export_connections(
    state: State<'_, AppState>,
    app: tauri::AppHandle,
    ids: Vec<Uuid>,
    format: Option<ListFormat>,
) -> CmdResult<Option<SavedExport>> {
    use tauri_plugin_dialog::DialogExt;
    let format = format.unwrap_or(ListFormat::Switchboard);
    let ListExport { text, warnings } = state.sb.export_list_as(&ids, None, format).await?;
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Export connections")
        .set_file_name(format.file_name())
        .add_filter("JSON", &["json"])
        .save_file(move |picked| {
            let _ = tx.send(picked);
        });
    let Some(picked) = rx.await.ok().flatten() else {
        return Ok(None);
    };
    let cannot = |e: String| {
        switchboard_core::CoreError::input(
            switchboard_core::ErrorCode::FileUnreadable,
            Some("file"),
            format!("The export could not be written: {e}"),
            "Choose a folder you can write to.",
        )
    };
    let path = picked.into_path().map_err(|e| cannot(e.to_string()))?;
    let at = path.clone();
    tokio::task::spawn_blocking(move || std::fs::write(&at, text))
        .await
        .map_err(|e| cannot(e.to_string()))?
        .map_err(|e| cannot(e.to_string()))?;
    Ok(Some(SavedExport {
        path: path.display().to_string(),
        warnings,
    }))
}

#[tauri::command]
async fn undo_delete(state: State<'_, AppState>, token: String) -> CmdResult<Vec<Uuid>> {
    Ok(state.sb.undo_delete(&token).await?)
}

/// `secrets_from`: the token of the pasted draft the form was filled from; the core fills
/// in the secrets the user did not type.
#[tauri::command]
async fn create_connection(
    state: State<'_, AppState>,
    input: NewConnection,
    secrets_from: Option<DraftToken>,
) -> CmdResult<Connection> {
    Ok(state.sb.create_from(input, secrets_from.as_ref()).await?)
}

#[tauri::command]
async fn update_connection(
    state: State<'_, AppState>,
    input: ConnectionUpdate,
    secrets_from: Option<DraftToken>,
) -> CmdResult<Connection> {
    Ok(state.sb.update_from(input, secrets_from.as_ref()).await?)
}

#[tauri::command]
async fn delete_connection(state: State<'_, AppState>, id: String) -> CmdResult<()> {
    // The id as stored: a broken row's may not be a UUID.
    Ok(state.sb.delete_row(&id).await?)
}

#[tauri::command]
async fn duplicate_connection(state: State<'_, AppState>, id: Uuid) -> CmdResult<Connection> {
    Ok(state.sb.duplicate(id).await?)
}

/// Streams each finished step to `on_step` and puts the test on the running list under
/// `test_id`, where `cancel_test` finds it (until the returned guard is dropped).
fn control<'a>(
    state: &'a AppState,
    test_id: &str,
    on_step: Channel<StepReport>,
) -> CmdResult<(TestControl, Started<'a>)> {
    let started = state.running.start(test_id)?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<StepReport>();
    tauri::async_runtime::spawn(async move {
        while let Some(step) = rx.recv().await {
            if on_step.send(step).is_err() {
                break;
            }
        }
    });
    let control = TestControl {
        progress: Some(Progress::new(Some(tx))),
        cancel: started.cancel(),
        ..Default::default()
    };
    Ok((control, started))
}

/// Tests the given connections, at most `concurrency` (default 8) at once, streaming each
/// result as it arrives.
#[tauri::command]
async fn test_many(
    state: State<'_, AppState>,
    ids: Vec<Uuid>,
    concurrency: Option<usize>,
    test_id: String,
    on_result: Channel<ManyResult>,
) -> CmdResult<Vec<ManyResult>> {
    let n = concurrency.unwrap_or(switchboard_core::connections::DEFAULT_CONCURRENCY);
    let started = state.running.start(&test_id)?;
    Ok(state
        .sb
        .test_many(
            ids,
            n.clamp(1, 64),
            |r| {
                let _ = on_result.send(r.clone());
            },
            &started.cancel(),
        )
        .await?)
}

/// Every connection's latest test, for the list's status dots.
#[tauri::command]
async fn list_last_tests(state: State<'_, AppState>) -> CmdResult<Vec<LastTest>> {
    Ok(state.sb.last_tests().await?)
}

/// Stops a running test at once (its sockets are closed); its report says `cancelled`.
#[tauri::command]
fn cancel_test(state: State<'_, AppState>, test_id: String) {
    state.running.cancel(&test_id);
}

/// Tests what the form shows (`saved`: the saved connection it edits). Each parameter is
/// one key of the page's call, as Tauri maps them.
#[allow(clippy::too_many_arguments)]
#[tauri::command]
async fn test_draft(
    state: State<'_, AppState>,
    fields: ConnectionFields,
    password: Option<Secret>,
    client_key: Option<Secret>,
    secrets_from: Option<DraftToken>,
    saved: Option<Uuid>,
    ssh_secrets: Option<Vec<Option<Secret>>>,
    trust_host_keys: Option<Vec<String>>,
    test_id: String,
    on_step: Channel<StepReport>,
) -> CmdResult<TestReport> {
    let (mut control, _started) = control(&state, &test_id, on_step)?;
    // The route's secrets typed in the form, and a host key the user chose to trust.
    control.ssh_secrets = ssh_secrets.unwrap_or_default();
    control.trust_host_keys = trust_host_keys.unwrap_or_default();
    let from = secrets_from.as_ref();
    Ok(state
        .sb
        .test_draft(fields, password, client_key, from, saved, control)
        .await?)
}

/// A pasted string read for the form (secrets reported as present and held behind the
/// draft's token, never returned).
#[tauri::command]
async fn parse_connection_string(state: State<'_, AppState>, input: String) -> CmdResult<Draft> {
    Ok(state.sb.parse_draft(&input).await?)
}

/// "Copy as…": the saved connection as `format`, written to the system clipboard from
/// Rust (WebKitGTK's page clipboard does not reach the system one). With the password in
/// it, the page never gets the text while the clipboard holds it, and the clipboard is
/// cleared after 30 s if it still holds it.
#[tauri::command]
async fn copy_connection(
    app: tauri::AppHandle,
    window: tauri::WebviewWindow,
    state: State<'_, AppState>,
    id: Uuid,
    format: ExportFormat,
    include_password: bool,
) -> CmdResult<CopiedText> {
    use tauri_plugin_clipboard_manager::ClipboardExt;
    if include_password {
        let name = state.sb.get(id).await?.fields.name;
        let question = confirm::SecretQuestion {
            title: "Copy with password",
            message: format!("Copy \u{201c}{name}\u{201d} with its password?"),
            detail: "Anything that can read the clipboard can read it; Switchboard clears it after 30 seconds.",
            yes: "Copy with password",
        };
        confirm::secret(&window, &state.confirming, question).await?;
    }
    let out = state.sb.export_text(id, format, include_password).await?;
    if let Err(e) = app.clipboard().write_text(out.text.clone()) {
        // No clipboard at all (no display server owning one): the page shows the text,
        // selected, for the user to copy; they asked for it, password or not.
        return Ok(CopiedText {
            copied: false,
            text: Some(out.text),
            clears_after_secs: None,
            warnings: out.warnings,
            clipboard_error: Some(e.to_string()),
        });
    }
    if include_password {
        let app = app.clone();
        let text = out.text.clone();
        tauri::async_runtime::spawn(async move {
            let secs = u64::from(SECRET_CLIPBOARD_SECS);
            tokio::time::sleep(std::time::Duration::from_secs(secs)).await;
            // Only what we put there: something the user copied since stays.
            if app.clipboard().read_text().ok().as_deref() == Some(text.as_str()) {
                if let Err(e) = app.clipboard().clear() {
                    tracing::warn!(error = %e, "could not clear the copied secret");
                }
            }
        });
    }
    Ok(CopiedText {
        copied: true,
        text: (!include_password).then_some(out.text),
        clears_after_secs: include_password.then_some(SECRET_CLIPBOARD_SECS),
        warnings: out.warnings,
        clipboard_error: None,
    })
}

/// A stale edit put on top of the connection as saved now: the merged fields and what the
/// other side changed (`take_theirs`: conflicting paths where the user chose theirs).
#[tauri::command]
async fn rebase_edits(
    state: State<'_, AppState>,
    id: Uuid,
    base: ConnectionFields,
    mine: ConnectionFields,
    take_theirs: Vec<String>,
) -> CmdResult<Rebased> {
    Ok(state.sb.rebase(id, base, mine, &take_theirs).await?)
}

/// The page's channel for notices: the store changed (written elsewhere, or the window
/// came to the front), or closing waits on unsaved edits.
#[tauri::command]
fn watch_window(state: State<'_, AppState>, on_notice: Channel<WindowNotice>) {
    let mut slot = state
        .window
        .notices
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    *slot = Some(on_notice);
}

/// The page says whether it holds unsaved edits: closing then asks it first.
#[tauri::command]
fn set_unsaved(state: State<'_, AppState>, unsaved: bool) {
    state
        .window
        .unsaved
        .store(unsaved, std::sync::atomic::Ordering::SeqCst);
}

/// Closes the window once the page has saved or the user discarded the edits.
#[tauri::command]
fn close_window(window: tauri::WebviewWindow, state: State<'_, AppState>) -> CmdResult<()> {
    state
        .window
        .unsaved
        .store(false, std::sync::atomic::Ordering::SeqCst);
    state.geometry.capture_webview(&window, true);
    window.destroy().map_err(|e| {
        switchboard_core::CoreError::input(
            switchboard_core::ErrorCode::StorageFailed,
            None,
            format!("The window could not be closed: {e}."),
            "Close it again.",
        )
        .into()
    })
}

/// The window's own events: coming to the front refreshes the list (changes made while it
/// was in the background); closing with unsaved edits asks the page, which shows Save /
/// Discard / Cancel and calls `close_window`.
fn on_window_event(window: &tauri::Window, event: &tauri::WindowEvent) {
    use tauri::Manager;
    let Some(state) = window.try_state::<AppState>() else {
        return;
    };
    match event {
        tauri::WindowEvent::Focused(true) => state.window.notify(WindowNotice::StoreChanged),
        tauri::WindowEvent::Moved(_) | tauri::WindowEvent::Resized(_) => {
            state.geometry.capture(window, false)
        }
        tauri::WindowEvent::CloseRequested { api, .. }
            if state
                .window
                .unsaved
                .load(std::sync::atomic::Ordering::SeqCst) =>
        {
            api.prevent_close();
            state.window.notify(WindowNotice::CloseRequested);
        }
        tauri::WindowEvent::CloseRequested { .. } => state.geometry.capture(window, true),
        tauri::WindowEvent::DragDrop(drop) => {
            if let Some(notice) = imports::on_drag_drop(&state.sb, drop) {
                state.window.notify(notice);
            }
        }
        _ => {}
    }
}

/// The live, password-free preview of what a form holds.
#[tauri::command]
fn preview_connection_string(
    fields: ConnectionFields,
    format: ExportFormat,
) -> CmdResult<ExportedText> {
    Ok(Switchboard::preview(fields, format)?)
}

#[tauri::command]
fn export_formats(engine: Engine) -> Vec<ExportFormatInfo> {
    switchboard_core::connstr::format_menu(engine)
}

#[tauri::command]
async fn validate_connection(
    state: State<'_, AppState>,
    fields: ConnectionFields,
    id: Option<Uuid>,
) -> CmdResult<Vec<FieldIssue>> {
    Ok(state.sb.issues(&fields, id).await?)
}

/// The handle a save would derive from `name` (the form's placeholder): the rule stays in
/// the core.
#[tauri::command]
async fn suggest_handle(
    state: State<'_, AppState>,
    name: String,
    id: Option<Uuid>,
) -> CmdResult<String> {
    Ok(state.sb.suggest_handle(&name, id).await?)
}

/// Opens `id`'s SSH route as a forward on 127.0.0.1 (default port: the database's + 10000)
/// and answers once the route is open (or why it could not be); it then runs until
/// `close_tunnel` or quit, reopening the route when a hop drops.
#[tauri::command]
async fn open_tunnel(
    state: State<'_, AppState>,
    app: tauri::AppHandle,
    id: Uuid,
    local_port: Option<u16>,
    ssh_secrets: Option<Vec<Option<Secret>>>,
    trust_host_keys: Option<Vec<String>>,
) -> CmdResult<OpenTunnelInfo> {
    use switchboard_core::probe::ssh::TunnelEvent;
    use tauri::Manager;
    let stop = Cancel::new();
    if let Ok(mut t) = state.tunnels.lock() {
        if let Some((_, info)) = t.get(&id) {
            return Ok(info.clone());
        }
        t.insert(
            id,
            (
                stop.clone(),
                OpenTunnelInfo {
                    id,
                    local: String::new(),
                    target: String::new(),
                },
            ),
        );
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Result<OpenTunnelInfo, ApiError>>();
    let task_stop = stop.clone();
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = handle.state::<AppState>();
        let listening = std::sync::Mutex::new(None::<OpenTunnelInfo>);
        let outcome = state
            .sb
            .tunnel(
                id,
                local_port,
                ssh_secrets.unwrap_or_default(),
                trust_host_keys.unwrap_or_default(),
                &task_stop,
                |n| match n {
                    TunnelNotice::Listening { local, target } => {
                        if let Ok(mut l) = listening.lock() {
                            *l = Some(OpenTunnelInfo {
                                id,
                                local: local.to_string(),
                                target,
                            });
                        }
                    }
                    TunnelNotice::Event(TunnelEvent::Opened(_)) => {
                        if let Some(info) = listening.lock().ok().and_then(|l| l.clone()) {
                            if let Ok(mut t) = state.tunnels.lock() {
                                if let Some(entry) = t.get_mut(&id) {
                                    entry.1 = info.clone();
                                }
                            }
                            let _ = tx.send(Ok(info));
                        }
                    }
                    // Failing before it ever opened: the window hears why, and nothing keeps
                    // retrying behind its back.
                    TunnelNotice::Event(TunnelEvent::Failed(f)) => {
                        let opened = state
                            .tunnels
                            .lock()
                            .map(|t| t.get(&id).is_some_and(|e| !e.1.local.is_empty()))
                            .unwrap_or(false);
                        if !opened {
                            let _ =
                                tx.send(Err(ApiError::from(switchboard_core::CoreError::input(
                                    f.code,
                                    Some("ssh"),
                                    f.message,
                                    f.hint,
                                ))));
                            task_stop.cancel();
                        }
                    }
                    _ => {}
                },
            )
            .await;
        if let Ok(mut t) = state.tunnels.lock() {
            t.remove(&id);
        }
        if let Err(e) = outcome {
            let _ = tx.send(Err(ApiError::from(e)));
        }
    });
    match rx.recv().await {
        Some(Ok(info)) => Ok(info),
        Some(Err(e)) => Err(e),
        None => {
            stop.cancel();
            Err(ApiError::from(switchboard_core::CoreError::Storage(
                "the tunnel ended before it opened".into(),
            )))
        }
    }
}

/// Closes the tunnel `open_tunnel` opened for `id` (every forward through it ends).
#[tauri::command]
fn close_tunnel(state: State<'_, AppState>, id: Uuid) {
    let stopped = state.tunnels.lock().ok().and_then(|mut t| t.remove(&id));
    if let Some((stop, _)) = stopped {
        stop.cancel();
    }
}

/// The tunnels open now (the list marks their connections).
#[tauri::command]
fn list_tunnels(state: State<'_, AppState>) -> Vec<OpenTunnelInfo> {
    state
        .tunnels
        .lock()
        .map(|t| {
            t.values()
                .filter(|(_, i)| !i.local.is_empty())
                .map(|(_, i)| i.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// The concrete `Host` names of the user's `~/.ssh/config`, for the route's alias picker.
#[tauri::command]
async fn list_ssh_aliases() -> Vec<String> {
    switchboard_core::routes::aliases().await
}

/// The environments with their labels and default colours (the UI does not repeat them).
#[tauri::command]
fn list_environments() -> Vec<EnvironmentInfo> {
    Environment::ALL.iter().map(|e| e.info()).collect()
}

/// Every engine's description: the forms are rendered from these.
#[tauri::command]
fn list_engines() -> Vec<EngineSpec> {
    switchboard_core::engines::all()
}

/// Lets the user pick a PEM file (certificate or key) in the native dialog and returns its
/// text for the form; `None` when the dialog is cancelled. Only what the user picked is read.
#[tauri::command]
async fn pick_pem_file(app: tauri::AppHandle) -> CmdResult<Option<String>> {
    let filter = ("PEM certificate or key", &["pem", "crt", "cer", "key"][..]);
    let Some(path) = pick_path(&app, "Choose a PEM file", Pick::File(Some(filter))).await? else {
        return Ok(None);
    };
    Ok(Some(switchboard_core::files::read_pem_file(&path).await?))
}

/// What a native dialog picks: a file (with a filter), or a folder.
pub(crate) enum Pick<'a> {
    File(Option<(&'a str, &'a [&'a str])>),
    Folder,
}

/// The native file dialog: the path the user picked, or `None` when cancelled.
pub(crate) async fn pick_path(
    app: &tauri::AppHandle,
    title: &str,
    pick: Pick<'_>,
) -> CmdResult<Option<std::path::PathBuf>> {
    use tauri_plugin_dialog::DialogExt;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut dialog = app.dialog().file().set_title(title);
    let send = move |picked| {
        let _ = tx.send(picked);
    };
    match pick {
        Pick::File(filter) => {
            if let Some((name, extensions)) = filter {
                dialog = dialog.add_filter(name, extensions);
            }
            dialog.pick_file(send);
        }
        Pick::Folder => dialog.pick_folder(send),
    }
    let Some(picked) = rx.await.ok().flatten() else {
        return Ok(None);
    };
    let path = picked.into_path().map_err(|e| {
        switchboard_core::CoreError::input(
            switchboard_core::ErrorCode::FileUnreadable,
            Some("file"),
            format!("The chosen file or folder cannot be opened: {e}"),
            "Pick one on this machine.",
        )
    })?;
    Ok(Some(path))
}

/// The one command that returns a secret: only after the user says yes in a native dialog
/// raised here. The page cannot answer that dialog, so a script in the page alone can
/// never read a password.
#[tauri::command]
async fn reveal_password(
    window: tauri::WebviewWindow,
    state: State<'_, AppState>,
    id: Uuid,
) -> CmdResult<String> {
    let name = state.sb.get(id).await?.fields.name;
    let question = confirm::SecretQuestion {
        title: "Show password",
        message: format!("Show the saved password of \u{201c}{name}\u{201d}?"),
        detail: "It will be shown in the window until you hide it or open another connection.",
        yes: "Show password",
    };
    confirm::secret(&window, &state.confirming, question).await?;
    Ok(state.sb.reveal_password(id).await?.expose().to_owned())
}

/// Why the data dir could not be opened at start-up, if it could not: the window then
/// shows this instead of the list (and no command but this one has state to work on).
struct StartupProblem(Option<ApiError>);

#[tauri::command]
fn startup_problem(problem: State<'_, StartupProblem>) -> Option<ApiError> {
    problem.0.clone()
}

/// Start-up: open the store in the data dir, then run the window. A store that cannot be
/// opened (one a newer Switchboard wrote, say) is reported on stderr and in the window,
/// so that the app never just vanishes.
pub fn run() {
    memory::tune();
    switchboard_core::paths::no_core_dumps();
    let Some(dir) = switchboard_core::paths::data_dir() else {
        eprintln!("switchboard: no data directory could be determined; set SWITCHBOARD_DATA_DIR");
        std::process::exit(1);
    };
    if let Err(e) = switchboard_core::logging::init(&dir) {
        eprintln!("switchboard: cannot write logs in {}: {e}", dir.display());
    }
    let (sb, problem) = match tauri::async_runtime::block_on(Switchboard::open(&dir)) {
        Ok(sb) => (Some(sb), None),
        Err(e) => {
            tracing::error!(code = %e.code(), error = %e, "cannot open the data directory");
            eprintln!(
                "switchboard: cannot open {}: {e}\n{}",
                dir.display(),
                e.hint()
            );
            let mut api = e.to_api();
            api.message = format!("Cannot open {}: {}.", dir.display(), api.message);
            (None, Some(api))
        }
    };
    tracing::info!(data_dir = %dir.display(), "starting");
    let mut builder = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .manage(StartupProblem(problem));
    if let Some(sb) = sb {
        let notices = std::sync::Arc::default();
        let to = std::sync::Arc::clone(&notices);
        let watch = StoreWatch::start(&dir, move || notify(&to, WindowNotice::StoreChanged))
            .inspect_err(
                |e| tracing::warn!(error = %e, "changes made elsewhere show on focus only"),
            )
            .ok();
        builder = builder.manage(AppState {
            sb,
            running: Running::default(),
            confirming: tokio::sync::Mutex::new(()),
            tunnels: Default::default(),
            window: WindowState {
                notices,
                unsaved: Default::default(),
                _watch: watch,
            },
            geometry: geometry::Geometry::new(dir.clone()),
        });
    }
    let result = builder
        .setup(|app| {
            use tauri::Manager;
            if let (Some(state), Some(window)) =
                (app.try_state::<AppState>(), app.get_webview_window("main"))
            {
                state.geometry.restore(&window);
            }
            Ok(())
        })
        .on_window_event(on_window_event)
        .invoke_handler(tauri::generate_handler![
            startup_problem,
            list_summaries,
            listing_stamp,
            get_connection,
            open_connection,
            create_folder,
            rename_folder,
            delete_folder,
            set_folder_collapsed,
            change_connections,
            set_favourite,
            delete_connections,
            undo_delete,
            export_connections,
            create_connection,
            update_connection,
            delete_connection,
            duplicate_connection,
            cancel_test,
            test_many,
            list_last_tests,
            test_draft,
            validate_connection,
            suggest_handle,
            list_ssh_aliases,
            open_tunnel,
            close_tunnel,
            list_tunnels,
            list_environments,
            list_engines,
            pick_pem_file,
            reveal_password,
            parse_connection_string,
            copy_connection,
            preview_connection_string,
            export_formats,
            imports::preview_import,
            imports::import_rows,
            imports::discover_sources,
            imports::pick_import_file,
            imports::pick_import_folder,
            rebase_edits,
            watch_window,
            set_unsaved,
            close_window
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("switchboard: the window failed: {e}");
        std::process::exit(1);
    }
}
