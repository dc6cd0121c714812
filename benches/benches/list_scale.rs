//! The connection list at 0, 1,000 and 10,000 saved connections: what a user waits for
//! and what the window costs.
//!
//! ```text
//! cargo build --release --workspace
//! .ci/with-session.sh cargo bench -p switchboard-benches --bench list_scale
//! ```
//! (the release `switchboard` and `switchboard-app` are what it runs; Xvfb, tauri-driver and
//! WebKitWebDriver come from the test command's set-up). Prints figures; asserts nothing
//! about time. Goals at 10,000 (issue 13): start → list interactive ≤ 1.0 s, window PSS
//! ≤ 350 MiB, filter keystroke ≤ 16 ms, `switchboard list` ≤ 150 ms.
//!
//! - `switchboard list`: the CLI's whole run (process start to exit), median of 7.
//! - start → list interactive: from asking tauri-driver for a window (which starts the
//!   app) until the list's first row exists and the loading note is gone; median of 3
//!   launches (one launch on a shared 2-core machine varies by ±150 ms).
//! - PSS: the app and every WebKit process it started (`/proc/PID/smaps_rollup`), 2 s
//!   after the list is interactive, in the last launch; each process's share printed.
//! - filter keystroke: in the page, from setting the search box's value to the list's
//!   rows re-rendered and laid out (a forced layout; paint not included), median of 9
//!   queries that match many, few and no rows.
//! - open a connection: in the page, from the click on a row to the form showing its
//!   name (no WebDriver round trip inside the figure), median of 9.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use switchboard_tests::many::fill;
use switchboard_tests::window::{open_window, wait_for};
use switchboard_tests::{data_dir, workspace_bin};

const SIZES: [usize; 3] = [0, 1_000, 10_000];

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn cli_list_ms(dir: &Path) -> f64 {
    let bin = workspace_bin("switchboard");
    let runs: Vec<f64> = (0..7)
        .map(|_| {
            let t = Instant::now();
            let out = Command::new(&bin)
                .arg("list")
                .env("SWITCHBOARD_DATA_DIR", dir)
                .output()
                .expect("switchboard list");
            assert!(out.status.success(), "switchboard list failed");
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    median(runs)
}

/// The app's process and its descendants (WebKit's web and network processes).
fn process_tree(name: &str) -> Vec<u32> {
    let mut all: Vec<(u32, u32, String)> = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // pid (comm) state ppid …: comm may hold spaces, so split after the last ')'.
        let Some(close) = stat.rfind(')') else {
            continue;
        };
        let comm = stat[stat.find('(').map_or(0, |o| o + 1)..close].to_owned();
        let ppid = stat[close + 2..]
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        all.push((pid, ppid, comm));
    }
    let mut tree: Vec<u32> = all
        .iter()
        .filter(|(_, _, comm)| comm.starts_with(name))
        .map(|(pid, _, _)| *pid)
        .collect();
    let mut grew = true;
    while grew {
        grew = false;
        for (pid, ppid, _) in &all {
            if tree.contains(ppid) && !tree.contains(pid) {
                tree.push(*pid);
                grew = true;
            }
        }
    }
    tree
}

/// The PSS of each process (its name and MiB) and their sum.
fn pss_mib(pids: &[u32]) -> (f64, String) {
    let mut parts = Vec::new();
    for pid in pids {
        let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else {
            continue;
        };
        let kib = text
            .lines()
            .find(|l| l.starts_with("Pss:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        parts.push((comm.trim().to_owned(), kib as f64 / 1024.0));
    }
    let total = parts.iter().map(|(_, m)| m).sum();
    let each = parts
        .iter()
        .map(|(name, m)| format!("{name} {m:.0}"))
        .collect::<Vec<_>>()
        .join(", ");
    (total, each)
}

/// Sets the search box to `q` from inside the page and times the list's re-render and
/// layout, in ms.
async fn keystroke_ms(c: &Client, q: &str) -> f64 {
    let v = c
        .execute_async(
            "const [q, done] = arguments;\
             const box = document.querySelector('[data-testid=search]');\
             const t0 = performance.now();\
             box.value = q;\
             box.dispatchEvent(new Event('input', { bubbles: true }));\
             queueMicrotask(() => Promise.resolve().then(() => {\
               const list = document.querySelector('[data-testid=connection-scroller]');\
               void list.offsetHeight;\
               void document.querySelectorAll('[data-testid=connection-item]').length;\
               done(performance.now() - t0);\
             }));",
            vec![q.into()],
        )
        .await
        .expect("keystroke script");
    v.as_f64().unwrap_or(f64::NAN)
}

/// In the page: from the click on the row named `name` to the form holding that name
/// (polled with setTimeout, a few ms of granularity); no WebDriver round trip inside.
async fn open_ms(c: &Client, name: &str) -> f64 {
    let v = c
        .execute_async(
            "const [name, done] = arguments;\
             const row = [...document.querySelectorAll('[data-testid=connection-item]')]\
               .find((r) => r.dataset.name === name);\
             const t0 = performance.now();\
             row.click();\
             const check = () => {\
               const el = document.querySelector('[name=name]');\
               if (el && el.value === name) done(performance.now() - t0);\
               else setTimeout(check, 1);\
             };\
             check();",
            vec![name.into()],
        )
        .await
        .expect("open script");
    v.as_f64().unwrap_or(f64::NAN)
}

struct Figures {
    n: usize,
    cli_ms: f64,
    start_ms: f64,
    pss: f64,
    pss_each: String,
    keystroke_ms: f64,
    open_ms: f64,
}

async fn measure(n: usize) -> Figures {
    let dir = data_dir(&format!("bench-list-{n}"));
    fill(&dir, n).await;
    let cli_ms = cli_list_ms(&dir);

    let ready = if n == 0 {
        "[data-testid=first-new]"
    } else {
        "[data-testid=connection-item]"
    };
    let mut starts = Vec::new();
    let mut window = None;
    for launch in 0..3 {
        if let Some((driver, c)) = window.take() {
            let c: Client = c;
            c.close().await.ok();
            drop(driver);
            // Let the last app and its driver exit before the next one starts.
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        let t = Instant::now();
        let (driver, c) = open_window(&dir).await;
        wait_for(&c, ready).await;
        while c.find(Locator::Css("p.none[role=status]")).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        starts.push(t.elapsed().as_secs_f64() * 1000.0);
        window = Some((driver, c));
        if launch < 2 {
            // Let the app settle before it is closed and started again.
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    let start_ms = median(starts);
    let Some((_driver, c)) = window else {
        unreachable!("three launches ran")
    };

    tokio::time::sleep(Duration::from_secs(2)).await;
    let (pss, pss_each) = pss_mib(&process_tree("switchboard-app"));

    let mut keys = Vec::new();
    let mut opens = Vec::new();
    if n > 0 {
        for q in [
            "o",
            "or",
            "ord",
            "orders-prod",
            "eu",
            "db-7",
            "zzz",
            "billing-qa-ap",
            "",
        ] {
            keys.push(keystroke_ms(&c, q).await);
        }
        for k in 0..9 {
            let rows = c
                .find_all(Locator::Css("[data-testid=connection-item]"))
                .await
                .expect("rows");
            let row = &rows[k % rows.len()];
            let name = row
                .attr("data-name")
                .await
                .ok()
                .flatten()
                .unwrap_or_default();
            drop(rows);
            opens.push(open_ms(&c, &name).await);
        }
    }
    c.close().await.ok();
    Figures {
        n,
        cli_ms,
        start_ms,
        pss,
        pss_each,
        keystroke_ms: if keys.is_empty() {
            f64::NAN
        } else {
            median(keys)
        },
        open_ms: if opens.is_empty() {
            f64::NAN
        } else {
            median(opens)
        },
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    println!(
        "{:>7} | {:>18} | {:>24} | {:>13} | {:>18} | {:>10}",
        "saved",
        "switchboard list",
        "start → list interactive",
        "window PSS",
        "filter keystroke",
        "open one"
    );
    for n in SIZES {
        let f = measure(n).await;
        println!(
            "{:>7} | {:>15.1} ms | {:>21.0} ms | {:>9.0} MiB | {:>15.2} ms | {:>7.1} ms",
            f.n, f.cli_ms, f.start_ms, f.pss, f.keystroke_ms, f.open_ms
        );
        println!("{:>7} | PSS by process (MiB): {}", "", f.pss_each);
    }
}
