//! The Tauri shell: thin command adapters over `switchboard_core::Switchboard`.
//! Errors cross IPC as `ApiError` values (code, field, message, hint, issues).

use switchboard_core::connections::{ManyResult, TestControl};
use switchboard_core::connstr::ExportContext;
use switchboard_core::connstr::{ExportFormat, ExportFormatInfo, ExportedText};
use switchboard_core::engines::EngineSpec;
use switchboard_core::imports::{Draft, ImportPreview, ImportResult, PickedFile};
use switchboard_core::model::{
    Connection, ConnectionFields, ConnectionUpdate, Engine, Environment, EnvironmentInfo,
    NewConnection, PasswordSave, SecretChange,
};
use switchboard_core::probe::report::{Progress, StepReport};
use switchboard_core::store::{LastTest, Listing};
use switchboard_core::{ApiError, FieldIssue, Secret, Switchboard, TestReport};
use tauri::ipc::Channel;
use tauri::State;
use uuid::Uuid;

pub struct AppState {
    pub sb: Switchboard,
    /// Tests in flight, by the window's test id: sending () cancels one.
    running: std::sync::Mutex<std::collections::HashMap<String, tokio::sync::oneshot::Sender<()>>>,
    /// Files the user picked for a batch import, by token.
    picked: std::sync::Mutex<std::collections::HashMap<String, std::path::PathBuf>>,
}

type CmdResult<T> = Result<T, ApiError>;

#[tauri::command]
async fn list_connections(state: State<'_, AppState>) -> CmdResult<Listing> {
    Ok(state.sb.listing().await?)
}

#[tauri::command]
async fn get_connection(state: State<'_, AppState>, id: Uuid) -> CmdResult<Connection> {
    Ok(state.sb.get(id).await?)
}

/// The secrets of a pasted string the form was filled from (`secrets_from`), for the ones
/// the user did not type: they travel UI → core only, never back.
async fn fill_secrets(
    secrets_from: Option<String>,
    save: PasswordSave,
    password: &mut Option<Secret>,
    client_key: &mut Option<Secret>,
) -> CmdResult<()> {
    if let Some(s) = secrets_from.filter(|s| !s.trim().is_empty()) {
        let (p, k) = Switchboard::secrets_of(&s).await?;
        // A connection set to ask every time (or to use none) keeps no pasted password.
        if save == PasswordSave::Keychain && password.as_ref().is_none_or(|x| x.is_empty()) {
            *password = p;
        }
        if client_key.as_ref().is_none_or(|x| x.is_empty()) {
            *client_key = k;
        }
    }
    Ok(())
}

#[tauri::command]
async fn create_connection(
    state: State<'_, AppState>,
    mut input: NewConnection,
    secrets_from: Option<String>,
) -> CmdResult<Connection> {
    let save = input.fields.password_save;
    fill_secrets(
        secrets_from,
        save,
        &mut input.password,
        &mut input.client_key,
    )
    .await?;
    Ok(state.sb.create(input).await?)
}

#[tauri::command]
async fn update_connection(
    state: State<'_, AppState>,
    mut input: ConnectionUpdate,
    secrets_from: Option<String>,
) -> CmdResult<Connection> {
    let (mut p, mut k) = (None, None);
    let save = input.fields.password_save;
    fill_secrets(secrets_from, save, &mut p, &mut k).await?;
    if let (Some(p), SecretChange::Keep) = (p, &input.password) {
        input.password = SecretChange::Set(p);
    }
    if let (Some(k), SecretChange::Keep) = (k, &input.client_key) {
        input.client_key = SecretChange::Set(k);
    }
    Ok(state.sb.update(input).await?)
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

/// Streams each finished step to `on_step` and registers the test under `test_id` so that
/// `cancel_test` can stop it.
fn control<'a>(
    state: &'a AppState,
    test_id: &str,
    on_step: Channel<StepReport>,
) -> CmdResult<(TestControl, Registered<'a>)> {
    let (cancel_tx, cancel_rx) = tokio::sync::oneshot::channel();
    let registered = register(state, test_id, cancel_tx)?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<StepReport>();
    tauri::async_runtime::spawn(async move {
        while let Some(step) = rx.recv().await {
            if on_step.send(step).is_err() {
                break;
            }
        }
    });
    Ok((
        TestControl {
            progress: Some(Progress::new(Some(tx))),
            cancel: Some(cancel_rx),
        },
        registered,
    ))
}

/// Puts a test (or a "test many" run) on the running list, where `cancel_test` finds it.
fn register<'a>(
    state: &'a AppState,
    test_id: &str,
    cancel: tokio::sync::oneshot::Sender<()>,
) -> CmdResult<Registered<'a>> {
    let mut running = state
        .running
        .lock()
        .map_err(|_| switchboard_core::CoreError::Storage("test list poisoned".into()))?;
    if running.contains_key(test_id) {
        return Err(switchboard_core::CoreError::input(
            switchboard_core::ErrorCode::ValidationFailed,
            Some("test_id"),
            "A test with this id is already running.",
            "Start each test with a new id.",
        )
        .into());
    }
    running.insert(test_id.to_owned(), cancel);
    Ok(Registered {
        state,
        test_id: test_id.to_owned(),
    })
}

/// Takes a test off the running list however its command ends (also when the window
/// goes away mid-test and the command's future is dropped).
struct Registered<'a> {
    state: &'a AppState,
    test_id: String,
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        if let Ok(mut running) = self.state.running.lock() {
            running.remove(&self.test_id);
        }
    }
}

#[tauri::command]
async fn test_connection(
    state: State<'_, AppState>,
    id: Uuid,
    password: Option<Secret>,
    test_id: String,
    on_step: Channel<StepReport>,
) -> CmdResult<TestReport> {
    let (control, _registered) = control(&state, &test_id, on_step)?;
    Ok(state.sb.test_with(id, password, control).await?)
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
    let (cancel_tx, cancel_rx) = tokio::sync::oneshot::channel();
    let _registered = register(&state, &test_id, cancel_tx)?;
    let cancelled = async {
        if cancel_rx.await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    Ok(state
        .sb
        .test_many(
            ids,
            n.clamp(1, 64),
            |r| {
                let _ = on_result.send(r.clone());
            },
            cancelled,
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
    let sender = state
        .running
        .lock()
        .ok()
        .and_then(|mut r| r.remove(&test_id));
    if let Some(tx) = sender {
        let _ = tx.send(());
    }
}

#[tauri::command]
async fn test_draft(
    state: State<'_, AppState>,
    fields: ConnectionFields,
    mut password: Option<Secret>,
    mut client_key: Option<Secret>,
    secrets_from: Option<String>,
    test_id: String,
    on_step: Channel<StepReport>,
) -> CmdResult<TestReport> {
    let save = fields.password_save;
    fill_secrets(secrets_from, save, &mut password, &mut client_key).await?;
    let (control, _registered) = control(&state, &test_id, on_step)?;
    Ok(state
        .sb
        .test_fields_with(fields, password, client_key, control)
        .await?)
}

/// A pasted string read for the form (secrets reported as present, never returned).
#[tauri::command]
async fn parse_connection_string(state: State<'_, AppState>, input: String) -> CmdResult<Draft> {
    Ok(state.sb.parse_draft(&input).await?)
}

/// A saved connection as text; the password only when the user ticked "include it".
#[tauri::command]
async fn export_connection(
    state: State<'_, AppState>,
    id: Uuid,
    format: ExportFormat,
    include_password: bool,
) -> CmdResult<ExportedText> {
    let c = state.sb.get(id).await?;
    let ctx = state.sb.export_context(id, include_password).await?;
    Ok(switchboard_core::connstr::export(&c.fields, &ctx, format)?)
}

/// The live, password-free preview of what a form holds.
#[tauri::command]
fn preview_connection_string(
    fields: ConnectionFields,
    format: ExportFormat,
) -> CmdResult<ExportedText> {
    let mut fields = fields;
    switchboard_core::validation::normalize(&mut fields);
    Ok(switchboard_core::connstr::export(
        &fields,
        &ExportContext::default(),
        format,
    )?)
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
    let Some(path) = pick_path(&app, "Choose a PEM file", Some(filter)).await? else {
        return Ok(None);
    };
    Ok(Some(switchboard_core::files::read_pem_file(&path).await?))
}

/// The native file dialog: the path the user picked, or `None` when cancelled.
async fn pick_path(
    app: &tauri::AppHandle,
    title: &str,
    filter: Option<(&str, &[&str])>,
) -> CmdResult<Option<std::path::PathBuf>> {
    use tauri_plugin_dialog::DialogExt;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut dialog = app.dialog().file().set_title(title);
    if let Some((name, extensions)) = filter {
        dialog = dialog.add_filter(name, extensions);
    }
    dialog.pick_file(move |picked| {
        let _ = tx.send(picked);
    });
    let Some(picked) = rx.await.ok().flatten() else {
        return Ok(None);
    };
    let path = picked.into_path().map_err(|e| {
        switchboard_core::CoreError::input(
            switchboard_core::ErrorCode::FileUnreadable,
            Some("file"),
            format!("The chosen file cannot be opened: {e}"),
            "Pick a file on this machine.",
        )
    })?;
    Ok(Some(path))
}

/// The one command that returns a secret, and only on the user's explicit request.
#[tauri::command]
async fn reveal_password(state: State<'_, AppState>, id: Uuid) -> CmdResult<String> {
    Ok(state.sb.reveal_password(id).await?.expose().to_owned())
}

/// Where a batch comes from: text the user pasted, or a file they picked (named by the
/// token `pick_import_file` gave; its text never goes to the window, as it may hold
/// passwords).
async fn batch_text(
    state: &AppState,
    text: Option<String>,
    file: Option<String>,
) -> CmdResult<(String, Option<String>)> {
    if let Some(token) = file {
        let path = state
            .picked
            .lock()
            .map_err(|_| switchboard_core::CoreError::Storage("picked-file list poisoned".into()))?
            .get(&token)
            .cloned()
            .ok_or_else(|| {
                switchboard_core::CoreError::input(
                    switchboard_core::ErrorCode::FileUnreadable,
                    Some("file"),
                    "That file is no longer chosen.",
                    "Choose the file again.",
                )
            })?;
        let text = switchboard_core::imports::read_import_file(&path).await?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        return Ok((text, name));
    }
    Ok((text.unwrap_or_default(), None))
}

#[tauri::command]
async fn preview_import(
    state: State<'_, AppState>,
    text: Option<String>,
    file: Option<String>,
) -> CmdResult<ImportPreview> {
    let (text, name) = batch_text(&state, text, file).await?;
    Ok(state.sb.preview_import(&text, name.as_deref()).await?)
}

/// Saves the chosen rows of a previewed batch in one transaction.
#[tauri::command]
async fn import_rows(
    state: State<'_, AppState>,
    text: Option<String>,
    file: Option<String>,
    rows: Vec<u32>,
) -> CmdResult<ImportResult> {
    let (text, name) = batch_text(&state, text, file).await?;
    Ok(state.sb.import_rows(&text, name.as_deref(), &rows).await?)
}

/// Lets the user pick a file of connections (.env, .pgpass, pg_service.conf, JSON) in the
/// native dialog; returns a token and the file's name (`None` when cancelled).
#[tauri::command]
async fn pick_import_file(
    state: State<'_, AppState>,
    app: tauri::AppHandle,
) -> CmdResult<Option<PickedFile>> {
    let Some(path) = pick_path(&app, "Choose a file of connections", None).await? else {
        return Ok(None);
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let token = Uuid::new_v4().to_string();
    state
        .picked
        .lock()
        .map_err(|_| switchboard_core::CoreError::Storage("picked-file list poisoned".into()))?
        .insert(token.clone(), path);
    Ok(Some(PickedFile { token, name }))
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
        .manage(StartupProblem(problem));
    if let Some(sb) = sb {
        builder = builder.manage(AppState {
            sb,
            running: Default::default(),
            picked: Default::default(),
        });
    }
    let result = builder
        .invoke_handler(tauri::generate_handler![
            startup_problem,
            list_connections,
            get_connection,
            create_connection,
            update_connection,
            delete_connection,
            duplicate_connection,
            test_connection,
            cancel_test,
            test_many,
            list_last_tests,
            test_draft,
            validate_connection,
            list_environments,
            list_engines,
            pick_pem_file,
            reveal_password,
            parse_connection_string,
            export_connection,
            preview_connection_string,
            export_formats,
            preview_import,
            import_rows,
            pick_import_file
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("switchboard: the window failed: {e}");
        std::process::exit(1);
    }
}
