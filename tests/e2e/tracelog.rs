//! The plug-in trace log as Dataverse keeps it: the organization's `plugintracelogsetting`
//! (0 Off, 1 Exception: the default, 2 All) decides which calls leave a row; rows are
//! written in the background, never in the request path; administrators change the setting
//! over the Web API (applied to the next call) and the CLI (another process: applied within
//! the bound).

use serde_json::json;
use switchboard_model::ids::ORGANIZATION_ID;

use crate::support::*;

/// Trace rows of the reverse and business-fault plug-ins: (reverse rows, fault rows).
async fn rows(s: &Served) -> (usize, usize) {
    let r = get(&s.url("plugintracelogs?$select=typename,exceptiondetails")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let value = r.json["value"].as_array().unwrap();
    let count = |name: &str| value.iter().filter(|t| t["typename"] == name).count();
    (
        count("Samples.Reverse"),
        count("Samples.Faults.BusinessError"),
    )
}

/// One successful and one failing plug-in call.
async fn call_both(s: &Served) {
    let r = post(&s.url("sb_Reverse"), json!({"StringParameter": "abc"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    post(&s.url("sb_FaultBusiness"), json!({}))
        .await
        .error(400, "0x80040265");
}

/// Waits until the rows are as expected (the writer is asynchronous), then checks they
/// stay so (nothing more arrives late).
async fn expect_rows(s: &Served, expected: (usize, usize)) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while rows(s).await != expected {
        assert!(
            std::time::Instant::now() < deadline,
            "trace rows {:?}, expected {expected:?}",
            rows(s).await
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(rows(s).await, expected, "rows arrived late");
}

#[tokio::test]
async fn the_setting_decides_which_calls_leave_a_row() {
    let s = serve(&[&plugin_solution()]);
    let org = get(&s.url("organizations")).await;
    assert_eq!(org.status, 200, "{}", org.text);
    assert_eq!(
        org.json["value"][0]["organizationid"],
        ORGANIZATION_ID.to_string()
    );
    assert_eq!(
        org.json["value"][0]["plugintracelogsetting"], 1,
        "{}",
        org.text
    );

    // 1 Exception (the default): only the failure leaves a row, with its exception.
    call_both(&s).await;
    expect_rows(&s, (0, 1)).await;
    let failure = get(&s.url(
        "plugintracelogs?$select=exceptiondetails&$filter=typename eq 'Samples.Faults.BusinessError'",
    ))
    .await;
    assert!(
        failure.json["value"][0]["exceptiondetails"]
            .as_str()
            .is_some_and(|e| !e.is_empty()),
        "{}",
        failure.text
    );

    // 2 All: every call, from the next call on.
    set_trace_log(&s, 2).await;
    call_both(&s).await;
    expect_rows(&s, (1, 2)).await;

    // 0 Off: none.
    set_trace_log(&s, 0).await;
    call_both(&s).await;
    expect_rows(&s, (1, 2)).await;
    let org = get(&s.url("organizations")).await;
    assert_eq!(org.json["value"][0]["plugintracelogsetting"], 0);
}

#[tokio::test]
async fn the_cli_changes_the_setting_of_a_running_server() {
    let s = serve(&[&plugin_solution()]);
    let out = run(
        &s.db.url,
        &["organization", "set", "--plugin-trace-log", "all"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("plugintracelogsetting 2 (All)"),
        "{}",
        stdout(&out)
    );
    // Another process's change: applied within the bound.
    let deadline = std::time::Instant::now() + CHANGE_BOUND;
    loop {
        let r = post(&s.url("sb_Reverse"), json!({"StringParameter": "abc"})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        if rows(&s).await.0 > 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the CLI's setting was not applied within {CHANGE_BOUND:?}"
        );
    }
    let shown = run(&s.db.url, &["organization", "show"]);
    assert!(
        stdout(&shown).contains("Organization Switchboard: plugintracelogsetting 2 (All)"),
        "{}",
        stdout(&shown)
    );
    let bad = run(
        &s.db.url,
        &["organization", "set", "--plugin-trace-log", "3"],
    );
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("--plugin-trace-log"),
        "{}",
        stderr(&bad)
    );
}

#[tokio::test]
async fn only_administrators_change_it_and_only_to_known_values() {
    let s = serve(&[&plugin_solution()]);
    let url = s.url(&format!("organizations({ORGANIZATION_ID})"));
    let client = reqwest::Client::new();
    let bad = send(
        client
            .patch(&url)
            .json(&json!({"plugintracelogsetting": 7})),
    )
    .await
    .error(400, "0x80040203");
    assert!(
        bad.contains("plugintracelogsetting must be 0 (Off), 1 (Exception) or 2 (All)"),
        "{bad}"
    );
    send(client.patch(&url).json(&json!({"name": "x"})))
        .await
        .error(400, "0x80060888");
    assert!(run(&s.db.url, &["user", "add", "ola"]).status.success());
    let ola = create_token(&s.db.url, "ola", &[]);
    let m = send(
        client
            .patch(&url)
            .bearer_auth(&ola)
            .json(&json!({"plugintracelogsetting": 2})),
    )
    .await
    .error(403, "0x80040220");
    assert!(
        m.contains("Only a System Administrator can change organization records"),
        "{m}"
    );
    let org = get(&s.url("organizations")).await;
    assert_eq!(
        org.json["value"][0]["plugintracelogsetting"], 1,
        "unchanged"
    );
}
