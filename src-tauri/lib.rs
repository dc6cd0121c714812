//! The Tauri shell: thin command adapters over `switchboard_core::Switchboard`.
//! Errors cross IPC as `ApiError` values (code, field, message, hint, issues).

use switchboard_core::engines::EngineSpec;
use switchboard_core::model::{
    Connection, ConnectionFields, ConnectionUpdate, Environment, EnvironmentInfo, NewConnection,
};
use switchboard_core::{ApiError, FieldIssue, Secret, Switchboard, TestReport};
use tauri::State;
use uuid::Uuid;

pub struct AppState {
    pub sb: Switchboard,
}

type CmdResult<T> = Result<T, ApiError>;

#[tauri::command]
async fn list_connections(state: State<'_, AppState>) -> CmdResult<Vec<Connection>> {
    Ok(state.sb.list().await?)
}

#[tauri::command]
async fn get_connection(state: State<'_, AppState>, id: Uuid) -> CmdResult<Connection> {
    Ok(state.sb.get(id).await?)
}

#[tauri::command]
async fn create_connection(
    state: State<'_, AppState>,
    input: NewConnection,
) -> CmdResult<Connection> {
    Ok(state.sb.create(input).await?)
}

#[tauri::command]
async fn update_connection(
    state: State<'_, AppState>,
    input: ConnectionUpdate,
) -> CmdResult<Connection> {
    Ok(state.sb.update(input).await?)
}

#[tauri::command]
async fn delete_connection(state: State<'_, AppState>, id: Uuid) -> CmdResult<()> {
    Ok(state.sb.delete(id).await?)
}

#[tauri::command]
async fn duplicate_connection(state: State<'_, AppState>, id: Uuid) -> CmdResult<Connection> {
    Ok(state.sb.duplicate(id).await?)
}

#[tauri::command]
async fn test_connection(
    state: State<'_, AppState>,
    id: Uuid,
    password: Option<Secret>,
) -> CmdResult<TestReport> {
    Ok(state.sb.test(id, password).await?)
}

#[tauri::command]
async fn test_draft(
    state: State<'_, AppState>,
    fields: ConnectionFields,
    password: Option<Secret>,
    client_key: Option<Secret>,
) -> CmdResult<TestReport> {
    Ok(state.sb.test_fields(fields, password, client_key).await?)
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
    use tauri_plugin_dialog::DialogExt;
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Choose a PEM file")
        .add_filter("PEM certificate or key", &["pem", "crt", "cer", "key"])
        .pick_file(move |picked| {
            let _ = tx.send(picked);
        });
    let Some(picked) = rx.await.ok().flatten() else {
        return Ok(None);
    };
    let path = picked.into_path().map_err(|e| {
        switchboard_core::CoreError::input(
            switchboard_core::ErrorCode::FileUnreadable,
            None,
            format!("The chosen file cannot be opened: {e}"),
            "Pick a file on this machine.",
        )
    })?;
    Ok(Some(switchboard_core::pem::read_pem_file(&path).await?))
}

/// The one command that returns a secret, and only on the user's explicit request.
#[tauri::command]
async fn reveal_password(state: State<'_, AppState>, id: Uuid) -> CmdResult<String> {
    Ok(state.sb.reveal_password(id).await?.expose().to_owned())
}

/// Start-up: open the store in the data dir, then run the window. Failing here is fatal
/// and reported on stderr.
pub fn run() {
    let Some(dir) = switchboard_core::paths::data_dir() else {
        eprintln!("switchboard: no data directory could be determined; set SWITCHBOARD_DATA_DIR");
        std::process::exit(1);
    };
    if let Err(e) = switchboard_core::logging::init(&dir) {
        eprintln!("switchboard: cannot write logs in {}: {e}", dir.display());
    }
    let sb = match tauri::async_runtime::block_on(Switchboard::open(&dir)) {
        Ok(sb) => sb,
        Err(e) => {
            eprintln!("switchboard: cannot open {}: {e}", dir.display());
            std::process::exit(1);
        }
    };
    tracing::info!(data_dir = %dir.display(), "starting");
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(AppState { sb })
        .invoke_handler(tauri::generate_handler![
            list_connections,
            get_connection,
            create_connection,
            update_connection,
            delete_connection,
            duplicate_connection,
            test_connection,
            test_draft,
            validate_connection,
            list_environments,
            list_engines,
            pick_pem_file,
            reveal_password
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("switchboard: the window failed: {e}");
        std::process::exit(1);
    }
}
