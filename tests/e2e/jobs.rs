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
    grant_through_role(&s.db.url, "ops", "Job Readers", &["prvReadAsyncOperation"]);
    // The CLI is another process: the server applies its change within the bound.
    let r = until_status(read, 200, "the role granted by the CLI").await;
    assert_eq!(r.json["value"].as_array().unwrap().len(), 2);
}

#[test]
fn job_options_are_global_and_checked() {
    let text = serve_help();
    for option in [
        "--job-workers",
        "--job-max-attempts",
        "--job-retry-base-ms",
        "--job-lease-secs",
        "--job-retention-hours",
    ] {
        assert!(text.contains(option), "{option} in {text}");
    }
    let db = sqlite();
    for bad in [
        &["--job-max-attempts", "0", "list"][..],
        &["--job-lease-secs", "0", "list"],
        &["--job-workers", "-1", "list"],
        &["--job-retention-hours", "-1", "list"],
    ] {
        let out = run(&db.url, bad);
        assert!(!out.status.success(), "{bad:?} accepted");
    }
    let out = run(
        &db.url,
        &[
            "--job-workers",
            "0",
            "--job-retry-base-ms",
            "50",
            "--job-retention-hours",
            "0",
            "list",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

/// A job finished with `status` at `completed_on` (epoch ms), written through the store.
async fn finished(store: &switchboard_store::Store, name: &str, status: i32, completed_on: i64) {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use switchboard_store::entity::asyncoperation::{Column, Entity};
    let id = enqueue(
        store.connection(),
        NewJob {
            name: name.into(),
            data: "{}".into(),
            ..NewJob::default()
        },
    )
    .await
    .unwrap();
    Entity::update_many()
        .col_expr(Column::Statecode, Expr::value(3))
        .col_expr(Column::Statuscode, Expr::value(status))
        .col_expr(Column::Completedon, Expr::value(completed_on))
        .filter(Column::Asyncoperationid.eq(id))
        .exec(store.connection())
        .await
        .unwrap();
}

/// `serve --job-retention-hours 1` deletes succeeded jobs completed over an hour ago when it
/// starts (and periodically after); recent and failed jobs stay. Outbound deliveries made
/// over an hour ago go too.
#[tokio::test]
async fn serve_deletes_succeeded_jobs_past_the_retention() {
    let db = sqlite();
    let store = store(&db.url).await;
    let now = switchboard_store::jobs::now_millis();
    let two_hours_ago = now - 2 * 3_600_000;
    finished(&store, "old success", 30, two_hours_ago).await;
    finished(&store, "old failure", 31, two_hours_ago).await;
    finished(&store, "recent success", 30, now).await;
    let delivery = |created_on, host: &str| switchboard_store::deliveries::NewDelivery {
        created_on,
        host: host.to_owned(),
        outcome: switchboard_store::deliveries::outcome::FAILED,
        ..Default::default()
    };
    switchboard_store::log_writer::write(
        store.connection(),
        &[delivery(two_hours_ago, "old"), delivery(now, "recent")],
    )
    .await
    .unwrap();
    let s = serve_db_with(db, &[&sample()], &["--job-retention-hours", "1"]);
    let r = get_until(
        &s.url("asyncoperations?$select=name&$orderby=name"),
        "the old success deleted",
        |r| r.json["value"].as_array().is_some_and(|v| v.len() == 2),
    )
    .await;
    let names: Vec<&str> = r.json["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["old failure", "recent success"]);
    let r = get_until(
        &s.url("outbounddeliveries?$select=host"),
        "the old delivery deleted",
        |r| r.json["value"].as_array().is_some_and(|v| v.len() == 1),
    )
    .await;
    assert_eq!(r.json["value"][0]["host"], "recent");
}
