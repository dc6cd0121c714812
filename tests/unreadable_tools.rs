//! Other tools' lists Switchboard cannot read are named, with why and what to do, instead
//! of failing on their bytes: a TablePlus export (sealed with a password in a format only
//! TablePlus opens; TablePlus/TablePlus #2018) and Navicat's .ncx (not read yet). Facts:
//! docs/research/other_tools.md. Against a real SQLite file and the CLI as users run it.

use switchboard_core::imports::{Batch, ImportOptions};
use switchboard_core::sources::Tool;
use switchboard_core::ErrorCode;
use switchboard_tests::imports::{discover, open};
use switchboard_tests::test_root;

#[tokio::test]
async fn files_of_tools_switchboard_cannot_read_are_named_with_the_way_out_and_nothing_is_saved() {
    let sb = open("unreadable-tools").await;
    let dir = test_root().join(format!("unreadable-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        (
            "all_dump.tableplusconnection",
            b"\x8a\x01\xfe sealed bytes".to_vec(),
            "TablePlus",
            "seals its exports",
        ),
        (
            "connections.ncx",
            b"<?xml version=\"1.0\"?><Connections Ver=\"1.5\"><Connection ConnectionName=\"a\"/></Connections>".to_vec(),
            "Navicat",
            ".ncx",
        ),
    ];
    for (name, bytes, tool, why) in cases {
        let file = dir.join(name);
        std::fs::write(&file, bytes).unwrap();
        let e = sb.preview_batch(Batch::File(&file)).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::PayloadInvalid, "{name}: {e}");
        let said = e.to_string();
        assert!(said.contains(tool) && said.contains(why), "{name}: {said}");
        assert!(
            e.hint().contains("paste") || e.hint().contains("Paste"),
            "{name}: {}",
            e.hint()
        );
    }
    // Naming the tool is enough to be told, whatever the file.
    let e = sb
        .preview_batch_with(
            Batch::File(&dir.join("connections.ncx")),
            &ImportOptions {
                from: Some(Tool::Tableplus),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("TablePlus"), "{e}");
    assert!(sb.summaries().await.unwrap().connections.is_empty());
}

#[test]
fn discover_names_tableplus_with_a_note_instead_of_an_import() {
    let home = test_root().join(format!("tableplus-home-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(home.join(".tableplus/data")).unwrap();
    let found = discover(&home, &[], "tableplus-discover");
    let tp = switchboard_tests::imports::offer(&found, "tableplus");
    let note = tp["note"].as_str().unwrap();
    assert!(note.contains("keyring") && note.contains("paste"), "{note}");
    assert_eq!(tp["connections"], 0);
}
