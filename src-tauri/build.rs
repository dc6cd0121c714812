fn main() {
    // Our commands get generated allow-* permissions, and only those the capability file
    // grants can be invoked; capabilities live under src-tauri/ (tauri.conf.json is at the root).
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*.json")
        .app_manifest(tauri_build::AppManifest::new().commands(&[
            "startup_problem",
            "list_summaries",
            "listing_stamp",
            "get_connection",
            "open_connection",
            "create_folder",
            "rename_folder",
            "delete_folder",
            "set_folder_collapsed",
            "change_connections",
            "set_favourite",
            "delete_connections",
            "undo_delete",
            "export_connections",
            "create_connection",
            "update_connection",
            "delete_connection",
            "duplicate_connection",
            "cancel_test",
            "test_many",
            "list_last_tests",
            "test_draft",
            "validate_connection",
            "suggest_handle",
            "list_ssh_aliases",
            "open_tunnel",
            "close_tunnel",
            "list_tunnels",
            "list_environments",
            "list_engines",
            "pick_pem_file",
            "reveal_password",
            "parse_connection_string",
            "copy_connection",
            "preview_connection_string",
            "export_formats",
            "preview_import",
            "import_rows",
            "discover_sources",
            "pick_import_file",
            "pick_import_folder",
            "rebase_edits",
            "watch_window",
            "set_unsaved",
            "close_window",
        ]));
    if let Err(e) = tauri_build::try_build(attributes) {
        panic!("tauri-build failed: {e:#}");
    }
}
