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
    get(&s.url("customapis?$filter=uniquename eq 'a' or uniquename eq 'b'"))
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
