//! The store's behaviour, run the same way on SQLite and on PostgreSQL.

use std::path::PathBuf;

use switchboard::import_paths;
use switchboard_store::Store;

use crate::support::*;

async fn import(
    store: &Store,
    paths: &[PathBuf],
) -> Result<Vec<switchboard::Imported>, switchboard::ImportFailure> {
    import_paths(store, paths).await
}

/// Every store behaviour the Spine promises, against one empty database.
async fn suite(url: &str) {
    let store = Store::connect(url).await.expect("connect and migrate");
    // Migrations are idempotent: connecting again changes nothing.
    let store2 = Store::connect(url).await.expect("second connect");
    assert_eq!(
        store2.row_counts().await.unwrap()["sdkmessage"],
        10,
        "built-in messages (OnBackgroundOperationComplete among them) seeded once"
    );

    // First import creates everything.
    let imported = import(&store, &[sample()]).await.expect("sample imports");
    // Eight custom APIs and the sb_project table.
    assert_eq!(imported[0].report.created.len(), 9);
    assert!(
        imported[0]
            .report
            .created
            .contains(&"entity sb_project".to_owned())
    );
    let project = store
        .tables()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.logical_name == "sb_project")
        .expect("the sample's table is stored");
    assert_eq!(store.record_count(&project).await.unwrap(), 0);
    let first = store.row_counts().await.unwrap();
    assert_eq!(first["customapi"], 8);
    assert_eq!(first["customapirequestparameter"], 27);
    assert_eq!(first["customapiresponseproperty"], 26);
    assert_eq!(first["sdkmessage"], 10 + 8);
    let apis = store.list_apis().await.unwrap();
    let echo = apis
        .iter()
        .find(|a| a.api.unique_name.as_str() == "sb_Echo")
        .unwrap();
    assert_eq!(echo.api.request_parameters.len(), 13);
    assert_eq!(
        echo.api.display_name.labels.get(&1041).map(String::as_str),
        Some("エコー")
    );
    assert_eq!(
        echo.sdk_message_id,
        switchboard_model::ids::custom_api_message_id("sb_Echo")
    );

    // Re-importing the same package updates in place and writes no duplicates.
    let again = import(&store, &[sample()]).await.expect("re-import");
    assert_eq!(again[0].report.updated.len(), 9);
    assert!(
        again[0]
            .report
            .warnings
            .iter()
            .any(|w| w.id == switchboard_model::MessageId::ImportSameVersion)
    );
    assert_eq!(store.row_counts().await.unwrap(), first);

    // A newer version may change labels and add optional parameters.
    let (_dir, root) = sample_copy();
    edit(
        &root.join("Other/Solution.xml"),
        "<Version>1.0.0.0</Version>",
        "<Version>1.1.0.0</Version>",
    );
    let greet = root.join("customapis/sb_Greet");
    edit(
        &greet.join("customapi.xml"),
        "<displayname default=\"Greet\">",
        "<displayname default=\"Say hello\">",
    );
    let extra = greet.join("customapirequestparameters/Language");
    std::fs::create_dir_all(&extra).unwrap();
    std::fs::write(
        extra.join("customapirequestparameter.xml"),
        "<customapirequestparameter uniquename=\"Language\">\n  <displayname default=\"Language\">\n    <label description=\"Language\" languagecode=\"1033\" />\n  </displayname>\n  <iscustomizable>1</iscustomizable>\n  <isoptional>1</isoptional>\n  <name>sb_Greet.Language</name>\n  <type>10</type>\n</customapirequestparameter>",
    )
    .unwrap();
    import(&store, std::slice::from_ref(&root))
        .await
        .expect("upgrade imports");
    let apis = store.list_apis().await.unwrap();
    let greet_api = &apis
        .iter()
        .find(|a| a.api.unique_name.as_str() == "sb_Greet")
        .unwrap()
        .api;
    assert_eq!(greet_api.request_parameters.len(), 3);
    assert_eq!(
        greet_api.display_name.default.as_deref(),
        Some("Greet"),
        "base column follows the 1033 label"
    );
    assert_eq!(store.list_solutions().await.unwrap()[0].1, "1.1.0.0");
    let upgraded = store.row_counts().await.unwrap();
    assert_eq!(
        upgraded["customapirequestparameter"],
        first["customapirequestparameter"] + 1
    );

    // An immutable change is refused, naming the column, and nothing is written.
    let (_dir2, bad) = sample_copy();
    edit(
        &bad.join("customapis/sb_Echo/customapi.xml"),
        "<allowedcustomprocessingsteptype>2<",
        "<allowedcustomprocessingsteptype>1<",
    );
    let failure = import(&store, &[bad])
        .await
        .expect_err("immutable change refused");
    let text: Vec<String> = failure
        .diagnostics
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d.location
                    .as_ref()
                    .map(|l| l.to_string())
                    .unwrap_or_default(),
                d.message
            )
        })
        .collect();
    assert!(
        text.iter()
            .any(|t| t.contains("customapi.xml:") && t.contains("allowedcustomprocessingsteptype")),
        "{text:?}"
    );
    assert_eq!(store.row_counts().await.unwrap(), upgraded);
}

/// Managed solutions: upgrades remove what the new version dropped; no downgrades.
async fn managed_suite(url: &str) {
    let store = Store::connect(url).await.unwrap();
    let (_dir, v1) = sample_copy();
    edit(
        &v1.join("Other/Solution.xml"),
        "<Managed>0</Managed>",
        "<Managed>1</Managed>",
    );
    import(&store, std::slice::from_ref(&v1))
        .await
        .expect("managed v1");
    assert_eq!(store.row_counts().await.unwrap()["customapi"], 8);

    let (_dir2, v2) = sample_copy();
    edit(
        &v2.join("Other/Solution.xml"),
        "<Managed>0</Managed>",
        "<Managed>1</Managed>",
    );
    edit(
        &v2.join("Other/Solution.xml"),
        "<Version>1.0.0.0</Version>",
        "<Version>2.0.0.0</Version>",
    );
    std::fs::remove_dir_all(v2.join("customapis/sb_LogActivity")).unwrap();
    std::fs::remove_dir_all(v2.join("customapis/sb_Greet/customapirequestparameters/Formal"))
        .unwrap();
    let done = import(&store, std::slice::from_ref(&v2))
        .await
        .expect("managed v2");
    assert_eq!(
        done[0].report.removed,
        vec!["customapi sb_LogActivity".to_owned()]
    );
    let counts = store.row_counts().await.unwrap();
    assert_eq!(counts["customapi"], 7);
    assert_eq!(counts["customapirequestparameter"], 27 - 4 - 1);
    assert_eq!(counts["sdkmessage"], 10 + 7);

    let failure = import(&store, &[v1]).await.expect_err("downgrade refused");
    assert!(
        failure
            .diagnostics
            .iter()
            .any(|d| d.message.id == switchboard_model::MessageId::ImportOlderVersion)
    );
    assert_eq!(store.row_counts().await.unwrap(), counts);
}

#[tokio::test]
async fn store_suite_on_sqlite() {
    suite(&sqlite().url).await;
    managed_suite(&sqlite().url).await;
}

#[tokio::test]
async fn store_suite_on_postgres() {
    let Some(db) = postgres("store_suite_on_postgres").await else {
        return;
    };
    suite(&db.url).await;
    db.drop_database().await;
    let Some(db) = postgres("store_suite_on_postgres").await else {
        return;
    };
    managed_suite(&db.url).await;
    db.drop_database().await;
}
