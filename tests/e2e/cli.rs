//! Command-line behaviour: listing, usage errors, unreadable paths.

use crate::support::*;

#[test]
fn list_prints_apis_with_parameters() {
    let db = sqlite();
    let empty = run(&db.url, &["list"]);
    assert!(empty.status.success());
    assert!(stderr(&empty).contains("no custom APIs are stored yet"));
    import_ok(&db.url, &[&sample()]);
    let out = run(&db.url, &["list"]);
    let text = stdout(&out);
    assert!(
        text.contains("sb_AccountSummary (function, Entity account;"),
        "{text}"
    );
    assert!(
        text.contains("  in  Target : EntityReference (account, implicit)"),
        "{text}"
    );
    assert!(
        text.contains("sb_RecalculateTotals (action, Global; private"),
        "{text}"
    );
    assert!(text.contains("privilege prvAssignAccount"), "{text}");
}

#[test]
fn list_json_has_the_documented_shape() {
    let db = sqlite();
    import_ok(&db.url, &[&sample()]);
    let list = list_json(&db.url);
    let echo = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["uniquename"] == "sb_Echo")
        .unwrap();
    for key in [
        "customapiid",
        "uniquename",
        "name",
        "displayname",
        "description",
        "bindingtype",
        "boundentitylogicalname",
        "isfunction",
        "isprivate",
        "allowedcustomprocessingsteptype",
        "executeprivilegename",
        "workflowsdkstepenabled",
        "iscustomizable",
        "exposable",
        "plugintype",
        "sdkmessageid",
        "solution",
        "ismanaged",
        "requestparameters",
        "responseproperties",
    ] {
        assert!(echo.get(key).is_some(), "missing {key}");
    }
    let p = &echo["requestparameters"][0];
    for key in [
        "uniquename",
        "name",
        "displayname",
        "description",
        "type",
        "typename",
        "isoptional",
        "logicalentityname",
        "iscustomizable",
    ] {
        assert!(p.get(key).is_some(), "parameter lacks {key}");
    }
    assert_eq!(echo["solution"], "SwitchboardSamples");
    assert_eq!(echo["allowedcustomprocessingsteptype"], 2);
}

#[test]
fn missing_path_and_usage_errors_exit_non_zero() {
    let db = sqlite();
    let out = run(&db.url, &["import", "/definitely/not/here"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("cannot open /definitely/not/here"),
        "{}",
        stderr(&out)
    );
    let out = run(&db.url, &["import"]);
    assert_eq!(out.status.code(), Some(2), "clap usage error");
    let not_solution = tempfile::tempdir().unwrap();
    let out = run(&db.url, &["import", not_solution.path().to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("no Other/Solution.xml or solution.xml here"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_database_url_is_reported() {
    let out = run("postgres://nobody@127.0.0.1:1/none", &["list"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("cannot open database postgres://nobody@127.0.0.1:1/none"),
        "{}",
        stderr(&out)
    );
}
