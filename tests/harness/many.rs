//! Data dirs with thousands of saved connections, for the list's e2e and its bench.

use std::path::Path;

use switchboard_core::imports::Batch;
use switchboard_core::Switchboard;

pub const SERVICES: [&str; 10] = [
    "orders", "billing", "ledger", "search", "users", "events", "audit", "catalog", "payments",
    "shipping",
];
pub const ENVS: [&str; 4] = ["prod", "staging", "dev", "qa"];
pub const REGIONS: [&str; 5] = ["eu", "us", "ap", "sa", "af"];

/// The name and host of connection `i`: services × environments × regions × replicas,
/// the replica last so that natural order matters (`…-2` before `…-10`).
pub fn nth(i: usize) -> (String, String) {
    let service = SERVICES[i % SERVICES.len()];
    let env = ENVS[(i / SERVICES.len()) % ENVS.len()];
    let region = REGIONS[(i / (SERVICES.len() * ENVS.len())) % REGIONS.len()];
    let replica = i / (SERVICES.len() * ENVS.len() * REGIONS.len());
    (
        format!("{service}-{env}-{region}-{replica}"),
        format!("db-{replica}.{region}.{service}.{env}.internal"),
    )
}

/// `n` PostgreSQL connections as a pg_service.conf (one section each, verify-full).
pub fn service_file(n: usize) -> String {
    let mut out = String::with_capacity(n * 140);
    for i in 0..n {
        let (name, host) = nth(i);
        let dbname = name.split('-').next().unwrap_or("app");
        out.push_str(&format!(
            "[{name}]\nhost={host}\nport=5432\ndbname={dbname}\nuser=app\nsslmode=verify-full\n\n"
        ));
    }
    out
}

/// Saves `n` such connections in `dir` in one import (one transaction).
pub async fn fill(dir: &Path, n: usize) {
    let sb = Switchboard::open(dir).await.expect("open data dir");
    if n > 0 {
        let text = service_file(n);
        let done = sb
            .import_batch(Batch::Text(&text), None)
            .await
            .expect("import");
        assert_eq!(done.created.len(), n, "every generated connection saved");
    }
}
