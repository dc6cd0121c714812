//! How long the import preview takes for a file whose lines all carry one name (a list
//! exported from another tool is full of `prod` and `localhost`): each row gets the next
//! free `-n` suffix, so the cost per row must not grow with the rows before it. Prints the
//! time for 5,000, 20,000 and 40,000 identical lines and for a file at the 4 MiB cap, and
//! the per-row cost at each size (flat is linear; growing with n is quadratic).
//!
//! Run: `cargo bench -p switchboard-benches --bench import_preview`

use std::time::Instant;

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
    let _ = std::fs::remove_dir_all(&dir);
}
