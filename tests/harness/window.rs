//! The real app window for the e2e tests: tauri-driver + Debian's WebKitWebDriver under
//! Xvfb, and the small waits every window test needs.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

use crate::{net, test_root, workspace_bin};

pub struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn tauri_driver() -> PathBuf {
    let from_cargo = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|c| c.join("bin").join("tauri-driver"));
    match from_cargo.filter(|p| p.exists()) {
        Some(p) => p,
        None => PathBuf::from("tauri-driver"),
    }
}

/// One window at a time: two WebKit sessions on 2 cores make both flaky.
pub static WINDOW: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub fn start_driver(data: &Path) -> (Driver, u16) {
    start_driver_env(data, &[])
}

/// `start_driver`, the app getting `env` besides (e.g. where other tools keep their files).
pub fn start_driver_env(data: &Path, env: &[(&str, &Path)]) -> (Driver, u16) {
    let port = net::free_port();
    let native = net::free_port();
    let log = std::fs::File::create(test_root().join(format!("tauri-driver-{port}.log"))).unwrap();
    let child = Command::new(tauri_driver())
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .env("SWITCHBOARD_DATA_DIR", data)
        // DbGate's and libpq's overrides of their places stay out of the window's discovery.
        .env_remove("WORKSPACE_DIR")
        .env_remove("PGSERVICEFILE")
        .env_remove("PGSYSCONFDIR")
        .envs(env.iter().map(|(k, v)| (*k, *v)))
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("tauri-driver (installed by the test command: cargo install tauri-driver)");
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "tauri-driver did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (Driver(child), port)
}

/// What the X display's clipboard holds, read as another program would (xclip).
pub fn system_clipboard() -> String {
    let out = Command::new("xclip")
        .args(["-selection", "clipboard", "-o"])
        .output()
        .expect("xclip (installed by the test command)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub async fn fill(c: &Client, name: &str, value: &str) {
    let el = c
        .find(Locator::Css(&format!("[name={name}]")))
        .await
        .unwrap();
    el.clear().await.unwrap();
    el.send_keys(value).await.unwrap();
}

pub async fn open_window(data: &Path) -> (Driver, Client) {
    open_window_env(data, &[]).await
}

/// `open_window` with `env` given to the app.
pub async fn open_window_env(data: &Path, env: &[(&str, &Path)]) -> (Driver, Client) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (driver, port) = start_driver_env(data, env);
    let mut caps = serde_json::Map::new();
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({ "application": workspace_bin("switchboard-app") }),
    );
    caps.insert("browserName".into(), "wry".into());
    let c = ClientBuilder::rustls()
        .unwrap()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("WebDriver session");
    (driver, c)
}

/// The value of the first element matching `css`, once `ok` holds for it (10 s at most).
/// An element replaced while it is read (the form re-rendered) is looked up again.
pub async fn value_when(c: &Client, css: &str, ok: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let v = match c.find(Locator::Css(css)).await {
            Ok(e) => e.prop("value").await.ok().map(Option::unwrap_or_default),
            Err(_) => None,
        };
        if let Some(v) = v.as_deref().filter(|v| ok(v)) {
            return v.to_owned();
        }
        assert!(Instant::now() < deadline, "{css} has value {v:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The text of the first element matching `css`, once `ok` holds for it (10 s at most).
pub async fn value_text_when(c: &Client, css: &str, ok: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let t = match c.find(Locator::Css(css)).await {
            Ok(e) => e.text().await.ok(),
            Err(_) => None,
        };
        if let Some(t) = t.as_deref().filter(|t| ok(t)) {
            return t.to_owned();
        }
        assert!(Instant::now() < deadline, "{css} says {t:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Everything but RFC 3986's unreserved characters percent-encoded.
pub fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Waits for `css`; on timeout saves a screenshot and fails with what the page says.
pub async fn wait_for(c: &Client, css: &str) -> fantoccini::elements::Element {
    match c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
    {
        Ok(e) => e,
        Err(e) => {
            let shot = test_root().join("ui-e2e-failure.png");
            if let Ok(png) = c.screenshot().await {
                std::fs::write(&shot, png).ok();
            }
            let body = match c.find(Locator::Css("body")).await {
                Ok(b) => b.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            panic!(
                "{css} did not appear ({e}); screenshot {}; page text:\n{body}",
                shot.display()
            )
        }
    }
}

/// The text of the element `css` names, if it is on screen: what is drawn at its centre is
/// it or inside it. WebDriver's own visibility test calls a line-clamped box (the broken
/// row's reason, `display: -webkit-box`) hidden although the screenshot shows it.
pub async fn shown_text(c: &Client, css: &str) -> Option<String> {
    let found = c
        .execute(
            "const el = document.querySelector(arguments[0]);\
             if (!el) return null;\
             const r = el.getBoundingClientRect();\
             const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);\
             return r.width > 0 && r.height > 0 && el.contains(at) ? el.textContent : null;",
            vec![serde_json::Value::from(css)],
        )
        .await
        .unwrap();
    found.as_str().map(str::to_owned)
}

/// Waits for the next frame to be drawn: a screenshot taken right after the first render
/// can come out blank.
pub async fn painted(c: &Client) {
    c.execute_async(
        "const done = arguments[arguments.length - 1];\
         requestAnimationFrame(() => requestAnimationFrame(() => done(null)));",
        vec![],
    )
    .await
    .unwrap();
}

/// Waits until nothing matches `css` (10 s at most).
pub async fn gone(c: &Client, css: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while c.find(Locator::Css(css)).await.is_ok() {
        assert!(Instant::now() < deadline, "{css} is still there");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The X window whose title is `title` (the native dialog), once it is mapped (10 s).
pub fn dialog_window(title: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(id) = visible_windows(title).into_iter().next() {
            return id;
        }
        assert!(
            Instant::now() < deadline,
            "no dialog titled {title:?} appeared"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn visible_windows(title: &str) -> Vec<String> {
    let out = Command::new("xdotool")
        .args(["search", "--onlyvisible", "--name", title])
        .output()
        .expect("xdotool (installed by the test command)");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Answers the dialog titled `title` with one key (`Escape`, `Return`, a button's
/// mnemonic such as `alt+s`), as the user at the keyboard, and waits until the dialog is
/// gone. A key that never arrived (the dialog not yet focused on a slow machine) leaves
/// the dialog up and is pressed again; one key answers or does nothing, so a repeat
/// cannot choose differently. Nothing here depends on which button has the focus.
pub fn answer_dialog(title: &str, key: &str) {
    assert!(
        !key.contains(' '),
        "one key a call: a sequence could be half-delivered and then repeated"
    );
    dialog_window(title);
    for _ in 0..5 {
        let Some(id) = visible_windows(title).into_iter().next() else {
            return;
        };
        // GTK ignores keys sent to a window (XSendEvent); focus it and type through XTEST,
        // once the X server says it has the focus.
        let focused = Command::new("xdotool")
            .args(["windowfocus", "--sync", &id])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        let now = Command::new("xdotool").arg("getwindowfocus").output();
        let has_focus = now
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == id)
            .unwrap_or(false);
        if focused && has_focus {
            std::thread::sleep(Duration::from_millis(200));
            let ok = Command::new("xdotool")
                .args(["key", "--clearmodifiers", key])
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            assert!(ok, "xdotool could not press {key} in {title:?}");
        }
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if visible_windows(title).is_empty() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("the dialog {title:?} did not answer {key}");
}

/// Saves through the native save dialog titled `title` as the user would: the whole path
/// typed into its name field, then Enter; waits until the dialog is gone.
pub fn save_in_dialog(title: &str, path: &std::path::Path) {
    let id = dialog_window(title);
    let focused = Command::new("xdotool")
        .args(["windowfocus", "--sync", &id])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(focused, "xdotool could not focus {title:?}");
    std::thread::sleep(Duration::from_millis(300));
    for args in [
        vec!["key", "--clearmodifiers", "ctrl+a"],
        vec!["type", "--delay", "5", path.to_str().expect("a UTF-8 path")],
        vec!["key", "--clearmodifiers", "Return"],
    ] {
        let ok = Command::new("xdotool")
            .args(&args)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "xdotool {args:?} failed in {title:?}");
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while !visible_windows(title).is_empty() {
        assert!(
            Instant::now() < deadline,
            "the dialog {title:?} is still up"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Picks a theme in the sidebar and waits until the page wears it.
pub async fn choose_theme(c: &Client, theme: &str) {
    wait_for(c, "[data-testid=theme]")
        .await
        .select_by_value(theme)
        .await
        .unwrap();
    wait_for(c, &format!("html[data-theme={theme}]")).await;
}

/// Runs axe-core (from the UI's npm packages) on the page; fails on any serious or
/// critical violation, naming the rule and the elements.
pub async fn accessible(c: &Client, state: &str) {
    let axe = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../ui/node_modules/axe-core/axe.min.js"),
    )
    .expect("axe-core (ui devDependency, installed by the test command)");
    c.execute(&axe, vec![]).await.unwrap();
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             axe.run(document, { resultTypes: ['violations'] }).then((r) => done(r.violations\
               .filter((v) => v.impact === 'serious' || v.impact === 'critical')\
               .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} (${n.any[0]?.message ?? ''})`).join(', ')}`)));",
            vec![],
        )
        .await
        .unwrap();
    let violations: Vec<String> = serde_json::from_value(found).unwrap();
    assert!(
        violations.is_empty(),
        "accessibility ({state}):\n{}",
        violations.join("\n")
    );
}
