//! The definition tables over the Web API: `$select`, `$filter`, `$orderby`, `$top`, keys,
//! `$expand`, and the paging of record tables (`Prefer: odata.maxpagesize`, 5,000 rows at
//! most, `@odata.nextLink`) over many system jobs, on SQLite and PostgreSQL.

use std::collections::{BTreeMap, HashSet};

use sea_orm::{ActiveValue::Set, EntityTrait};
use serde_json::Value as Json;
use switchboard_store::entity;

use crate::support::*;

#[tokio::test]
async fn customapis_with_query_options() {
    let s = serve_sample();
    let r = get(&s.url("customapis?$select=uniquename,isfunction&$filter=isfunction eq true&$orderby=uniquename desc&$top=2")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json["@odata.context"],
        format!(
            "{}/api/data/v9.2/$metadata#customapis(uniquename,isfunction)",
            s.base
        )
    );
    let names: Vec<&str> = r.json["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["uniquename"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["sb_LookupContact", "sb_Greet"]);
    let first = r.json["value"][0].as_object().unwrap();
    let mut keys: Vec<&str> = first.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, vec!["customapiid", "isfunction", "uniquename"]);

    let r =
        get(&s
            .url("customapis?$filter=bindingtype eq 1 and isfunction eq false&$select=uniquename"))
        .await;
    let names: Vec<&str> = r.json["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["uniquename"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["sb_TransferOwnership"]);
    let r = get(&s.url("customapis?$filter=uniquename eq 'SB_ECHO'")).await;
    assert_eq!(
        r.json["value"].as_array().unwrap().len(),
        1,
        "string comparison ignores case, as in Dataverse"
    );
    let r = get(&s.url("customapis?$filter=uniquename ne 'sb_Echo'")).await;
    assert_eq!(r.json["value"].as_array().unwrap().len(), 7);
}

#[tokio::test]
async fn by_key_and_expand() {
    let s = serve_sample();
    let r = get(&s.url("customapis?$filter=uniquename eq 'sb_Greet'&$select=uniquename")).await;
    let id = r.json["value"][0]["customapiid"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = get(&s.url(&format!(
        "customapis({id})?$expand=CustomAPIRequestParameters,CustomAPIResponseProperties"
    )))
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["uniquename"], "sb_Greet");
    assert_eq!(
        r.json["@odata.context"],
        format!("{}/api/data/v9.2/$metadata#customapis/$entity", s.base)
    );
    let mut params: Vec<&str> = r.json["CustomAPIRequestParameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["uniquename"].as_str().unwrap())
        .collect();
    params.sort();
    assert_eq!(params, vec!["Formal", "Name"]);
    assert_eq!(
        r.json["CustomAPIResponseProperties"][0]["uniquename"],
        "Greeting"
    );

    let r = get(&s.url(&format!(
        "customapirequestparameters?$filter=_customapiid_value eq {id}&$orderby=uniquename"
    )))
    .await;
    let params: Vec<&str> = r.json["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["uniquename"].as_str().unwrap())
        .collect();
    assert_eq!(params, vec!["Formal", "Name"]);

    let m = get(&s.url("customapis(00000000-0000-0000-0000-000000000001)"))
        .await
        .error(404, "0x80040217");
    assert!(m.contains("Does Not Exist"), "{m}");
    let r = get(&s.url("sdkmessages?$filter=isbuiltin eq true&$select=name&$orderby=name")).await;
    let names: Vec<&str> = r.json["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![
            "Assign",
            "Associate",
            "Create",
            "Delete",
            "Disassociate",
            "OnBackgroundOperationComplete",
            "Retrieve",
            "RetrieveMultiple",
            "SetState",
            "Update"
        ]
    );
    let r = get(&s.url("pluginassemblies")).await;
    assert_eq!(r.status, 200);
    assert_eq!(get(&s.url("plugintypes")).await.status, 200);
    assert_eq!(get(&s.url("sdkmessageprocessingsteps")).await.status, 200);
}

#[tokio::test]
async fn bad_query_options() {
    let s = serve_sample();
    let m = get(&s.url("customapis?$select=Name"))
        .await
        .error(400, "0x80060888");
    assert_eq!(
        m,
        "Could not find a property named 'Name' on type 'Microsoft.Dynamics.CRM.customapi'."
    );
    get(&s.url("customapis?$filter=uniquename eq 'a' and"))
        .await
        .error(400, "0x80060888");
    get(&s.url("customapis?$filter=nosuchcolumn eq 1"))
        .await
        .error(400, "0x80060888");
    get(&s.url("customapis?$top=many"))
        .await
        .error(400, "0x80060888");
    get(&s.url("customapis?$orderby=uniquename sideways"))
        .await
        .error(400, "0x80060888");
    get(&s.url("customapis?$expand=Nope"))
        .await
        .error(400, "0x80060888");
    get(&s.url("customapis(nope)"))
        .await
        .error(400, "0x80060888");
}

/// Every entity set the service document lists, plus the metadata sets.
async fn entity_sets(s: &Served) -> Vec<String> {
    let doc = get(&s.url("")).await;
    assert_eq!(doc.status, 200, "{}", doc.text);
    let mut sets: Vec<String> = doc.json["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "EntitySet")
        .map(|e| e["url"].as_str().unwrap().to_owned())
        .collect();
    assert!(sets.iter().any(|s| s == "customapis"), "{sets:?}");
    sets.push("EntityDefinitions".into());
    sets
}

/// Every set the service document names can be read (`businessunits` once answered 404).
#[tokio::test]
async fn every_set_in_the_service_document_can_be_read() {
    let s = serve_sample();
    for set in entity_sets(&s).await {
        let r = get(&s.url(&format!("{set}?$top=1"))).await;
        assert_eq!(r.status, 200, "{set}: {}", r.text);
        assert!(r.json["value"].is_array(), "{set}: {}", r.text);
    }
    let r = get(&s.url("businessunits?$select=name")).await;
    assert_eq!(r.json["value"][0]["name"], "Root", "{}", r.text);
}

/// A filter with a non-ASCII character next to `and`-like text used to slice a string inside
/// a UTF-8 character and drop the connection; every set now parses it with the one grammar.
#[tokio::test]
async fn a_non_ascii_filter_is_a_bad_query_on_every_set() {
    let s = serve_sample();
    for set in entity_sets(&s).await {
        for filter in [
            "00%C2%80%C2%80",
            "name%20and%C2%80%C2%80",
            "%C3%A9%20and%20x",
        ] {
            get(&s.url(&format!("{set}?$filter={filter}")))
                .await
                .error(400, "0x80060888");
        }
    }
}

/// Random bytes (any byte, percent-encoded) as `$filter`, `$select` and `$orderby` on every
/// entity set: each gets an answer, and none is a server error.
#[tokio::test]
async fn random_query_options_never_cause_a_server_error() {
    let s = serve_sample();
    // xorshift64*: a fixed seed, so a failure is reproduced by running the test again.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    // Bytes the grammar gives meaning to come up often, so inputs get past the lexer.
    const SYNTAX: &[u8] = b" ()',-.:eqandortnulsc0123456789";
    let client = reqwest::Client::new();
    for set in entity_sets(&s).await {
        for option in ["$filter", "$select", "$orderby"] {
            for _ in 0..12 {
                let len = (next() % 24) as usize;
                let bytes: Vec<u8> = (0..len)
                    .map(|_| {
                        let r = next();
                        if r % 3 == 0 {
                            (r >> 8) as u8
                        } else {
                            SYNTAX[(r >> 8) as usize % SYNTAX.len()]
                        }
                    })
                    .collect();
                let encoded: String = bytes.iter().map(|b| format!("%{b:02X}")).collect();
                let url = s.url(&format!("{set}?{option}={encoded}"));
                let r = send(client.get(&url)).await;
                assert!(r.status < 500, "{url} answered {}: {}", r.status, r.text);
            }
        }
    }
}

/// Definition tables take the whole `$filter` grammar the record tables take: `or`, `not`,
/// parentheses, comparisons beyond `eq`/`ne` and the text functions.
#[tokio::test]
async fn definition_tables_take_the_full_filter_grammar() {
    let s = serve_sample();
    let names = |r: &Reply| -> Vec<String> {
        assert_eq!(r.status, 200, "{}", r.text);
        r.json["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["uniquename"].as_str().unwrap().to_owned())
            .collect()
    };
    let r = get(&s.url(
        "customapis?$select=uniquename&$filter=uniquename eq 'SB_GREET' or (uniquename eq 'sb_Echo' and not (isfunction eq true))&$orderby=uniquename desc",
    ))
    .await;
    assert_eq!(names(&r), ["sb_Greet", "sb_Echo"]);
    let r = get(&s.url(
        "customapis?$select=uniquename&$filter=startswith(uniquename,'sb_Gr') and bindingtype lt 1",
    ))
    .await;
    assert_eq!(names(&r), ["sb_Greet"]);
}

/// Epoch milliseconds as the Web API shows date-times (`2026-11-22T10:00:00Z`).
fn iso(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

const JOBS: i64 = 12_000;

/// [`JOBS`] completed jobs written straight into the database, a thousand per statement:
/// job `i` is named `job {i:05}` and was created at `base + i` seconds; every hundredth
/// failed after a retry (31), the others succeeded (30).
async fn insert_jobs(url: &str, base: i64) {
    use entity::asyncoperation::ActiveModel;
    let store = store(url).await;
    for start in (0..JOBS).step_by(1000) {
        let rows = (start..(start + 1000).min(JOBS)).map(|i| {
            let created = base + i * 1000;
            let failed = i % 100 == 0;
            ActiveModel {
                asyncoperationid: Set(uuid::Uuid::new_v4()),
                name: Set(format!("job {i:05}")),
                operationtype: Set(1),
                statecode: Set(3),
                statuscode: Set(if failed { 31 } else { 30 }),
                data: Set(Some("{}".into())),
                message: Set(failed.then(|| "it failed".to_owned())),
                friendlymessage: Set(None),
                errorcode: Set(None),
                retrycount: Set(i32::from(failed)),
                correlationid: Set(None),
                requestid: Set(None),
                messagename: Set(Some("Create".into())),
                depth: Set(1),
                owningextensionid: Set(None),
                primaryentitytype: Set(None),
                regardingobjectid: Set(None),
                ownerid: Set(None),
                createdon: Set(created),
                modifiedon: Set(created + 500),
                startedon: Set(Some(created + 100)),
                completedon: Set(Some(created + 500)),
                postponeuntil: Set(created),
                executiontimespan: Set(Some(0.4)),
                hostid: Set(Some("test".into())),
                leaseexpireson: Set(None),
                asyncautodelete: Set(false),
            }
        });
        entity::asyncoperation::Entity::insert_many(rows)
            .exec_without_returning(store.connection())
            .await
            .unwrap();
    }
}

fn rows(r: &Reply) -> &Vec<Json> {
    assert_eq!(r.status, 200, "{}", r.text);
    r.json["value"].as_array().unwrap()
}

fn names(r: &Reply) -> Vec<&str> {
    rows(r)
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect()
}

async fn get_paged(url: &str, size: u32) -> Reply {
    send(
        reqwest::Client::new()
            .get(url)
            .header("Prefer", format!("odata.maxpagesize={size}")),
    )
    .await
}

/// `asyncoperations` and a definition table page in SQL as record tables do.
async fn paging_suite(s: &Served) {
    // Whole seconds some hours ago: well inside the default retention.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let base = (now - 2 * JOBS) * 1000;
    insert_jobs(&s.db.url, base).await;

    let r = get(&s.url("asyncoperations?$top=1")).await;
    assert_eq!(rows(&r).len(), 1);
    assert!(r.json.get("@odata.nextLink").is_none(), "{}", r.text);

    // 5,000 rows a page without a preference; the last page has no link.
    let mut url = s.url("asyncoperations");
    let mut seen = HashSet::new();
    let mut sizes = Vec::new();
    loop {
        let r = get(&url).await;
        sizes.push(rows(&r).len());
        for row in rows(&r) {
            assert!(seen.insert(row["asyncoperationid"].as_str().unwrap().to_owned()));
        }
        assert!(r.headers.get("preference-applied").is_none());
        match r.json["@odata.nextLink"].as_str() {
            Some(next) => {
                assert!(
                    next.contains("skiptoken=5000") || next.contains("skiptoken=10000"),
                    "{next}"
                );
                url = next.to_owned();
            }
            None => break,
        }
    }
    assert_eq!(sizes, [5000, 5000, 2000]);
    assert_eq!(seen.len() as i64, JOBS, "no row twice, none left out");

    // A preferred page size: applied, and the link keeps the query options.
    let r = get_paged(&s.url("asyncoperations?$select=name&$orderby=name"), 10).await;
    assert_eq!(
        r.headers["preference-applied"].to_str().unwrap(),
        "odata.maxpagesize=10"
    );
    assert_eq!(names(&r)[0], "job 00000");
    assert_eq!(names(&r).len(), 10);
    let next = r.json["@odata.nextLink"].as_str().unwrap();
    let r = get_paged(next, 10).await;
    assert_eq!(
        names(&r),
        (10..20).map(|i| format!("job {i:05}")).collect::<Vec<_>>()
    );
    assert_eq!(
        r.json["@odata.context"],
        format!("{}/api/data/v9.2/$metadata#asyncoperations(name)", s.base)
    );

    // Filters, counts and sorting run in the database.
    let r = get(&s.url(
        "asyncoperations?$filter=statecode eq 3 and retrycount gt 0&$count=true&$select=statuscode,retrycount",
    ))
    .await;
    assert_eq!(rows(&r).len(), 120);
    assert_eq!(r.json["@odata.count"], 120);
    assert!(
        rows(&r)
            .iter()
            .all(|v| v["statuscode"] == 31 && v["retrycount"] == 1)
    );
    let r =
        get(&s.url("asyncoperations?$orderby=createdon desc&$top=3&$select=name,createdon")).await;
    assert_eq!(names(&r), ["job 11999", "job 11998", "job 11997"]);
    assert_eq!(rows(&r)[0]["createdon"], iso(base + 11_999_000));
    // A time read from a row finds that row.
    let at = iso(base + 11_990_000);
    let r = get(&s.url(&format!(
        "asyncoperations?$filter=createdon ge {at}&$select=name&$orderby=name"
    )))
    .await;
    assert_eq!(names(&r).len(), 10);
    assert_eq!(names(&r)[0], "job 11990");
    let r = get(&s.url(&format!(
        "asyncoperations?$filter=createdon eq {at}&$select=name"
    )))
    .await;
    assert_eq!(names(&r), ["job 11990"]);
    get(&s.url("asyncoperations?$skiptoken=abc"))
        .await
        .error(400, "0x80060888");
    get(&s.url("asyncoperations?$filter=createdon gt 5"))
        .await
        .error(400, "0x80060888");

    // A definition table pages the same way.
    let mut url = s.url("sdkmessages?$select=name&$filter=isbuiltin eq true&$orderby=name");
    let mut pages = Vec::new();
    loop {
        let r = get_paged(&url, 2).await;
        assert_eq!(
            r.headers["preference-applied"].to_str().unwrap(),
            "odata.maxpagesize=2"
        );
        pages.push(
            names(&r)
                .iter()
                .map(|n| (*n).to_owned())
                .collect::<Vec<_>>(),
        );
        match r.json["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(
        pages,
        [
            vec!["Assign", "Associate"],
            vec!["Create", "Delete"],
            vec!["Disassociate", "OnBackgroundOperationComplete"],
            vec!["Retrieve", "RetrieveMultiple"],
            vec!["SetState", "Update"],
        ]
    );
}

#[tokio::test]
async fn system_and_definition_tables_page_in_the_database() {
    let s = serve_sample();
    paging_suite(&s).await;
}

#[tokio::test]
async fn system_and_definition_tables_page_in_the_database_on_postgres() {
    let Some(pg) = postgres("system_and_definition_tables_page_in_the_database_on_postgres").await
    else {
        return;
    };
    {
        let s = serve_db(pg.served_db(), &[&sample()]);
        paging_suite(&s).await;
    }
    pg.drop_database().await;
}

/// Every stored row of `E` as serde shows its model, by key.
async fn stored<E>(store: &switchboard_store::Store, key: &str) -> BTreeMap<String, Json>
where
    E: EntityTrait,
    E::Model: serde::Serialize,
{
    E::find()
        .all(store.connection())
        .await
        .unwrap()
        .into_iter()
        .map(|m| {
            let row = serde_json::to_value(m).unwrap();
            (row[key].as_str().unwrap().to_owned(), row)
        })
        .collect()
}

/// Rows read in the database keep the JSON the whole-table reads gave: each model as serde
/// writes it (lookups as `_x_value`), times of jobs, of the organization and of outbound
/// deliveries as ISO 8601, plug-in types' `name`, assemblies without their bytes.
#[tokio::test]
async fn definition_rows_keep_their_shape() {
    use entity::*;
    let s = serve(&[&sample(), &plugin_solution()]);
    let store = store(&s.db.url).await;
    // A succeeded and a failed job, a trace and an outbound delivery.
    for name in ["done", "failed"] {
        switchboard_store::jobs::enqueue(
            store.connection(),
            switchboard_store::jobs::NewJob {
                name: name.into(),
                data: "{}".into(),
                owning_extension_id: Some(uuid::Uuid::new_v4()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    let lease = std::time::Duration::from_secs(60);
    let first = store.claim("test", lease).await.unwrap().unwrap();
    assert!(
        switchboard_store::jobs::complete_in(store.connection(), &first)
            .await
            .unwrap()
    );
    let second = store.claim("test", lease).await.unwrap().unwrap();
    store
        .fail(
            &second,
            &switchboard_store::jobs::JobError::permanent("no").with_code(-1),
            &switchboard_store::jobs::RetryPolicy::default(),
        )
        .await
        .unwrap();
    switchboard_store::log_writer::write(
        store.connection(),
        &[switchboard_store::tracelog::NewTrace {
            type_name: "T".into(),
            message_name: "sb_X".into(),
            lines: vec!["hello".into()],
            step_id: Some(uuid::Uuid::new_v4()),
            started: 1_700_000_000_123,
            ..Default::default()
        }],
    )
    .await
    .unwrap();
    switchboard_store::log_writer::write(
        store.connection(),
        &[switchboard_store::deliveries::NewDelivery {
            created_on: 1_700_000_000_123,
            purpose: "webhook".into(),
            method: "POST".into(),
            url: "https://hooks.example.com/in?code=REDACTED".into(),
            host: "hooks.example.com".into(),
            attempt: 1,
            status: Some(200),
            duration_ms: 12,
            regarding: Some(("asyncoperation".into(), uuid::Uuid::new_v4())),
            correlation_id: Some(uuid::Uuid::new_v4()),
            ..Default::default()
        }],
    )
    .await
    .unwrap();

    let times = |row: &mut Json, columns: &[&str]| {
        for c in columns {
            if let Some(ms) = row[*c].as_i64() {
                row[*c] = Json::String(iso(ms));
            }
        }
    };
    let mut expected: Vec<(&str, &str, BTreeMap<String, Json>)> = vec![
        (
            "customapis",
            "customapiid",
            stored::<customapi::Entity>(&store, "customapiid").await,
        ),
        (
            "customapirequestparameters",
            "customapirequestparameterid",
            stored::<customapirequestparameter::Entity>(&store, "customapirequestparameterid")
                .await,
        ),
        (
            "customapiresponseproperties",
            "customapiresponsepropertyid",
            stored::<customapiresponseproperty::Entity>(&store, "customapiresponsepropertyid")
                .await,
        ),
        (
            "pluginassemblies",
            "pluginassemblyid",
            stored::<pluginassembly::Entity>(&store, "pluginassemblyid").await,
        ),
        (
            "plugintypes",
            "plugintypeid",
            stored::<plugintype::Entity>(&store, "plugintypeid").await,
        ),
        (
            "sdkmessages",
            "sdkmessageid",
            stored::<sdkmessage::Entity>(&store, "sdkmessageid").await,
        ),
        (
            "sdkmessageprocessingsteps",
            "sdkmessageprocessingstepid",
            stored::<sdkmessageprocessingstep::Entity>(&store, "sdkmessageprocessingstepid").await,
        ),
        (
            "systemusers",
            "systemuserid",
            stored::<systemuser::Entity>(&store, "systemuserid").await,
        ),
        (
            "roles",
            "roleid",
            stored::<role::Entity>(&store, "roleid").await,
        ),
        (
            "businessunits",
            "businessunitid",
            stored::<businessunit::Entity>(&store, "businessunitid").await,
        ),
        (
            "asyncoperations",
            "asyncoperationid",
            stored::<asyncoperation::Entity>(&store, "asyncoperationid").await,
        ),
        (
            "plugintracelogs",
            "plugintracelogid",
            stored::<plugintracelog::Entity>(&store, "plugintracelogid").await,
        ),
        (
            "outbounddeliveries",
            "outbounddeliveryid",
            stored::<outbounddelivery::Entity>(&store, "outbounddeliveryid").await,
        ),
        (
            "organizations",
            "organizationid",
            stored::<organization::Entity>(&store, "organizationid").await,
        ),
    ];
    for (set, _, rows) in &mut expected {
        assert!(!rows.is_empty(), "{set} has rows to compare");
        for row in rows.values_mut() {
            match *set {
                "plugintypes" => row["name"] = row["typename"].clone(),
                "asyncoperations" => times(
                    row,
                    &[
                        "createdon",
                        "modifiedon",
                        "startedon",
                        "completedon",
                        "postponeuntil",
                        "leaseexpireson",
                    ],
                ),
                "organizations" => times(row, &["modifiedon"]),
                "outbounddeliveries" => times(row, &["createdon"]),
                _ => {}
            }
        }
    }
    for (set, key, want) in &expected {
        let r = get(&s.url(set)).await;
        let got: BTreeMap<String, Json> = rows(&r)
            .iter()
            .map(|row| (row[*key].as_str().unwrap().to_owned(), row.clone()))
            .collect();
        assert_eq!(&got, want, "{set}");
    }
    let assemblies = get(&s.url("pluginassemblies")).await;
    assert!(rows(&assemblies).iter().all(|a| a.get("content").is_none()));
}
