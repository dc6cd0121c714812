//! How long the import preview takes for a file whose lines all carry one name (a list
//! exported from another tool is full of `prod` and `localhost`): each row gets the next
//! free `-n` suffix, so the cost per row must not grow with the rows before it. Prints the
//! time for 5,000, 20,000 and 40,000 identical lines and for a file at the 4 MiB cap, and
//! the per-row cost at each size (flat is linear; growing with n is quadratic).
//!
//! Then a DBeaver project of 10,000 connections (every one with a folder, an SSH tunnel with
//! a jump host and an SSL handler), previewed from its folder as `import --file` does, and
//! 10,000 connections in the file of each of pgAdmin, Azure Data Studio (whose reader VS
//! Code's settings share), Compass, Workbench, DataGrip, SSMS, DbGate, HeidiSQL, Sequel Ace
//! and Beekeeper (`import_preview/tool_files.rs`) (goal, issue 14: ≤ 2 s each).
//!
//! Run: `cargo bench -p switchboard-benches --bench import_preview`

use std::time::Instant;

#[path = "import_preview/tool_files.rs"]
mod tool_files;

use switchboard_core::Switchboard;

const LINE: &str = "postgresql://app@db.example.test:5432/orders?sslmode=verify-full\n";

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let dir = std::env::temp_dir().join(format!("sb-bench-preview-{}", std::process::id()));
    let sb = Switchboard::open(&dir).await.expect("open a data dir");
    let cap = 4 * 1024 * 1024 / LINE.len() - 1;
    for n in [5_000, 20_000, 40_000, cap] {
        let text = LINE.repeat(n);
        let t = Instant::now();
        let preview = sb.preview_import(&text, None).await.expect("preview");
        let took = t.elapsed();
        assert_eq!(preview.rows.len(), n);
        println!(
            "{n:>6} identical lines ({:>4} KiB): {:>8.3} s, {:>6.2} µs per row",
            text.len() / 1024,
            took.as_secs_f64(),
            took.as_secs_f64() * 1e6 / n as f64
        );
    }
    dbeaver(&sb, &dir).await;
    let n = 10_000;
    let files = [
        tool_files::pgadmin(&dir, n),
        tool_files::ads(&dir, n),
        tool_files::compass(&dir, n),
        tool_files::workbench(&dir, n),
        tool_files::datagrip(&dir, n),
        tool_files::ssms(&dir, n),
        tool_files::dbgate(&dir, n),
        tool_files::heidisql(&dir, n),
        tool_files::sequel_ace(&dir, n),
        tool_files::beekeeper(&dir, n).await,
    ];
    for f in files {
        let t = Instant::now();
        let preview = sb
            .preview_batch(switchboard_core::imports::Batch::File(&f.path))
            .await
            .expect("preview");
        let took = t.elapsed();
        assert_eq!(preview.rows.len(), n, "{}", f.tool);
        let ready = preview
            .rows
            .iter()
            .filter(|r| r.status == switchboard_core::imports::RowStatus::Ready)
            .count();
        assert_eq!(
            ready, n,
            "{}: every row reads ({:?})",
            f.tool, preview.rows[0]
        );
        println!(
            "{:<34} {n} connections: {:>8.3} s, {:>6.2} µs per row (goal ≤ 2 s)",
            f.tool,
            took.as_secs_f64(),
            took.as_secs_f64() * 1e6 / n as f64
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

async fn dbeaver(sb: &Switchboard, dir: &std::path::Path) {
    let n = 10_000;
    let meta = dir.join("DBeaverData/workspace6/General/.dbeaver");
    std::fs::create_dir_all(&meta).expect("project dir");
    let conns: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#""postgres-jdbc-{i:x}": {{"provider": "postgresql", "driver": "postgres-jdbc",
  "name": "svc-{i} (eu-{r})", "folder": "Region {r}/Team {t}/prod",
  "configuration": {{"host": "db-{i}.internal.example.com", "port": "5432", "database": "app", "user": "app",
    "configurationType": "MANUAL", "type": "prod",
    "handlers": {{
      "ssh_tunnel": {{"type": "TUNNEL", "enabled": true, "user": "gw", "properties": {{
        "jumpServer0.enabled": true, "jumpServer0.host": "bastion.example.com",
        "jumpServer0.port": 22, "jumpServer0.name": "jump", "jumpServer0.authType": "AGENT",
        "host": "gw-{r}.internal", "port": 22, "authType": "PASSWORD"}}}},
      "postgre_ssl": {{"type": "CONFIG", "enabled": true, "properties": {{"sslMode": "verify-full"}}}}
    }}}}}}"#,
                r = i % 7,
                t = i % 13
            )
        })
        .collect();
    let text = format!("{{\"connections\": {{{}}}}}", conns.join(",\n"));
    std::fs::write(meta.join("data-sources.json"), &text).expect("write the project");
    let t = Instant::now();
    let preview = sb
        .preview_batch(switchboard_core::imports::Batch::File(
            &dir.join("DBeaverData"),
        ))
        .await
        .expect("preview");
    let took = t.elapsed();
    assert_eq!(preview.rows.len(), n);
    assert!(
        preview
            .rows
            .iter()
            .all(|r| r.status == switchboard_core::imports::RowStatus::Ready),
        "every DBeaver row reads: {:?}",
        preview
            .rows
            .iter()
            .find(|r| r.status != switchboard_core::imports::RowStatus::Ready)
    );
    println!(
        "DBeaver project, {n} connections ({:>4} KiB): {:>8.3} s, {:>6.2} µs per row (goal ≤ 2 s)",
        text.len() / 1024,
        took.as_secs_f64(),
        took.as_secs_f64() * 1e6 / n as f64
    );
}
