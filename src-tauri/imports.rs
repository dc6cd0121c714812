//! The import commands: a preview and a save of a batch (pasted text, a picked or dropped
//! file or folder, another tool's list found on this machine), and the pickers. The page
//! names a file only by a token (and shows its name, and a find's place); a path from the
//! page is never read.

use switchboard_core::imports::{Batch, ImportPreview, ImportResult, PickedFile};
use switchboard_core::sources::{ImportChoices, Offered};
use switchboard_core::watch::WindowNotice;
use switchboard_core::Switchboard;
use tauri::State;

use crate::{AppState, CmdResult};

/// Where a batch comes from: text the user pasted, or a file they picked (named by the
/// token `pick_import_file` gave).
pub(crate) fn batch<'a>(text: &'a Option<String>, file: &'a Option<String>) -> Batch<'a> {
    match file {
        Some(token) => Batch::Picked(token),
        None => Batch::Text(text.as_deref().unwrap_or_default()),
    }
}

#[tauri::command]
pub async fn preview_import(
    state: State<'_, AppState>,
    text: Option<String>,
    file: Option<String>,
    choices: Option<ImportChoices>,
) -> CmdResult<ImportPreview> {
    Ok(state
        .sb
        .preview_batch_with(batch(&text, &file), &choices.unwrap_or_default().into())
        .await?)
}

/// Saves the chosen rows of a previewed batch in one transaction.
#[tauri::command]
pub async fn import_rows(
    state: State<'_, AppState>,
    text: Option<String>,
    file: Option<String>,
    rows: Vec<u32>,
    choices: Option<ImportChoices>,
) -> CmdResult<ImportResult> {
    Ok(state
        .sb
        .import_batch_with(
            batch(&text, &file),
            Some(&rows),
            &choices.unwrap_or_default().into(),
        )
        .await?)
}

/// Other tools' connection lists in their default places (DBeaver's workspace), each
/// held for an import like a picked file.
#[tauri::command]
pub async fn discover_sources(state: State<'_, AppState>) -> CmdResult<Vec<Offered>> {
    Ok(state.sb.discover_sources().await)
}

/// Lets the user pick a file of connections (.env, .pgpass, pg_service.conf, JSON) in the
/// native dialog; returns a token and the file's name (`None` when cancelled).
#[tauri::command]
pub async fn pick_import_file(
    state: State<'_, AppState>,
    app: tauri::AppHandle,
) -> CmdResult<Option<PickedFile>> {
    let Some(path) = crate::pick_path(
        &app,
        "Choose a file of connections",
        crate::Pick::File(None),
    )
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(state.sb.hold_picked(path)))
}

/// Lets the user pick a folder (a DBeaver workspace or project, a DataGrip project) in the
/// native dialog; returns a token and the folder's name (`None` when cancelled).
#[tauri::command]
pub async fn pick_import_folder(
    state: State<'_, AppState>,
    app: tauri::AppHandle,
) -> CmdResult<Option<PickedFile>> {
    let Some(path) = crate::pick_path(
        &app,
        "Choose a folder of another tool's connections",
        crate::Pick::Folder,
    )
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(state.sb.hold_picked(path)))
}

/// What the window is told of files dragged from the desktop: where to drop while they
/// are over it, and the first dropped file or folder, held like a picked one.
pub fn on_drag_drop(sb: &Switchboard, event: &tauri::DragDropEvent) -> Option<WindowNotice> {
    match event {
        // Drags inside the page (a connection onto a folder) carry no paths.
        tauri::DragDropEvent::Enter { paths, .. } if !paths.is_empty() => {
            Some(WindowNotice::DragOver)
        }
        tauri::DragDropEvent::Leave => Some(WindowNotice::DragLeft),
        tauri::DragDropEvent::Drop { paths, .. } => Some(match dropped(sb, paths) {
            Some(notice) => notice,
            None => WindowNotice::DragLeft,
        }),
        _ => None,
    }
}

/// The first of `paths`, held for an import, and how many others came with it.
fn dropped(sb: &Switchboard, paths: &[std::path::PathBuf]) -> Option<WindowNotice> {
    let first = paths.first()?;
    Some(WindowNotice::Dropped {
        file: sb.hold_picked(first.clone()),
        others: u32::try_from(paths.len() - 1).unwrap_or(u32::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_dropped_folder_is_held_as_a_token_and_previews_like_a_picked_one() {
        let root = std::env::temp_dir().join(format!("sb-drop-{}", uuid::Uuid::new_v4()));
        let project = root.join("workspace6/General/.dbeaver");
        std::fs::create_dir_all(&project).unwrap();
        std::fs::write(
            project.join("data-sources.json"),
            r#"{"folders": {}, "connections": {"postgres-jdbc-1": {"provider": "postgresql",
               "driver": "postgres-jdbc", "name": "dropped", "configuration": {"host": "db.example.com",
               "port": "5432", "database": "app", "user": "me", "type": "dev"}}}}"#,
        )
        .unwrap();
        let sb = Switchboard::open(&root.join("data")).await.unwrap();
        let workspace = root.join("workspace6");
        let drop = tauri::DragDropEvent::Drop {
            paths: vec![workspace.clone(), root.join("other.txt")],
            position: tauri::PhysicalPosition::new(0.0, 0.0),
        };
        let Some(WindowNotice::Dropped { file, others }) = on_drag_drop(&sb, &drop) else {
            panic!("a drop is held");
        };
        assert_eq!((file.name.as_str(), others), ("workspace6", 1));
        let json = serde_json::to_string(&WindowNotice::Dropped {
            file: file.clone(),
            others,
        })
        .unwrap();
        assert!(
            !json.contains(root.to_str().unwrap()),
            "the page gets a token, never the path: {json}"
        );
        let preview = sb
            .preview_batch_with(Batch::Picked(&file.token), &Default::default())
            .await
            .unwrap();
        assert_eq!(preview.rows.len(), 1);
        assert_eq!(preview.rows[0].label, "dropped");
        // A drag from inside the page carries no paths and shows no drop target.
        let inside = tauri::DragDropEvent::Enter {
            paths: Vec::new(),
            position: tauri::PhysicalPosition::new(0.0, 0.0),
        };
        assert!(on_drag_drop(&sb, &inside).is_none());
        std::fs::remove_dir_all(&root).ok();
    }
}
