//! Authentication and authorization over HTTP: tokens, execute privileges, impersonation.

use serde_json::json;

use crate::support::*;

const ACCOUNT: &str = "6f9619ff-8b86-d011-b42d-00c04fc964ff";

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[tokio::test]
async fn requests_without_a_valid_token_are_refused() {
    let s = serve_sample();
    let client = reqwest::Client::new();
    let no_token = send(client.get(s.url("WhoAmI")).header("Authorization", "")).await;
    let m = no_token.error(401, "0x80040220");
    assert!(m.contains("Authorization: Bearer"), "{m}");
    assert_eq!(no_token.headers["www-authenticate"], "Bearer");
    send(
        client
            .get(s.url("WhoAmI"))
            .header("Authorization", bearer("sbt_forged")),
    )
    .await
    .error(401, "0x80040220");
    send(
        client
            .get(s.url("$metadata"))
            .header("Authorization", "Basic YWRtaW46YWRtaW4="),
    )
    .await
    .error(401, "0x80040220");

    // Expired and revoked tokens.
    let expired = create_token(&s.db.url, "admin", &["--expires-in-days", "0"]);
    send(
        client
            .get(s.url("WhoAmI"))
            .header("Authorization", bearer(&expired)),
    )
    .await
    .error(401, "0x80040220");
    let out = run(&s.db.url, &["token", "create", "--user", "admin"]);
    let token = stdout(&out).trim().to_owned();
    let id = stderr(&out)
        .trim()
        .strip_prefix("token id ")
        .expect("id reported")
        .to_owned();
    assert_eq!(
        send(
            client
                .get(s.url("WhoAmI"))
                .header("Authorization", bearer(&token))
        )
        .await
        .status,
        200
    );
    assert!(run(&s.db.url, &["token", "revoke", &id]).status.success());
    // Revoked by another process (the CLI): refused within the bound.
    until_status(
        || {
            client
                .get(s.url("WhoAmI"))
                .header("Authorization", bearer(&token))
        },
        401,
        "the token revoked by the CLI",
    )
    .await
    .error(401, "0x80040220");

    // Health needs no token; tokens are stored only as hashes.
    assert_eq!(
        reqwest::get(format!("{}/health", s.base))
            .await
            .unwrap()
            .status(),
        200
    );
    let store = store(&s.db.url).await;
    assert!(!store.token_rows_contain(&token).await.unwrap());
    assert!(!store.token_rows_contain(&s.token).await.unwrap());
}

#[tokio::test]
async fn execute_privilege_is_required_then_granted_through_a_role() {
    let s = serve_sample();
    assert!(
        run(
            &s.db.url,
            &["user", "add", "ada", "--full-name", "Ada Lovelace"]
        )
        .status
        .success()
    );
    let ada = create_token(&s.db.url, "ada", &[]);
    let client = reqwest::Client::new();
    let call = || {
        client
            .post(s.url(&format!(
                "accounts({ACCOUNT})/Microsoft.Dynamics.CRM.sb_TransferOwnership"
            )))
            .header("Authorization", bearer(&ada))
            .json(&json!({"NewOwner": {"@odata.id": format!("systemusers({ACCOUNT})")}}))
    };
    let m = send(call()).await.error(403, "0x80040220");
    assert!(
        m.starts_with("Principal user (Id=") && m.contains("is missing prvAssignAccount privilege"),
        "{m}"
    );
    // APIs without an execute privilege stay open to any user.
    let r = send(
        client
            .get(s.url("sb_Greet(Name='Ada')"))
            .header("Authorization", bearer(&ada)),
    )
    .await;
    assert_eq!(r.status, 200);

    assert!(
        run(&s.db.url, &["role", "add", "Account Managers"])
            .status
            .success()
    );
    assert!(
        run(
            &s.db.url,
            &["role", "grant", "Account Managers", "prvAssignAccount"]
        )
        .status
        .success()
    );
    assert!(
        run(&s.db.url, &["role", "assign", "ada", "Account Managers"])
            .status
            .success()
    );
    let r = until_status(call, 200, "the role assigned by the CLI").await;
    assert_eq!(r.json["Succeeded"], false);
}

#[tokio::test]
async fn impersonation_needs_act_on_behalf() {
    let s = serve_sample();
    assert!(run(&s.db.url, &["user", "add", "bob"]).status.success());
    let users = stdout(&run(&s.db.url, &["user", "list"]));
    let bob_id = users
        .lines()
        .find(|l| l.starts_with("bob\t"))
        .unwrap()
        .rsplit('\t')
        .next()
        .unwrap()
        .to_owned();
    let bob = create_token(&s.db.url, "bob", &[]);
    let client = reqwest::Client::new();
    // The administrator may act on behalf of bob.
    let r = send(client.get(s.url("WhoAmI")).header("MSCRMCallerID", &bob_id)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["UserId"], bob_id.as_str());
    // Bob may not act on behalf of anyone.
    let admin_id = "5b0c2f6e-1d4a-4e8b-9a37-c1d2e3f4a503";
    let m = send(
        client
            .get(s.url("WhoAmI"))
            .header("Authorization", bearer(&bob))
            .header("MSCRMCallerID", admin_id),
    )
    .await
    .error(403, "0x80040220");
    assert!(m.contains("prvActOnBehalfOfAnotherUser"), "{m}");
    send(
        client
            .get(s.url("WhoAmI"))
            .header("MSCRMCallerID", "00000000-0000-0000-0000-00000000beef"),
    )
    .await
    .error(403, "0x80040220");
}

#[test]
fn cli_reports_unknown_users_and_roles() {
    let db = sqlite();
    let out = run(&db.url, &["token", "create", "--user", "nobody"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("no such user nobody"),
        "{}",
        stderr(&out)
    );
    let out = run(&db.url, &["role", "assign", "admin", "Nope"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no such role Nope"));
    assert!(
        !run(&db.url, &["user", "add", "admin"]).status.success(),
        "duplicate user refused"
    );
}

#[tokio::test]
async fn too_many_requests_answer_429_with_retry_after() {
    let s = serve_with(
        &[&sample()],
        // One request of the six seeds the test account (see `serve`).
        &["--rate-limit", "6", "--rate-window-secs", "120"],
    );
    for _ in 0..5 {
        assert_eq!(get(&s.url("WhoAmI")).await.status, 200);
    }
    let r = get(&s.url("WhoAmI")).await;
    let m = r.error(429, "0x80072322");
    assert_eq!(
        m,
        "Number of requests exceeded the limit of 6 over time window of 120 seconds."
    );
    let wait: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=120).contains(&wait), "{wait}");
    // Limits are per user: another user still gets through.
    assert!(run(&s.db.url, &["user", "add", "carol"]).status.success());
    let carol = create_token(&s.db.url, "carol", &[]);
    let r = send(
        reqwest::Client::new()
            .get(s.url("WhoAmI"))
            .header("Authorization", bearer(&carol)),
    )
    .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn a_zip_bomb_is_refused_and_nothing_is_written() {
    use std::io::Write;
    let db = sqlite();
    import_ok(&db.url, &[&sample()]);
    let before = counts(&db.url).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("solution.xml", options).unwrap();
    zip.write_all(&vec![b' '; 20 << 20]).unwrap();
    zip.finish().unwrap();
    assert!(
        std::fs::metadata(&path).unwrap().len() < 1 << 20,
        "the archive itself is small"
    );
    let out = run(&db.url, &["import", path.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("expands") && stderr(&out).contains("fold"),
        "{}",
        stderr(&out)
    );
    assert_eq!(counts(&db.url).await, before);
}

#[tokio::test]
async fn a_slow_client_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = serve_with(&[&sample()], &["--request-timeout-secs", "1"]);
    let addr = s.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/data/v9.2/sb_Echo HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"StringParameter\":",
        s.token
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    // Never send the rest of the body.
    let mut response = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut response),
    )
    .await;
    let text = String::from_utf8_lossy(&response);
    assert!(
        read.is_ok(),
        "the server did not answer the stalled request"
    );
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("did not complete within 1 seconds"), "{text}");
    // Other requests are still served.
    assert_eq!(get(&s.url("WhoAmI")).await.status, 200);
}

#[tokio::test]
async fn jwts_from_an_identity_provider_are_verified() {
    use jsonwebtoken::{EncodingKey, Header, encode};
    let s = serve_with(
        &[&sample()],
        &[
            "--jwt-secret",
            "a-shared-secret-of-some-length",
            "--jwt-issuer",
            "https://idp.test",
            "--jwt-audience",
            "switchboard",
        ],
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mint = |secret: &str, claims: serde_json::Value| {
        encode(
            &Header::default(),
            &claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    };
    let good = json!({"iss": "https://idp.test", "aud": "switchboard", "exp": now + 600, "preferred_username": "admin"});
    let who = |token: String| {
        let s = &s;
        async move {
            send(
                reqwest::Client::new()
                    .get(s.url("WhoAmI"))
                    .header("Authorization", bearer(&token)),
            )
            .await
        }
    };
    let r = who(mint("a-shared-secret-of-some-length", good.clone())).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["UserId"], "5b0c2f6e-1d4a-4e8b-9a37-c1d2e3f4a503");
    // By user id in `sub`.
    let by_id = json!({"iss": "https://idp.test", "aud": "switchboard", "exp": now + 600, "sub": "5b0c2f6e-1d4a-4e8b-9a37-c1d2e3f4a503"});
    assert_eq!(
        who(mint("a-shared-secret-of-some-length", by_id))
            .await
            .status,
        200
    );
    // Forged, expired, wrong issuer or audience, unknown user: 401.
    who(mint("another-secret", good.clone()))
        .await
        .error(401, "0x80040220");
    let mut expired = good.clone();
    expired["exp"] = json!(now - 3600);
    who(mint("a-shared-secret-of-some-length", expired))
        .await
        .error(401, "0x80040220");
    let mut issuer = good.clone();
    issuer["iss"] = json!("https://evil.test");
    who(mint("a-shared-secret-of-some-length", issuer))
        .await
        .error(401, "0x80040220");
    let mut audience = good.clone();
    audience["aud"] = json!("someone-else");
    who(mint("a-shared-secret-of-some-length", audience))
        .await
        .error(401, "0x80040220");
    let mut nobody = good;
    nobody["preferred_username"] = json!("nobody");
    who(mint("a-shared-secret-of-some-length", nobody))
        .await
        .error(401, "0x80040220");
}

#[tokio::test]
async fn reading_definition_tables_needs_the_read_privilege() {
    let s = serve_sample();
    assert!(run(&s.db.url, &["user", "add", "dana"]).status.success());
    let dana = create_token(&s.db.url, "dana", &[]);
    let read = || {
        send(
            reqwest::Client::new()
                .get(s.url("customapis?$select=uniquename"))
                .header("Authorization", bearer(&dana)),
        )
    };
    let m = read().await.error(403, "0x80040220");
    assert!(m.contains("prvReadCustomAPI"), "{m}");
    assert!(
        run(
            &s.db.url,
            &["role", "grant", "Basic User", "prvReadCustomAPI"]
        )
        .status
        .success()
    );
    assert!(
        run(&s.db.url, &["role", "assign", "dana", "Basic User"])
            .status
            .success()
    );
    until_status(
        || {
            reqwest::Client::new()
                .get(s.url("customapis?$select=uniquename"))
                .header("Authorization", bearer(&dana))
        },
        200,
        "the privilege granted by the CLI",
    )
    .await;
}

#[tokio::test]
async fn deeply_nested_json_and_oversized_headers_are_refused() {
    let s = serve_sample();
    let nested = format!(
        "{{\"StringParameter\":\"x\",\"EntityParameter\":{}{}}}",
        "{\"a\":".repeat(1000),
        "1".to_owned() + &"}".repeat(1000)
    );
    let r = send(
        reqwest::Client::new()
            .post(s.url("sb_Echo"))
            .header("Content-Type", "application/json")
            .body(nested),
    )
    .await;
    let m = r.error(400, "0x80048d19");
    assert!(m.contains("recursion limit"), "{m}");
    let huge = "x".repeat(200 * 1024);
    let r = reqwest::Client::new()
        .get(s.url("WhoAmI"))
        .header("X-Huge", huge)
        .bearer_auth(&s.token)
        .send()
        .await;
    match r {
        Ok(r) => assert!(r.status().is_client_error(), "{}", r.status()),
        Err(e) => assert!(
            e.is_request() || e.is_connect() || e.to_string().contains("closed"),
            "{e}"
        ),
    }
    assert_eq!(get(&s.url("WhoAmI")).await.status, 200, "still serving");
}

#[tokio::test]
async fn administrators_manage_users_and_roles_over_the_web_api() {
    let s = serve_sample();
    let r = post(
        &s.url("systemusers"),
        json!({"domainname": "erin", "fullname": "Erin Example", "uilanguageid": 1031}),
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let location = r.headers["odata-entityid"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&s.url("systemusers(")), "{location}");
    post(&s.url("systemusers"), json!({"domainname": "erin"}))
        .await
        .error(412, "0x80040237");
    post(&s.url("systemusers"), json!({"fullname": "no login"}))
        .await
        .error(400, "0x80040203");
    assert_eq!(
        post(&s.url("roles"), json!({"name": "Auditors"}))
            .await
            .status,
        204
    );

    let r = get(&s.url("systemusers?$select=domainname,uilanguageid&$filter=domainname eq 'erin'"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["value"][0]["uilanguageid"], 1031);
    let roles = get(&s.url("roles?$select=name&$orderby=name")).await;
    let names: Vec<&str> = roles.json["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec!["Auditors", "Basic User", "System Administrator"]
    );

    // Non-administrators may not.
    let erin = create_token(&s.db.url, "erin", &[]);
    let r = send(
        reqwest::Client::new()
            .post(s.url("roles"))
            .header("Authorization", bearer(&erin))
            .json(&json!({"name": "Mine"})),
    )
    .await;
    let m = r.error(403, "0x80040220");
    // Erin reads German (uilanguageid 1031); the table name is not translated.
    assert!(
        m.contains("role") && m.contains("Systemadministrator"),
        "{m}"
    );
}

/// Sixteen administrators' requests creating the same login at once: one user is created, the
/// others get Dataverse's duplicate-record answer (412 `0x80040237`), never a 500, on every
/// database (the check before the insert passes for all of them; the unique key decides).
async fn racing_user_creates(served: &Served) {
    let url = served.url("systemusers");
    let mut racing = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let url = url.clone();
        racing.spawn(async move {
            post(&url, json!({"domainname": "racer", "fullname": "Racer"})).await
        });
    }
    let replies = racing.join_all().await;
    let created = replies.iter().filter(|r| r.status == 204).count();
    assert_eq!(
        created,
        1,
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    for r in replies.iter().filter(|r| r.status != 204) {
        r.error(412, "0x80040237");
    }
    let users = get(&url).await;
    let racers = users.json["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["domainname"] == "racer")
        .count();
    assert_eq!(racers, 1);
}

#[tokio::test]
async fn racing_user_creates_on_sqlite() {
    racing_user_creates(&serve_sample()).await;
}

#[tokio::test]
async fn racing_user_creates_on_postgres() {
    let Some(pg) = postgres("racing_user_creates_on_postgres").await else {
        return;
    };
    {
        let served = serve_db(pg.served_db(), &[&sample()]);
        racing_user_creates(&served).await;
    }
    pg.drop_database().await;
}

/// A plug-in that passes on the failure of one of its record operations fails with that
/// failure's class: a user without `prvCreatesb_project` calling `sb_Pipeline` (whose main
/// operation creates a project as the caller) gets Dataverse's 403, not the plug-in's 400.
#[tokio::test]
async fn a_plugin_passing_on_a_missing_privilege_answers_403() {
    let s = serve(&[&sample(), &plugin_solution()]);
    assert!(run(&s.db.url, &["user", "add", "frank"]).status.success());
    let frank = create_token(&s.db.url, "frank", &[]);
    let client = reqwest::Client::new();
    let m = send(
        client
            .post(s.url("sb_Pipeline"))
            .header("Authorization", bearer(&frank))
            .json(&json!({"Text": "no privilege"})),
    )
    .await
    .error(403, "0x80040220");
    assert!(m.contains("prvCreatesb_project"), "{m}");
    // A plug-in's own business error stays one.
    send(
        client
            .post(s.url("sb_Pipeline"))
            .json(&json!({"Text": "refuse me"})),
    )
    .await
    .error(400, "0x80040265");
}

/// A database failure under a plug-in's record operation, passed on by the plug-in, is the
/// platform's 500 (0x80040216), not the plug-in's business error: here the project table
/// is dropped behind the server's back before `sb_Pipeline`'s main operation creates one.
#[tokio::test]
async fn a_plugin_passing_on_a_database_failure_answers_500() {
    use sea_orm::ConnectionTrait;
    let s = serve(&[&sample(), &plugin_solution()]);
    let r = post(&s.url("sb_Pipeline"), json!({"Text": "before"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    store(&s.db.url)
        .await
        .connection()
        .execute_unprepared("DROP TABLE sb_projectbase")
        .await
        .unwrap();
    post(&s.url("sb_Pipeline"), json!({"Text": "after"}))
        .await
        .error(500, "0x80040216");
}
