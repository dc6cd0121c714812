//! Does importing scale linearly with input size?
//!
//! For each adversarial input family this builds inputs of 64 KiB, 256 KiB and 1 MiB,
//! times `connstr::import` (or `connstr::batch::parse` for whole files) as the median of
//! five runs, and prints the ratio time(1 MiB) / time(256 KiB): about 4 is linear, 16 or
//! more would be quadratic. Pathological 1 MiB inputs (all `(`, `%`, `"`, `;`, `=`) are
//! timed once per size too; most of them are errors, which is fine.
//!
//! Run: `cargo bench -p switchboard-benches --bench import_scaling`

use std::hint::black_box;
use std::time::{Duration, Instant};

use switchboard_core::connstr::{self, batch};

const KIB: usize = 1024;
const SIZES: [usize; 3] = [64 * KIB, 256 * KIB, 1024 * KIB];
const RUNS: usize = 5;

/// What a family's input is handed to.
#[derive(Clone, Copy)]
enum Target {
    Import,
    Batch(Option<&'static str>),
}

struct Family {
    name: &'static str,
    target: Target,
    build: fn(usize) -> String,
}

/// Repeats `unit` (built from its index) until the text is at least `size` bytes,
/// between `head` and `tail`.
fn fill(size: usize, head: &str, tail: &str, unit: impl Fn(usize) -> String) -> String {
    let mut s = String::with_capacity(size + 256);
    s.push_str(head);
    let mut i = 0;
    while s.len() + tail.len() < size {
        s.push_str(&unit(i));
        i += 1;
    }
    s.push_str(tail);
    s
}

fn repeat_char(c: char, size: usize) -> String {
    std::iter::repeat_n(c, size).collect()
}

fn families() -> Vec<Family> {
    vec![
        Family {
            name: "pg uri, %-encoded password",
            target: Target::Import,
            build: |n| {
                fill(n, "postgresql://u:", "@db.example.test:5432/d", |_| {
                    "%41".into()
                })
            },
        },
        Family {
            name: "pg uri, many query params",
            target: Target::Import,
            build: |n| {
                fill(
                    n,
                    "postgresql://u@db.example.test/d?sslmode=require",
                    "",
                    |i| format!("&application_name=a{i}"),
                )
            },
        },
        Family {
            name: "libpq kv, many quoted values",
            target: Target::Import,
            build: |n| {
                fill(n, "host=db.example.test dbname=d user=u", "", |i| {
                    format!(" application_name='a \\'{i}\\' b'")
                })
            },
        },
        Family {
            name: "ado.net, many pairs",
            target: Target::Import,
            build: |n| {
                let long = "x".repeat(n / 4);
                let head = format!("Server=db.example.test;Database=d;Password=\"{long}\";");
                fill(n, &head, "", |i| format!("Application Name=a{i};"))
            },
        },
        Family {
            name: "jdbc:sqlserver, long {braced}",
            target: Target::Import,
            build: |n| {
                fill(
                    n,
                    "jdbc:sqlserver://db.example.test:1433;databaseName=d;password={",
                    "};",
                    |_| "ab}}c;=".into(),
                )
            },
        },
        Family {
            name: "mongodb, many hosts",
            target: Target::Import,
            build: |n| {
                let mut s = fill(n.saturating_sub(32), "mongodb://u:pw@", "", |i| {
                    format!("h{i}.example.test:27017,")
                });
                s.pop();
                s.push_str("/d?replicaSet=rs0");
                s
            },
        },
        Family {
            name: "mysql url, long password",
            target: Target::Import,
            build: |n| {
                fill(n, "mysql://u:", "@db.example.test:3306/d", |_| {
                    "p%40w".into()
                })
            },
        },
        Family {
            name: "oracle tns, nested + many ADDRESS",
            target: Target::Import,
            build: |n| {
                fill(
                    n,
                    "(DESCRIPTION=(ADDRESS_LIST=",
                    ")(CONNECT_DATA=(SERVICE_NAME=orcl)))",
                    |i| {
                        format!(
                            "(ADDRESS=(PROTOCOL=TCP)(HOST=h{i}.example.test)(PORT=1521)\
                             (X=(Y=(Z=(W=(V=1))))))"
                        )
                    },
                )
            },
        },
        Family {
            name: "sqlite path",
            target: Target::Import,
            build: |n| fill(n, "/", ".sqlite3", |_| "dir/".into()),
        },
        Family {
            name: "shell psql, long quoted arg",
            target: Target::Import,
            build: |n| {
                fill(n, "psql -h db.example.test -U u -d '", "'", |_| {
                    "a b\"c".into()
                })
            },
        },
        Family {
            name: ".env, many lines",
            target: Target::Batch(Some(".env")),
            build: |n| {
                fill(n, "", "", |i| {
                    format!("DB_{i}_URL=postgresql://u:pw@h{i}.example.test:5432/d{i}\n")
                })
            },
        },
        Family {
            name: ".pgpass, many lines",
            target: Target::Batch(Some(".pgpass")),
            build: |n| {
                fill(n, "", "", |i| {
                    format!("h{i}.example.test:5432:d{i}:u{i}:p\\:w{i}\n")
                })
            },
        },
        Family {
            name: "pg_service.conf, many sections",
            target: Target::Batch(Some("pg_service.conf")),
            build: |n| {
                fill(n, "", "", |i| {
                    format!("[svc{i}]\nhost=h{i}.example.test\nport=5432\ndbname=d\nuser=u\n\n")
                })
            },
        },
        Family {
            name: "json, many Lerian bodies",
            target: Target::Batch(Some("export.json")),
            build: |n| {
                let mut s = fill(n.saturating_sub(2), "[", "", |i| {
                    format!(
                        "{{\"configName\":\"c{i}\",\"type\":\"POSTGRESQL\",\"host\":\"h\",\
                         \"port\":5432,\"databaseName\":\"d\",\"userName\":\"u\"}},"
                    )
                });
                s.pop();
                s.push(']');
                s
            },
        },
        Family {
            // Once one import per `KEY=`: a stack overflow, and quadratic copying.
            name: "env line, KEY=KEY=… chain",
            target: Target::Import,
            build: |n| fill(n, "", "postgresql://u@db.example.test/d", |_| "A=".into()),
        },
        Family {
            name: "all '('",
            target: Target::Import,
            build: |n| repeat_char('(', n),
        },
        Family {
            name: "all '%'",
            target: Target::Import,
            build: |n| repeat_char('%', n),
        },
        Family {
            name: "all '\"'",
            target: Target::Import,
            build: |n| repeat_char('"', n),
        },
        Family {
            name: "all ';'",
            target: Target::Import,
            build: |n| repeat_char(';', n),
        },
        Family {
            name: "all '='",
            target: Target::Import,
            build: |n| repeat_char('=', n),
        },
    ]
}

/// One run; returns whether the input was accepted.
fn run(target: Target, input: &str) -> bool {
    match target {
        Target::Import => black_box(connstr::import(black_box(input))).is_ok(),
        Target::Batch(name) => black_box(batch::parse(black_box(input), name)).is_ok(),
    }
}

fn median(target: Target, input: &str) -> (Duration, bool) {
    let mut ok = false;
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            ok = run(target, input);
            t.elapsed()
        })
        .collect();
    times.sort();
    (times[RUNS / 2], ok)
}

fn fmt(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us >= 1000.0 {
        format!("{:.2} ms", us / 1000.0)
    } else {
        format!("{us:.1} µs")
    }
}

fn main() {
    println!(
        "{:<36} {:>10} {:>12} {:>12} {:>12} {:>8}  result",
        "family", "bytes@1MiB", "64 KiB", "256 KiB", "1 MiB", "1M/256K"
    );
    let mut worst: Option<(&str, f64)> = None;
    for fam in families() {
        let mut times = Vec::new();
        let mut last = (0, false);
        for size in SIZES {
            let input = (fam.build)(size);
            let (t, ok) = median(fam.target, &input);
            times.push(t);
            last = (input.len(), ok);
        }
        // A floor keeps sub-microsecond noise from posing as a ratio.
        let floor = Duration::from_micros(1).as_secs_f64();
        let ratio = times[2].as_secs_f64().max(floor) / times[1].as_secs_f64().max(floor);
        println!(
            "{:<36} {:>10} {:>12} {:>12} {:>12} {:>8.2}  {}",
            fam.name,
            last.0,
            fmt(times[0]),
            fmt(times[1]),
            fmt(times[2]),
            ratio,
            if last.1 { "ok" } else { "error" }
        );
        if worst.is_none_or(|(_, r)| ratio > r) {
            worst = Some((fam.name, ratio));
        }
    }
    if let Some((name, ratio)) = worst {
        println!("WORST RATIO: {name} {ratio:.2}");
    }
}
