//! Everything a user can paste or drop on the import dialog: one connection string
//! (`connstr::import`), a whole file under each name hint (`connstr::batch::parse`), and
//! the libpq-exact parser. What imports is written back out in every format its engine
//! has. Errors are fine; panics, hangs and runaway memory are not.

#![no_main]

use libfuzzer_sys::fuzz_target;
use switchboard_model::connstr::{self, batch};
use switchboard_model::libpq;
use switchboard_model::connstr::ExportContext;

const FILE_NAMES: [Option<&str>; 5] = [
    Some(".env"),
    Some(".pgpass"),
    Some("pg_service.conf"),
    Some("export.json"),
    None,
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);

    if let Ok(parsed) = connstr::import(&text) {
        let ctx = ExportContext::default();
        let fields = &parsed.imported.fields;
        for fmt in connstr::formats_for(fields.engine) {
            let _ = connstr::export(fields, &ctx, fmt);
        }
    }

    for name in FILE_NAMES {
        let _ = batch::parse(&text, name);
    }

    let _ = libpq::parse(&text);
});
