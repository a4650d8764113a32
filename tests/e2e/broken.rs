//! Broken inputs: a non-zero exit, a message with file:line:column, and a database left
//! exactly as it was.

use std::path::Path;

use crate::support::*;

/// Imports the sample, then the edited copy, and checks the failure and the counts.
async fn refused(edit_copy: impl FnOnce(&Path), expect_file: &str, expect_text: &str) {
    let db = sqlite();
    import_ok(&db.url, &[&sample()]);
    let before = counts(&db.url).await;
    let listed_before = list_json(&db.url);

    let (_dir, root) = sample_copy();
    edit(
        &root.join("Other/Solution.xml"),
        "<Version>1.0.0.0</Version>",
        "<Version>1.0.0.1</Version>",
    );
    edit_copy(&root);
    let out = run(&db.url, &["import", root.to_str().unwrap()]);
    let err = stderr(&out);
    assert!(!out.status.success(), "import must fail; stderr:\n{err}");
    let expected = root.join(expect_file);
    let prefix = format!("{}:", expected.display());
    let line = err
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no line for {prefix} in:\n{err}"));
    let rest = &line[prefix.len()..];
    let mut parts = rest.splitn(3, ':');
    let (l, c) = (parts.next().unwrap(), parts.next().unwrap());
    assert!(
        l.parse::<u32>().is_ok() && c.parse::<u32>().is_ok(),
        "line:column in {line}"
    );
    assert!(
        line.contains(expect_text),
        "{line:?} should mention {expect_text:?}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    assert_eq!(counts(&db.url).await, before, "row counts unchanged");
    assert_eq!(list_json(&db.url), listed_before, "definitions unchanged");
}

const GREET: &str = "customapis/sb_Greet/customapi.xml";
const GREETING: &str =
    "customapis/sb_Greet/customapiresponseproperties/Greeting/customapiresponseproperty.xml";
const NAME: &str =
    "customapis/sb_Greet/customapirequestparameters/Name/customapirequestparameter.xml";

#[tokio::test]
async fn malformed_xml() {
    refused(
        |r| edit(&r.join(GREET), "</isfunction>", "</isfunctoin>"),
        GREET,
        "malformed XML",
    )
    .await;
}

#[tokio::test]
async fn unknown_type_code_13() {
    refused(
        |r| edit(&r.join(NAME), "<type>10</type>", "<type>13</type>"),
        NAME,
        "unknown type code 13",
    )
    .await;
}

#[tokio::test]
async fn function_with_workflow_flag() {
    refused(
        |r| {
            edit(
                &r.join(GREET),
                "<workflowsdkstepenabled>0</workflowsdkstepenabled>",
                "<workflowsdkstepenabled>1</workflowsdkstepenabled>",
            )
        },
        GREET,
        "cannot be a function",
    )
    .await;
}

#[tokio::test]
async fn isoptional_on_a_response_property() {
    refused(
        |r| {
            edit(
                &r.join(GREETING),
                "<name>",
                "<isoptional>0</isoptional>\n  <name>",
            )
        },
        GREETING,
        "no isoptional",
    )
    .await;
}

#[tokio::test]
async fn missing_uniquename() {
    refused(
        |r| {
            edit(
                &r.join(GREET),
                "<customapi uniquename=\"sb_Greet\">",
                "<customapi>",
            )
        },
        GREET,
        "<uniquename> is missing",
    )
    .await;
}

#[tokio::test]
async fn changed_immutable_column_on_reimport() {
    refused(
        |r| {
            edit(
                &r.join(GREET),
                "<isfunction>1</isfunction>",
                "<isfunction>0</isfunction>",
            )
        },
        GREET,
        "isfunction cannot be changed",
    )
    .await;
}

#[tokio::test]
async fn changed_parameter_type_on_reimport() {
    refused(
        |r| edit(&r.join(NAME), "<type>10</type>", "<type>7</type>"),
        NAME,
        "type cannot be changed",
    )
    .await;
}

#[tokio::test]
async fn all_errors_are_reported_together() {
    let db = sqlite();
    let (_dir, root) = sample_copy();
    edit(&root.join(NAME), "<type>10</type>", "<type>13</type>");
    edit(
        &root.join(GREETING),
        "<name>",
        "<isoptional>0</isoptional>\n  <name>",
    );
    let out = run(&db.url, &["import", root.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("unknown type code 13") && err.contains("no isoptional"),
        "{err}"
    );
    assert_eq!(counts(&db.url).await["customapi"], 0);
}

#[tokio::test]
async fn managed_over_unmanaged_is_refused() {
    let db = sqlite();
    import_ok(&db.url, &[&sample()]);
    let before = counts(&db.url).await;
    let (_dir, root) = sample_copy();
    edit(
        &root.join("Other/Solution.xml"),
        "<Managed>0</Managed>",
        "<Managed>1</Managed>",
    );
    let out = run(&db.url, &["import", root.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("installed as unmanaged"), "{err}");
    assert!(
        err.contains("Other/Solution.xml"),
        "names the manifest: {err}"
    );
    assert_eq!(counts(&db.url).await, before);
}

#[tokio::test]
async fn a_bad_package_among_good_ones_writes_nothing() {
    let Some(shared) = shared("a_bad_package_among_good_ones_writes_nothing") else {
        return;
    };
    let db = sqlite();
    let (_dir, root) = sample_copy();
    edit(&root.join(NAME), "<type>10</type>", "<type>13</type>");
    let good = shared.join("corpus/juergenbeck__D365TestCenter/solution/src");
    let out = run(
        &db.url,
        &["import", good.to_str().unwrap(), root.to_str().unwrap()],
    );
    assert!(!out.status.success());
    assert_eq!(counts(&db.url).await["solution"], 0);
}

#[tokio::test]
async fn deeply_nested_xml() {
    let deep = format!("{}{}", "<x>".repeat(100), "</x>".repeat(100));
    refused(
        |r| {
            edit(
                &r.join(GREET),
                "<iscustomizable>",
                &format!("{deep}<iscustomizable>"),
            )
        },
        GREET,
        "nested more than 64 levels",
    )
    .await;
}

#[tokio::test]
async fn external_entities_are_never_expanded() {
    refused(
        |r| {
            let file = r.join(GREET);
            let text = std::fs::read_to_string(&file).unwrap();
            let evil = format!(
                "<!DOCTYPE customapi [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n{}",
                text.replace("<name>sb_Greet</name>", "<name>&x;</name>")
            );
            std::fs::write(&file, evil).unwrap();
        },
        GREET,
        "DOCTYPE",
    )
    .await;
}
