//! System jobs over the Web API: `asyncoperations` read by administrators and by holders of
//! `prvReadAsyncOperation`, with the definition tables' query options. (The queue's own
//! guarantees are tested in `switchboard-store`, on SQLite and PostgreSQL.)

use std::time::Duration;

use sea_orm::TransactionTrait;
use switchboard_store::jobs::{JobError, NewJob, RetryPolicy, complete_in, enqueue};

use crate::support::*;

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[tokio::test]
async fn asyncoperations_are_readable_with_the_privilege() {
    let s = serve_sample();
    let store = store(&s.db.url).await;
    let step = uuid::Uuid::new_v4();
    let txn = store.connection().begin().await.unwrap();
    let done = enqueue(
        &txn,
        NewJob {
            name: "Audit account".into(),
            data: "{}".into(),
            owning_extension_id: Some(step),
            message_name: Some("Create".into()),
            primary_entity_type: Some("account".into()),
            ..NewJob::default()
        },
    )
    .await
    .unwrap();
    let failed = enqueue(
        &txn,
        NewJob {
            name: "Notify partner".into(),
            data: "{}".into(),
            ..NewJob::default()
        },
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    // The first runs and succeeds, the second fails for good.
    let lease = Duration::from_secs(60);
    let first = store.claim("test", lease).await.unwrap().unwrap();
    assert_eq!(first.id, done);
    assert!(complete_in(store.connection(), &first).await.unwrap());
    let second = store.claim("test", lease).await.unwrap().unwrap();
    assert_eq!(second.id, failed);
    store
        .fail(
            &second,
            &JobError::permanent("partner unreachable").with_code(-2_147_220_970),
            &RetryPolicy::default(),
        )
        .await
        .unwrap();

    let r = get(&s.url("asyncoperations?$select=name,statuscode,message&$orderby=name")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json["@odata.context"],
        format!(
            "{}/api/data/v9.2/$metadata#asyncoperations(name,statuscode,message)",
            s.base
        )
    );
    let rows = r.json["value"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["name"], "Audit account");
    assert_eq!(rows[0]["statuscode"], 30);
    assert_eq!(rows[1]["statuscode"], 31);
    assert_eq!(rows[1]["message"], "partner unreachable");

    let r = get(&s.url(
        "asyncoperations?$filter=statecode eq 3 and statuscode eq 31&$select=errorcode,retrycount",
    ))
    .await;
    let rows = r.json["value"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["asyncoperationid"], failed.to_string());
    assert_eq!(rows[0]["errorcode"], -2_147_220_970);
    assert_eq!(rows[0]["retrycount"], 1);

    let r = get(&s.url(&format!("asyncoperations({done})"))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json["@odata.context"],
        format!("{}/api/data/v9.2/$metadata#asyncoperations/$entity", s.base)
    );
    assert_eq!(r.json["_owningextensionid_value"], step.to_string());
    assert_eq!(r.json["operationtype"], 1);
    assert_eq!(r.json["messagename"], "Create");
    assert_eq!(r.json["hostid"], "test");
    let completed = r.json["completedon"].as_str().unwrap();
    assert!(
        completed.ends_with('Z') && completed.len() == 20,
        "{completed}"
    );
    assert!(r.json["executiontimespan"].is_number());
    get(&s.url(&format!("asyncoperations({})", uuid::Uuid::new_v4())))
        .await
        .error(404, "0x80040217");
    get(&s.url("asyncoperations?$select=nope"))
        .await
        .error(400, "0x80060888");

    // $metadata describes the table.
    let md = get(&s.url("$metadata")).await;
    assert!(md.text.contains(r#"<EntityType Name="asyncoperation""#));
    assert!(md.text.contains(
        r#"<EntitySet Name="asyncoperations" EntityType="Microsoft.Dynamics.CRM.asyncoperation""#
    ));

    // Other users need prvReadAsyncOperation.
    assert!(run(&s.db.url, &["user", "add", "ops"]).status.success());
    let ops = create_token(&s.db.url, "ops", &[]);
    let client = reqwest::Client::new();
    let read = || {
        client
            .get(s.url("asyncoperations"))
            .header("Authorization", bearer(&ops))
    };
    let m = send(read()).await.error(403, "0x80040220");
    assert!(m.contains("prvReadAsyncOperation"), "{m}");
    for args in [
        &["role", "add", "Job Readers"][..],
        &["role", "grant", "Job Readers", "prvReadAsyncOperation"],
        &["role", "assign", "ops", "Job Readers"],
    ] {
        let out = run(&s.db.url, args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }
    // The CLI is another process: the server applies its change within the bound.
    let r = until_status(read, 200, "the role granted by the CLI").await;
    assert_eq!(r.json["value"].as_array().unwrap().len(), 2);
}

#[test]
fn job_options_are_global_and_checked() {
    let help = std::process::Command::new(bin())
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let text = stdout(&help);
    for option in [
        "--job-workers",
        "--job-max-attempts",
        "--job-retry-base-ms",
        "--job-lease-secs",
    ] {
        assert!(text.contains(option), "{option} in {text}");
    }
    let db = sqlite();
    for bad in [
        &["--job-max-attempts", "0", "list"][..],
        &["--job-lease-secs", "0", "list"],
        &["--job-workers", "-1", "list"],
    ] {
        let out = run(&db.url, bad);
        assert!(!out.status.success(), "{bad:?} accepted");
    }
    let out = run(
        &db.url,
        &["--job-workers", "0", "--job-retry-base-ms", "50", "list"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
}
