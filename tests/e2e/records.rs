//! Records of a custom table over HTTP: create, read, query (filter, order, count, paging),
//! update, upsert and delete, on SQLite and PostgreSQL; rows checked in the database.

use serde_json::{Value, json};

use crate::support::*;

fn entity_id(reply: &Reply) -> String {
    let header = reply
        .headers
        .get("odata-entityid")
        .unwrap_or_else(|| panic!("OData-EntityId on {}: {}", reply.status, reply.text))
        .to_str()
        .unwrap()
        .to_owned();
    let open = header.rfind('(').unwrap();
    header[open + 1..header.len() - 1].to_owned()
}

async fn patch(url: &str, body: Value, headers: &[(&str, &str)]) -> Reply {
    let mut request = reqwest::Client::new().patch(url).json(&body);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    send(request).await
}

fn names(reply: &Reply) -> Vec<String> {
    reply.json["value"]
        .as_array()
        .unwrap_or_else(|| panic!("value in {}", reply.text))
        .iter()
        .map(|r| r["sb_name"].as_str().unwrap().to_owned())
        .collect()
}

async fn project_rows(url: &str) -> u64 {
    let store = store(url).await;
    let table = store
        .tables()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.logical_name == "sb_project")
        .expect("sb_project stored");
    store.record_count(&table).await.unwrap()
}

/// Everything the tables issue promises for one custom table, against one server.
async fn crud_suite(served: &Served) {
    // A lookup target.
    let account = post(&served.url("accounts"), json!({"name": "Contoso"})).await;
    assert_eq!(account.status, 204, "{}", account.text);
    let account_id = entity_id(&account);

    let created = post(
        &served.url("sb_projects"),
        json!({
            "sb_name": "Apollo",
            "sb_code": "AP-1",
            "sb_notes": "line one\nline two",
            "sb_priority": 7,
            "sb_hours": 12.345,
            "sb_budget": 1000.5,
            "sb_ratio": 0.25,
            "sb_active": true,
            "sb_start": "2024-03-01T09:30:00+01:00",
            "sb_externalid": "0d9a8c1e-8f43-4d61-a1f0-5b9f7f3a2c11",
            "sb_big": 9_000_000_000_i64,
            "sb_stage": 100_000_001,
            "sb_accountid@odata.bind": format!("/accounts({account_id})"),
        }),
    )
    .await;
    assert_eq!(created.status, 204, "{}", created.text);
    let id = entity_id(&created);
    assert!(
        created.headers["odata-entityid"]
            .to_str()
            .unwrap()
            .ends_with(&format!("/api/data/v9.2/sb_projects({id})"))
    );
    assert_eq!(project_rows(&served.db.url).await, 1);

    let got = get(&served.url(&format!("sb_projects({id})"))).await;
    assert_eq!(got.status, 200, "{}", got.text);
    let r = &got.json;
    assert_eq!(r["sb_name"], "Apollo");
    assert_eq!(r["sb_notes"], "line one\nline two");
    assert_eq!(r["sb_priority"], 7);
    assert_eq!(
        r["sb_hours"],
        json!(12.35),
        "rounded to the column's 2 digits"
    );
    assert_eq!(r["sb_budget"], json!(1000.5));
    assert_eq!(r["sb_ratio"], json!(0.25));
    assert_eq!(r["sb_active"], true);
    assert_eq!(r["sb_start"], "2024-03-01T08:30:00Z");
    assert_eq!(r["sb_externalid"], "0d9a8c1e-8f43-4d61-a1f0-5b9f7f3a2c11");
    assert_eq!(r["sb_big"], json!(9_000_000_000_i64));
    assert_eq!(r["sb_stage"], 100_000_001);
    assert_eq!(r["_sb_accountid_value"], json!(account_id));
    assert_eq!(r["sb_projectid"], json!(id));
    assert!(
        r["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("$metadata#sb_projects/$entity")
    );
    let selected = get(&served.url(&format!("sb_projects({id})?$select=sb_code"))).await;
    let keys: Vec<&String> = selected.json.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["@odata.context", "sb_code", "sb_projectid"]);

    // Twelve more, to query and page through.
    for i in 0..12 {
        let reply = post(
            &served.url("sb_projects"),
            json!({"sb_name": format!("P{i:02}"), "sb_priority": i % 4, "sb_hours": i}),
        )
        .await;
        assert_eq!(reply.status, 204, "{}", reply.text);
    }
    assert_eq!(project_rows(&served.db.url).await, 13);

    let q = get(&served.url(
        "sb_projects?$select=sb_name,sb_priority&$filter=sb_priority%20ge%202%20and%20(startswith(sb_name,'p')%20or%20sb_name%20eq%20'APOLLO')&$orderby=sb_priority%20desc,sb_name&$count=true",
    ))
    .await;
    assert_eq!(q.status, 200, "{}", q.text);
    assert_eq!(
        names(&q),
        ["Apollo", "P03", "P07", "P11", "P02", "P06", "P10"]
    );
    assert_eq!(q.json["@odata.count"], 7);
    assert!(q.json.get("@odata.nextLink").is_none());
    let q = get(&served.url(
        "sb_projects?$filter=not%20contains(sb_name,'1')%20and%20sb_hours%20lt%2011.5%20and%20_sb_accountid_value%20eq%20null&$orderby=sb_hours&$top=3",
    ))
    .await;
    assert_eq!(names(&q), ["P00", "P02", "P03"], "{}", q.text);

    // Paging: 5 per page through all 13, no repeats, in key-stable order.
    let mut url = served.url("sb_projects?$select=sb_name&$orderby=sb_name");
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let page = send(
            reqwest::Client::new()
                .get(&url)
                .header("Prefer", "odata.maxpagesize=5"),
        )
        .await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert_eq!(
            page.headers["preference-applied"].to_str().unwrap(),
            "odata.maxpagesize=5"
        );
        pages += 1;
        seen.extend(names(&page));
        match page.json["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let mut expected: Vec<String> = (0..12).map(|i| format!("P{i:02}")).collect();
    expected.insert(0, "Apollo".into());
    assert_eq!(seen, expected);

    // Update, then upsert semantics.
    let updated = patch(
        &served.url(&format!("sb_projects({id})")),
        json!({"sb_name": "Apollo 2", "sb_accountid@odata.bind": null}),
        &[],
    )
    .await;
    assert_eq!(updated.status, 204, "{}", updated.text);
    let got = get(&served.url(&format!("sb_projects({id})"))).await;
    assert_eq!(got.json["sb_name"], "Apollo 2");
    assert_eq!(got.json["_sb_accountid_value"], Value::Null);
    assert_eq!(got.json["sb_code"], "AP-1", "untouched columns stay");
    let absent = "5a0c0de0-0000-4000-8000-000000000001";
    patch(
        &served.url(&format!("sb_projects({absent})")),
        json!({"sb_name": "nope"}),
        &[("If-Match", "*")],
    )
    .await
    .error(404, "0x80040217");
    let upserted = patch(
        &served.url(&format!("sb_projects({absent})")),
        json!({"sb_name": "Upserted"}),
        &[],
    )
    .await;
    assert_eq!(upserted.status, 204, "{}", upserted.text);
    assert_eq!(entity_id(&upserted), absent);
    patch(
        &served.url(&format!("sb_projects({absent})")),
        json!({"sb_name": "again"}),
        &[("If-None-Match", "*")],
    )
    .await
    .error(412, "0x80040237");
    assert_eq!(project_rows(&served.db.url).await, 14);

    // return=representation.
    let rep = send(
        reqwest::Client::new()
            .post(served.url("sb_projects?$select=sb_name"))
            .header("Prefer", "return=representation")
            .json(&json!({"sb_name": "Shown"})),
    )
    .await;
    assert_eq!(rep.status, 201, "{}", rep.text);
    assert_eq!(rep.json["sb_name"], "Shown");
    let shown = entity_id(&rep);
    assert_eq!(rep.json["sb_projectid"], json!(shown));

    // Delete.
    let gone = delete(&served.url(&format!("sb_projects({shown})"))).await;
    assert_eq!(gone.status, 204, "{}", gone.text);
    get(&served.url(&format!("sb_projects({shown})")))
        .await
        .error(404, "0x80040217");
    delete(&served.url(&format!("sb_projects({shown})")))
        .await
        .error(404, "0x80040217");
    assert_eq!(project_rows(&served.db.url).await, 14);

    // Bad filters: 400, nothing read.
    for bad in [
        "sb_priority%20eq%20'x'",
        "sb_nope%20eq%201",
        "sb_name%20eq",
        "substringof('a',sb_name)",
        "sb_hours%20gt%20null",
        "(sb_name%20eq%20'a'",
    ] {
        get(&served.url(&format!("sb_projects?$filter={bad}")))
            .await
            .error(400, "0x80060888");
    }
    // Bad bodies: 400, nothing written.
    for (body, code) in [
        (json!({"sb_nope": 1}), "0x80048d19"),
        (json!({"sb_code": "x".repeat(21)}), "0x80048d19"),
        (json!({"sb_stage": 5}), "0x80048d19"),
        (json!({"sb_priority": 11}), "0x80048d19"),
        (json!({"sb_active": "yes"}), "0x80048d19"),
        (json!({"createdon": "2024-01-01T00:00:00Z"}), "0x80048d19"),
        (
            json!({"sb_accountid@odata.bind": "/accounts(5a0c0de0-0000-4000-8000-00000000dead)"}),
            "0x80040217",
        ),
    ] {
        let reply = post(&served.url("sb_projects"), body.clone()).await;
        let status = if code == "0x80040217" { 404 } else { 400 };
        reply.error(status, code);
    }
    assert_eq!(project_rows(&served.db.url).await, 14);
}

#[tokio::test]
async fn custom_table_crud_on_sqlite() {
    let served = serve_sample();
    crud_suite(&served).await;
}

#[tokio::test]
async fn custom_table_crud_on_postgres() {
    let Some(pg) = postgres("custom_table_crud_on_postgres").await else {
        return;
    };
    {
        let served = serve_db(pg.served_db(), &[&sample()]);
        crud_suite(&served).await;
    }
    pg.drop_database().await;
}

#[tokio::test]
async fn table_operations_need_the_table_privileges() {
    let served = serve_sample();
    let db = &served.db.url;
    let out = run(db, &["user", "add", "pat"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let token = create_token(db, "pat", &[]);
    let as_pat = |request: reqwest::RequestBuilder| {
        send(request.header("Authorization", format!("Bearer {token}")))
    };
    let client = reqwest::Client::new();
    as_pat(client.get(served.url("sb_projects")))
        .await
        .error(403, "0x80040220");
    as_pat(
        client
            .post(served.url("sb_projects"))
            .json(&json!({"sb_name": "x"})),
    )
    .await
    .error(403, "0x80040220");
    assert_eq!(project_rows(db).await, 0);
    grant_through_role(
        db,
        "pat",
        "Projects",
        &["prvReadsb_project", "prvCreatesb_project"],
    );
    // No restart needed: the server applies the CLI's role change within the bound.
    let listed = until_status(
        || {
            client
                .get(served.url("sb_projects"))
                .header("Authorization", format!("Bearer {token}"))
        },
        200,
        "the role assigned by the CLI",
    )
    .await;
    assert_eq!(names(&listed), Vec::<String>::new());
    let created = as_pat(
        client
            .post(served.url("sb_projects"))
            .json(&json!({"sb_name": "x"})),
    )
    .await;
    assert_eq!(created.status, 204, "{}", created.text);
    let id = entity_id(&created);
    let listed = as_pat(client.get(served.url("sb_projects"))).await;
    assert_eq!(names(&listed), ["x"]);
    as_pat(
        client
            .patch(served.url(&format!("sb_projects({id})")))
            .json(&json!({"sb_name": "y"})),
    )
    .await
    .error(403, "0x80040220");
    as_pat(client.delete(served.url(&format!("sb_projects({id})"))))
        .await
        .error(403, "0x80040220");
    assert_eq!(project_rows(db).await, 1);
    // The built-in account table is gated the same way.
    as_pat(client.get(served.url("accounts")))
        .await
        .error(403, "0x80040220");
}

#[tokio::test]
async fn entity_bound_api_plugin_reads_and_updates_its_target() {
    let plugins = plugin_solution();
    let s = serve(&[&sample(), &plugins]);
    let created = post(
        &s.url("sb_projects"),
        json!({"sb_name": "Orion", "sb_priority": 3}),
    )
    .await;
    assert_eq!(created.status, 204, "{}", created.text);
    let id = entity_id(&created);
    let summary = s.url(&format!(
        "sb_projects({id})/Microsoft.Dynamics.CRM.sb_ProjectSummary"
    ));
    // The plug-in retrieves its Target (primary entity) and returns two of its columns.
    let r = post(&summary, json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["Name"], "Orion");
    assert_eq!(r.json["Priority"], 3);
    // It writes through the same record service, as the caller.
    let r = post(&summary, json!({"Touch": true})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let got = get(&s.url(&format!("sb_projects({id})?$select=sb_notes"))).await;
    assert_eq!(got.json["sb_notes"], "touched by ProjectSummary");
    // A Target that does not exist: Dataverse's 404, and no plug-in runs.
    let absent = "5a0c0de0-0000-4000-8000-0000000000aa";
    post(
        &s.url(&format!(
            "sb_projects({absent})/Microsoft.Dynamics.CRM.sb_ProjectSummary"
        )),
        json!({}),
    )
    .await
    .error(404, "0x80040217");
    // retrieve-multiple with a filter from the plug-in.
    for (name, priority) in [("Vega", 8), ("Lyra", 9)] {
        let r = post(
            &s.url("sb_projects"),
            json!({"sb_name": name, "sb_priority": priority}),
        )
        .await;
        assert_eq!(r.status, 204, "{}", r.text);
    }
    let count = get(&s.url("sb_CountProjects(MinPriority=5)")).await;
    assert_eq!(count.status, 200, "{}", count.text);
    assert_eq!(count.json["Count"], 2);

    // The plug-in's record operations carry the caller's privileges: a user who may call the
    // API and read projects, but not write them, gets the privilege error from the update,
    // with its own status and code (the plug-in passes it on).
    let db = &s.db.url;
    let out = run(db, &["user", "add", "reader"]);
    assert!(out.status.success(), "{}", stderr(&out));
    grant_through_role(db, "reader", "Readers", &["prvReadsb_project"]);
    let token = create_token(db, "reader", &[]);
    let as_reader = |body: Value| {
        send(
            reqwest::Client::new()
                .post(&summary)
                .header("Authorization", format!("Bearer {token}"))
                .json(&body),
        )
    };
    let r = as_reader(json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["Name"], "Orion");
    let message = as_reader(json!({"Touch": true}))
        .await
        .error(403, "0x80040220");
    assert!(message.contains("prvWritesb_project"), "{message}");
}

/// U+0000 cannot be stored in a PostgreSQL text column: both databases refuse it alike with a
/// 400 naming the rule, in a record, in a `$filter` literal and in a user's login name, and
/// nothing is written.
async fn nul_suite(served: &Served) {
    let before = project_rows(&served.db.url).await;
    let message = post(&served.url("sb_projects"), json!({"sb_name": "a\u{0}b"}))
        .await
        .error(400, "0x80048d19");
    assert!(message.contains("U+0000"), "{message}");
    assert_eq!(project_rows(&served.db.url).await, before);
    get(&served.url("sb_projects?$filter=sb_name%20eq%20'a%00b'"))
        .await
        .error(400, "0x80060888");
    let users = get(&served.url("systemusers")).await;
    let message = post(&served.url("systemusers"), json!({"domainname": "a\u{0}b"}))
        .await
        .error(400, "0x80040203");
    assert!(message.contains("U+0000"), "{message}");
    let after = get(&served.url("systemusers")).await;
    assert_eq!(after.json["value"], users.json["value"], "no user added");
}

#[tokio::test]
async fn nul_characters_are_refused_on_sqlite() {
    nul_suite(&serve_sample()).await;
}

#[tokio::test]
async fn nul_characters_are_refused_on_postgres() {
    let Some(pg) = postgres("nul_characters_are_refused_on_postgres").await else {
        return;
    };
    {
        let served = serve_db(pg.served_db(), &[&sample()]);
        nul_suite(&served).await;
    }
    pg.drop_database().await;
}

/// Thirty-two upserts of one new record at once: each answers 204 (an upsert never answers
/// "duplicate"; the ones that lose the race to create update instead), one row exists, and
/// parallel creates of one id give one 204 and Dataverse's duplicate answer for the rest.
async fn racing_writes(served: &Served) {
    let before = project_rows(&served.db.url).await;
    let id = uuid::Uuid::new_v4();
    let url = served.url(&format!("sb_projects({id})"));
    let mut racing = tokio::task::JoinSet::new();
    for i in 0..32 {
        let url = url.clone();
        racing.spawn(async move {
            send(
                reqwest::Client::new()
                    .patch(&url)
                    .json(&json!({"sb_name": format!("racer {i}")})),
            )
            .await
        });
    }
    for reply in racing.join_all().await {
        assert_eq!(reply.status, 204, "{}", reply.text);
    }
    assert_eq!(project_rows(&served.db.url).await, before + 1);

    let id = uuid::Uuid::new_v4();
    let mut racing = tokio::task::JoinSet::new();
    for _ in 0..32 {
        let url = served.url("sb_projects");
        racing.spawn(async move {
            post(
                &url,
                json!({"sb_projectid": id.to_string(), "sb_name": "twin"}),
            )
            .await
        });
    }
    let replies = racing.join_all().await;
    assert_eq!(replies.iter().filter(|r| r.status == 204).count(), 1);
    for r in replies.iter().filter(|r| r.status != 204) {
        r.error(412, "0x80040237");
    }
    assert_eq!(project_rows(&served.db.url).await, before + 2);
}

#[tokio::test]
async fn racing_writes_on_sqlite() {
    racing_writes(&serve_sample()).await;
}

#[tokio::test]
async fn racing_writes_on_postgres() {
    let Some(pg) = postgres("racing_writes_on_postgres").await else {
        return;
    };
    {
        let served = serve_db(pg.served_db(), &[&sample()]);
        racing_writes(&served).await;
    }
    pg.drop_database().await;
}
