//! Outbound HTTP's delivery log on a real database (SQLite, and PostgreSQL when
//! `SWITCHBOARD_TEST_POSTGRES` is set): attempts made through the engine's `Outbound` (a
//! receiver on 127.0.0.1 named by the allow-list, a refused link-local address) are
//! recorded, then read by a real server over the Web API as `outbounddeliveries`, with the
//! query options, read privilege and `$metadata` of the other system tables.

use axum::http::StatusCode;
use serde_json::json;
use switchboard_engine::outbound::{
    Delivery, DeliveryOutcome, DeliveryPurpose, Outbound, OutboundConfig,
};
use switchboard_store::deliveries::DeliveryLog;
use switchboard_store::log_writer::LogConfig;
use uuid::Uuid;

use crate::support::*;

/// A receiver on 127.0.0.1: `/ok` accepts, `/busy` answers 503.
async fn receiver() -> std::net::SocketAddr {
    let app = axum::Router::new()
        .route("/ok", axum::routing::post(|| async { "thanks" }))
        .route(
            "/busy",
            axum::routing::post(|| async { (StatusCode::SERVICE_UNAVAILABLE, "busy") }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// Three attempts through `Outbound` on `db`'s database, then a server over it.
async fn deliveries_suite(db: Db) {
    let store = store(&db.url).await;
    let addr = receiver().await;
    let outbound = Outbound::new(
        OutboundConfig {
            allow: vec![addr.to_string().parse().unwrap()],
            ..OutboundConfig::default()
        },
        Some(DeliveryLog::start(store.clone(), LogConfig::default())),
    )
    .unwrap();
    let (job, correlation) = (Uuid::new_v4(), Uuid::new_v4());
    let callback = format!("http://{addr}/ok?sv=2024-01-01&sig=s3cr3t");
    let delivered = outbound
        .post(Delivery {
            regarding: Some(("asyncoperation", job)),
            correlation_id: Some(correlation),
            ..Delivery::new(
                DeliveryPurpose::Callback,
                &callback,
                json!({"backgroundOperationId": job}).to_string(),
            )
        })
        .await;
    assert_eq!(
        delivered,
        DeliveryOutcome::Delivered {
            status: 200,
            body: bytes::Bytes::from_static(b"thanks")
        }
    );
    let busy = format!("http://{addr}/busy");
    let failed = outbound
        .post(Delivery {
            attempt: 2,
            ..Delivery::new(DeliveryPurpose::Webhook, &busy, "{}")
        })
        .await;
    assert!(failed.is_retryable(), "{failed:?}");
    let refused = outbound
        .post(Delivery::new(
            DeliveryPurpose::Webhook,
            "http://169.254.169.254/latest/meta-data/",
            "{}",
        ))
        .await;
    assert!(
        matches!(refused, DeliveryOutcome::Refused { .. }),
        "{refused:?}"
    );
    outbound.flush_log().await;

    let s = serve_db(db, &[]);
    let rows = |r: &Reply| r.json["value"].as_array().cloned().unwrap_or_default();

    let all = get(&s.url("outbounddeliveries?$count=true")).await;
    assert_eq!(all.status, 200, "{}", all.text);
    assert_eq!(all.json["@odata.count"], 3, "{}", all.text);

    let ok = get(&s.url(
        "outbounddeliveries?$filter=outcome eq 0&$select=purpose,method,url,host,attempt,httpstatuscode,errormessage,_regardingobjectid_value,regardingobjecttypecode,correlationid,createdon,durationms",
    ))
    .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let row = &rows(&ok)[0];
    assert_eq!(row["purpose"], "callback");
    assert_eq!(row["method"], "POST");
    assert_eq!(
        row["url"],
        format!("http://{addr}/ok?sv=REDACTED&sig=REDACTED"),
        "query values are secrets"
    );
    assert!(!ok.text.contains("s3cr3t"), "{}", ok.text);
    assert_eq!(row["host"], "127.0.0.1");
    assert_eq!(row["attempt"], 1);
    assert_eq!(row["httpstatuscode"], 200);
    assert_eq!(row["errormessage"], serde_json::Value::Null);
    assert_eq!(row["_regardingobjectid_value"], job.to_string());
    assert_eq!(row["regardingobjecttypecode"], "asyncoperation");
    assert_eq!(row["correlationid"], correlation.to_string());
    assert!(row["createdon"].as_str().unwrap().ends_with('Z'), "{row}");
    assert!(row["durationms"].as_i64().unwrap() >= 0);

    let retry = get(&s.url(
        "outbounddeliveries?$filter=httpstatuscode eq 503 and attempt eq 2&$select=purpose,errormessage,outcome",
    ))
    .await;
    assert_eq!(rows(&retry).len(), 1, "{}", retry.text);
    assert_eq!(rows(&retry)[0]["purpose"], "webhook");
    assert_eq!(rows(&retry)[0]["outcome"], 1);
    assert_eq!(
        rows(&retry)[0]["errormessage"],
        "answered 503 Service Unavailable: busy"
    );

    let no = get(&s.url(
        "outbounddeliveries?$filter=outcome eq 2&$select=outbounddeliveryid,httpstatuscode,errormessage,host",
    ))
    .await;
    let row = &rows(&no)[0];
    assert_eq!(row["host"], "169.254.169.254");
    assert_eq!(row["httpstatuscode"], serde_json::Value::Null);
    let message = row["errormessage"].as_str().unwrap();
    assert!(
        message.contains("169.254.169.254 is not a public address (link-local)")
            && message.ends_with("refused before connecting"),
        "{message}"
    );
    let id = row["outbounddeliveryid"].as_str().unwrap();
    let one = get(&s.url(&format!("outbounddeliveries({id})"))).await;
    assert_eq!(one.status, 200, "{}", one.text);
    assert_eq!(one.json["outcome"], 2);

    // A system table like the others: in $metadata and the service document, read-only,
    // read with its privilege.
    let metadata = get(&s.url("$metadata")).await;
    assert!(
        metadata
            .text
            .contains("<EntitySet Name=\"outbounddeliveries\" EntityType=\"Microsoft.Dynamics.CRM.outbounddelivery\""),
        "{}",
        metadata.text
    );
    let service = get(&s.url("")).await;
    assert!(
        service.text.contains("\"outbounddeliveries\""),
        "{}",
        service.text
    );
    post(&s.url("outbounddeliveries"), json!({"url": "http://x/"}))
        .await
        .error(404, "");

    assert!(run(&s.db.url, &["user", "add", "reader"]).status.success());
    let token = create_token(&s.db.url, "reader", &[]);
    let read = || {
        reqwest::Client::new()
            .get(s.url("outbounddeliveries"))
            .bearer_auth(&token)
    };
    let m = send(read()).await.error(403, "0x80040220");
    assert!(m.contains("prvReadOutboundDelivery"), "{m}");
    for args in [
        &["role", "add", "Delivery Readers"][..],
        &[
            "role",
            "grant",
            "Delivery Readers",
            "prvReadOutboundDelivery",
        ],
        &["role", "assign", "reader", "Delivery Readers"],
    ] {
        let out = run(&s.db.url, args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }
    until_status(read, 200, "the read privilege granted by the CLI").await;
}

#[tokio::test]
async fn deliveries_are_logged_and_read_over_the_web_api() {
    deliveries_suite(sqlite()).await;
}

#[tokio::test]
async fn deliveries_are_logged_and_read_over_the_web_api_on_postgres() {
    let Some(pg) = postgres("deliveries_are_logged_and_read_over_the_web_api_on_postgres").await
    else {
        return;
    };
    deliveries_suite(pg.served_db()).await;
    pg.drop_database().await;
}

/// `--outbound-allow` and `--outbound-timeout-secs` are global options, documented in the
/// help, read from the environment too (comma-separated), and a bad entry stops the command
/// naming it.
#[test]
fn outbound_options_are_global_and_checked() {
    let text = serve_help();
    for shown in [
        "--outbound-allow <HOST[:PORT]>",
        "--outbound-timeout-secs",
        "SWITCHBOARD_OUTBOUND_ALLOW",
    ] {
        assert!(text.contains(shown), "{shown} in {text}");
    }
    let db = sqlite();
    for (bad, named) in [
        (
            &["--outbound-allow", "hooks.example.com:0", "list"][..],
            "hooks.example.com:0",
        ),
        (&["--outbound-allow", "10.0.0.0/33", "list"], "10.0.0.0/33"),
        (&["list", "--outbound-allow", "ok.example.com,*."], "*."),
        (&["--outbound-timeout-secs", "0", "list"], "0"),
    ] {
        let out = run(&db.url, bad);
        assert!(!out.status.success(), "{bad:?} accepted");
        assert!(stderr(&out).contains(named), "{bad:?}: {}", stderr(&out));
    }
    let out = std::process::Command::new(bin())
        .args(["--database", &db.url, "list"])
        .env(
            "SWITCHBOARD_OUTBOUND_ALLOW",
            "localhost:7071,10.0.0.0/8,[fd00::/8]:8080",
        )
        .env("SWITCHBOARD_OUTBOUND_TIMEOUT_SECS", "5")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = std::process::Command::new(bin())
        .args(["--database", &db.url, "list"])
        .env("SWITCHBOARD_OUTBOUND_ALLOW", "localhost:7071,bad host")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("bad host"), "{}", stderr(&out));
}
