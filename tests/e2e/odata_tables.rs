//! The definition tables over the Web API: `$select`, `$filter`, `$orderby`, `$top`, keys,
//! `$expand`.

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
