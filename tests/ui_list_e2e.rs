//! 10,000 saved connections in the real window: the list is interactive with only the rows
//! in view in the DOM, in natural order (…-2 before …-10), scrolls to the end, keeps the
//! open connection's selection while it scrolls out of view and back, and a search by a
//! fragment of a host finds the one connection, in the list's search and in quick open
//! (Ctrl+K).

use fantoccini::{Client, Locator};
use switchboard_tests::many::{fill, nth};
use switchboard_tests::window::*;
use switchboard_tests::{data_dir, require_keyring_session, test_root};

const N: usize = 10_000;

async fn names_in_dom(c: &Client) -> Vec<String> {
    let v = c
        .execute(
            "return [...document.querySelectorAll('[data-testid=connection-item]')]\
               .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)\
               .map((e) => e.dataset.name);",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(v).unwrap()
}

async fn scroll_to(c: &Client, top: &str) {
    c.execute(
        &format!(
            "const s = document.querySelector('[data-testid=connection-scroller]');\
             s.scrollTop = {top}; s.dispatchEvent(new Event('scroll'));"
        ),
        vec![],
    )
    .await
    .unwrap();
    painted(c).await;
}

#[tokio::test]
async fn ten_thousand_connections_open_interactive_in_natural_order_with_only_visible_rows_in_the_dom(
) {
    require_keyring_session();
    let _one_window = WINDOW.lock().await;
    let data = data_dir("ui-list-10k");
    fill(&data, N).await;
    let (_driver, c) = open_window(&data).await;
    let outcome = async {
        let first = wait_for(&c, "[data-testid=connection-item]").await;
        let shown: usize = wait_for(&c, "ul.rows")
            .await
            .attr("data-shown")
            .await
            .unwrap()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(shown, N);
        let in_dom = names_in_dom(&c).await;
        assert!(
            !in_dom.is_empty() && in_dom.len() < 80,
            "{} rows in the DOM for {N} connections",
            in_dom.len()
        );
        // Natural order: audit-dev-af-0, -1, -2 … never -0, -1, -10.
        assert_eq!(
            &in_dom[..3],
            ["audit-dev-af-0", "audit-dev-af-1", "audit-dev-af-2"]
        );

        // The first row opens; scrolled far away it leaves the DOM, back again it is
        // still the open one.
        let opened = first.attr("data-name").await.unwrap().unwrap();
        first.click().await.unwrap();
        value_when(&c, "[name=name]", |v| v == opened).await;
        scroll_to(&c, "s.scrollHeight").await;
        let at_end = names_in_dom(&c).await;
        assert!(
            at_end.len() < 80,
            "{} rows in the DOM at the end",
            at_end.len()
        );
        assert!(!at_end.contains(&opened));
        // The last row in natural order is the highest replica of the last name.
        assert_eq!(
            at_end.last().map(String::as_str),
            Some("users-staging-us-49")
        );
        scroll_to(&c, "0").await;
        let current = wait_for(&c, "[data-testid=connection-item][aria-current=true]")
            .await
            .attr("data-name")
            .await
            .unwrap();
        assert_eq!(current.as_deref(), Some(opened.as_str()));
        assert_eq!(
            c.find(Locator::Css("[name=name]"))
                .await
                .unwrap()
                .prop("value")
                .await
                .unwrap()
                .as_deref(),
            Some(opened.as_str())
        );

        // A fragment of one host finds that connection alone.
        let (name, host) = nth(7_777);
        let fragment = &host[..host.find(".internal").unwrap()];
        fill_search(&c, fragment).await;
        let found = value_text_attr_when(&c, |names| names == [name.clone()]).await;
        assert_eq!(found, [name]);
        fill_search(&c, "").await;
        value_text_attr_when(&c, |names| names.len() > 5).await;

        // Ctrl+K: quick open finds one of 10,000 by a fragment of its host; Enter opens it.
        let (name, host) = nth(4_242);
        c.active_element()
            .await
            .unwrap()
            .send_keys("\u{E009}k\u{E000}")
            .await
            .unwrap();
        let input = wait_for(&c, "[data-testid=quick-open-input]").await;
        let fragment = &host[..host.find(".internal").unwrap()];
        input.send_keys(fragment).await.unwrap();
        let first = value_text_first_result(&c).await;
        assert_eq!(first, name);
        painted(&c).await;
        let shot = c.screenshot().await.unwrap();
        std::fs::write(test_root().join("ui-quick-open.png"), shot).unwrap();
        input.send_keys("\u{E007}").await.unwrap();
        value_when(&c, "[name=name]", |v| v == name).await;
        gone(&c, "[data-testid=quick-open]").await;
        let shot = c.screenshot().await.unwrap();
        std::fs::write(test_root().join("ui-list-10k.png"), shot).unwrap();
    }
    .await;
    c.close().await.ok();
    outcome
}

async fn fill_search(c: &Client, q: &str) {
    let el = c.find(Locator::Css("[data-testid=search]")).await.unwrap();
    // WebKit's WebDriver clear fires no input event; select-all and delete, as a user does.
    el.send_keys("\u{E009}a\u{E009}\u{E003}").await.unwrap();
    if !q.is_empty() {
        el.send_keys(q).await.unwrap();
    }
}

/// The names of the rows in the DOM once `ok` holds for them (10 s at most).
async fn value_text_attr_when(c: &Client, ok: impl Fn(&[String]) -> bool) -> Vec<String> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let names = names_in_dom(c).await;
        if ok(&names) {
            return names;
        }
        assert!(std::time::Instant::now() < deadline, "rows are {names:?}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The name of quick open's first result once its list has settled on one (10 s at most).
async fn value_text_first_result(c: &Client) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let v = c
            .execute(
                "const r = document.querySelectorAll('[data-testid=quick-open-result]');\
                 return r.length === 1 ? r[0].dataset.name : null;",
                vec![],
            )
            .await
            .unwrap();
        if let Some(name) = v.as_str() {
            return name.to_owned();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "quick open did not narrow to one result"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
