//! Registering processing steps with the CLI, the Web API and solution imports: the same
//! rules everywhere, AllowedCustomProcessingStepType included.
//!
//! The sample solution has a custom API of each allowed step type: sb_Greet (0 None),
//! sb_LogActivity (1 Async Only) and sb_Echo (2 Sync and Async). The fixture adds a plug-in
//! assembly (a .NET one, never run) so steps have a plug-in type to name.

use std::path::{Path, PathBuf};

use serde_json::json;
use tempfile::TempDir;

use crate::support::*;

const TYPE_ID: &str = "5e1f0c2a-0000-4000-8000-0000000000a1";
const TYPE_NAME: &str = "Fixture.Audit";
const NOT_ALLOWED: &str = "0x80044187";

fn message_id(api: &str) -> String {
    switchboard_model::ids::custom_api_message_id(api).to_string()
}

/// The sample solution plus a plug-in assembly declaring [`TYPE_NAME`].
fn fixture() -> (TempDir, PathBuf) {
    let (dir, root) = sample_copy();
    let folder = root.join("PluginAssemblies/Fixture-5E1F0C2A");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("Fixture.dll.data.xml"),
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<PluginAssembly FullName="Fixture, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null" PluginAssemblyId="5e1f0c2a-0000-4000-8000-0000000000a0" CustomizationLevel="1">
  <IsolationMode>2</IsolationMode>
  <SourceType>0</SourceType>
  <FileName>/PluginAssemblies/Fixture-5E1F0C2A/Fixture.dll</FileName>
  <PluginTypes>
    <PluginType AssemblyQualifiedName="{TYPE_NAME}, Fixture, Version=1.0.0.0" PluginTypeId="{TYPE_ID}" Name="{TYPE_NAME}">
      <FriendlyName>{TYPE_NAME}</FriendlyName>
    </PluginType>
  </PluginTypes>
</PluginAssembly>
"#
        ),
    )
    .unwrap();
    (dir, root)
}

/// Writes `SdkMessageProcessingSteps/{id}.xml` into a solution folder.
fn step_file(root: &Path, id: &str, message: &str, stage: u8, mode: u8) -> PathBuf {
    let folder = root.join("SdkMessageProcessingSteps");
    std::fs::create_dir_all(&folder).unwrap();
    let path = folder.join(format!("{{{id}}}.xml"));
    std::fs::write(
        &path,
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<SdkMessageProcessingStep Name="{message}: fixture step" SdkMessageProcessingStepId="{{{id}}}">
  <SdkMessageName>{message}</SdkMessageName>
  <PluginTypeName>{TYPE_NAME}</PluginTypeName>
  <PluginTypeId>{TYPE_ID}</PluginTypeId>
  <PrimaryEntity>none</PrimaryEntity>
  <AsyncAutoDelete>0</AsyncAutoDelete>
  <Mode>{mode}</Mode>
  <Rank>1</Rank>
  <Stage>{stage}</Stage>
  <SdkMessageProcessingStepImages />
</SdkMessageProcessingStep>
"#
        ),
    )
    .unwrap();
    path
}

fn add(db: &str, name: &str, message: &str, stage: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "step",
        "add",
        "--name",
        name,
        "--message",
        message,
        "--plugin-type",
        TYPE_NAME,
        "--stage",
        stage,
    ];
    args.extend_from_slice(extra);
    run(db, &args)
}

/// The id `step add` printed.
fn added_id(out: &std::process::Output) -> String {
    let text = stdout(out);
    let start = text.rfind('(').expect("id in parentheses") + 1;
    text[start..start + 36].to_owned()
}

fn list(db: &str) -> Vec<serde_json::Value> {
    let out = run(db, &["step", "list", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .expect("step list --json is JSON")
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn cli_enforces_the_allowed_step_type() {
    let (_dir, root) = fixture();
    let db = sqlite();
    import_ok(&db.url, &[&root]);

    // Async Only: a synchronous step is refused, naming the API; so is any step on None.
    for (message, stage, extra) in [
        ("sb_LogActivity", "20", &[][..]),
        ("sb_LogActivity", "40", &["--mode", "sync"][..]),
        ("sb_Greet", "40", &["--mode", "async"][..]),
        ("sb_Greet", "10", &[][..]),
    ] {
        let out = add(&db.url, "refused", message, stage, extra);
        assert!(!out.status.success(), "{message} {stage} {extra:?}");
        let err = stderr(&out);
        assert!(
            err.contains("Custom SdkMessageProcessingStep is not allowed on the specified message")
                && err.contains(&format!("\"{message}\"")),
            "{err}"
        );
    }
    assert!(list(&db.url).is_empty(), "nothing stored");

    // Other rules: the message, the plug-in type, the stage and mode.
    for (args, expect) in [
        (
            vec![
                "--message",
                "sb_Nope",
                "--plugin-type",
                TYPE_NAME,
                "--stage",
                "20",
            ],
            "sb_Nope",
        ),
        (
            vec![
                "--message",
                "Create",
                "--plugin-type",
                "No.Such",
                "--stage",
                "20",
            ],
            "No.Such",
        ),
        (
            vec![
                "--message",
                "Create",
                "--plugin-type",
                TYPE_NAME,
                "--stage",
                "30",
            ],
            "stage 30",
        ),
        (
            vec![
                "--message",
                "Create",
                "--plugin-type",
                TYPE_NAME,
                "--stage",
                "20",
                "--mode",
                "async",
            ],
            "stage 40",
        ),
    ] {
        let mut all = vec!["step", "add", "--name", "bad"];
        all.extend(args);
        let out = run(&db.url, &all);
        assert!(!out.status.success());
        assert!(stderr(&out).contains(expect), "{}", stderr(&out));
    }

    // Accepted: async post-operation on Async Only, sync pre-operation on Sync and Async,
    // a built-in message on a table; by type name, type id or assembly-qualified name.
    let log = add(
        &db.url,
        "log after",
        "sb_LogActivity",
        "40",
        &[
            "--mode",
            "async",
            "--configuration",
            "plain",
            "--secure-configuration",
            "s3cret",
            "--async-auto-delete",
        ],
    );
    assert!(log.status.success(), "{}", stderr(&log));
    let log_id = added_id(&log);
    let echo = run(
        &db.url,
        &[
            "step",
            "add",
            "--name",
            "echo before",
            "--message",
            &message_id("sb_Echo"),
            "--plugin-type",
            TYPE_ID,
            "--stage",
            "20",
            "--rank",
            "3",
        ],
    );
    assert!(echo.status.success(), "{}", stderr(&echo));
    let update = add(
        &db.url,
        "account update",
        "Update",
        "10",
        &[
            "--entity",
            "account",
            "--filtering-attributes",
            "name,telephone1",
        ],
    );
    assert!(update.status.success(), "{}", stderr(&update));

    let steps = list(&db.url);
    assert_eq!(steps.len(), 3);
    let log_row = steps
        .iter()
        .find(|s| s["sdkmessageprocessingstepid"] == log_id.as_str())
        .unwrap();
    assert_eq!(log_row["message"], "sb_LogActivity");
    assert_eq!(log_row["stage"], 40);
    assert_eq!(log_row["mode"], 1);
    assert_eq!(log_row["configuration"], "plain");
    assert_eq!(log_row["asyncautodelete"], true);
    assert_eq!(log_row["hassecureconfiguration"], true);
    assert_eq!(log_row["plugintypeid"], TYPE_ID);
    assert_eq!(log_row["solution"], "Active");
    let text = stdout(&run(&db.url, &["step", "list"]));
    assert!(!text.contains("s3cret"), "{text}");
    let json_text = stdout(&run(&db.url, &["step", "list", "--json"]));
    assert!(!json_text.contains("s3cret"));
    let account = steps.iter().find(|s| s["message"] == "Update").unwrap();
    assert_eq!(account["primaryobjecttypecode"], "account");
    assert_eq!(
        account["filteringattributes"],
        json!(["name", "telephone1"])
    );

    // Disable, enable, delete.
    let out = run(&db.url, &["step", "disable", &log_id]);
    assert!(out.status.success(), "{}", stderr(&out));
    let row = |db: &str| {
        list(db)
            .into_iter()
            .find(|s| s["sdkmessageprocessingstepid"] == log_id.as_str())
    };
    assert_eq!(row(&db.url).unwrap()["statecode"], 1);
    assert!(run(&db.url, &["step", "enable", &log_id]).status.success());
    assert_eq!(row(&db.url).unwrap()["statecode"], 0);
    assert!(run(&db.url, &["step", "delete", &log_id]).status.success());
    assert!(row(&db.url).is_none());
    let again = run(&db.url, &["step", "delete", &log_id]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains(&log_id), "{}", stderr(&again));
    assert!(
        !run(&db.url, &["step", "enable", "not-a-guid"])
            .status
            .success()
    );
}

fn body(name: &str, api: &str, stage: u8, mode: u8) -> serde_json::Value {
    json!({
        "name": name,
        "stage": stage,
        "mode": mode,
        "rank": 1,
        "supporteddeployment": 0,
        "sdkmessageid@odata.bind": format!("/sdkmessages({})", message_id(api)),
        "plugintypeid@odata.bind": format!("/plugintypes({TYPE_ID})"),
    })
}

#[tokio::test]
async fn web_api_registers_changes_and_deletes_steps() {
    let (_dir, root) = fixture();
    web_api_suite(serve(&[&root])).await;
}

#[tokio::test]
async fn web_api_steps_on_postgres() {
    let Some(pg) = postgres("web_api_steps_on_postgres").await else {
        return;
    };
    let (_dir, root) = fixture();
    web_api_suite(serve_db(pg.served_db(), &[&root])).await;
    pg.drop_database().await;
}

async fn web_api_suite(s: Served) {
    let steps = s.url("sdkmessageprocessingsteps");
    let stored = || async { get(&steps).await.json["value"].as_array().unwrap().clone() };

    // Refused by AllowedCustomProcessingStepType, naming the API; nothing stored.
    let m = post(&steps, body("sync on async-only", "sb_LogActivity", 20, 0))
        .await
        .error(400, NOT_ALLOWED);
    assert!(
        m.contains("sb_LogActivity") && m.contains("Async Only"),
        "{m}"
    );
    let m = post(&steps, body("on none", "sb_Greet", 40, 1))
        .await
        .error(400, NOT_ALLOWED);
    assert!(m.contains("sb_Greet"), "{m}");
    assert!(stored().await.is_empty());

    // Missing references, bad stage/mode, missing columns.
    let mut unknown_type = body("x", "sb_Echo", 20, 0);
    unknown_type["plugintypeid@odata.bind"] =
        json!("/plugintypes(5e1f0c2a-0000-4000-8000-0000000000ff)");
    let m = post(&steps, unknown_type).await.error(404, "0x80040217");
    assert!(m.contains("plugintype With Id = 5e1f0c2a"), "{m}");
    let mut unknown_message = body("x", "sb_Echo", 20, 0);
    unknown_message["sdkmessageid@odata.bind"] =
        json!(format!("/sdkmessages({})", message_id("sb_Nope")));
    post(&steps, unknown_message).await.error(404, "0x80040217");
    post(&steps, body("x", "sb_Echo", 20, 1))
        .await
        .error(400, "0x80040203");
    post(&steps, body("x", "sb_Echo", 30, 0))
        .await
        .error(400, "0x80040203");
    let mut nameless = body("x", "sb_Echo", 20, 0);
    nameless.as_object_mut().unwrap().remove("name");
    post(&steps, nameless).await.error(400, "0x80040203");
    // U+0000 cannot be stored on PostgreSQL: refused alike on every database.
    for column in ["name", "configuration"] {
        let mut nul = body("x", "sb_Echo", 20, 0);
        nul[column] = json!("a\u{0}b");
        let m = post(&steps, nul).await.error(400, "0x80040203");
        assert!(m.contains("U+0000") && m.contains(column), "{m}");
    }
    assert!(stored().await.is_empty());

    // Accepted: async post-operation on Async Only (with a secure configuration), sync
    // pre-operation on Sync and Async.
    let mut log = body("log after", "sb_LogActivity", 40, 1);
    log["configuration"] = json!("plain");
    log["sdkmessageprocessingstepsecureconfigid"] = json!({"secureconfig": "s3cret"});
    let created = post(&steps, log).await;
    assert_eq!(created.status, 204, "{}", created.text);
    let entity = created.headers["odata-entityid"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(entity.starts_with(&steps), "{entity}");
    let id = entity[entity.len() - 37..entity.len() - 1].to_owned();
    let echo = post(&steps, body("echo before", "sb_Echo", 20, 0)).await;
    assert_eq!(echo.status, 204, "{}", echo.text);

    let one = get(&s.url(&format!("sdkmessageprocessingsteps({id})"))).await;
    assert_eq!(one.status, 200, "{}", one.text);
    assert_eq!(one.json["name"], "log after");
    assert_eq!(one.json["sdkmessagename"], "sb_LogActivity");
    assert_eq!(one.json["_plugintypeid_value"], TYPE_ID);
    assert_eq!(
        (one.json["stage"].clone(), one.json["mode"].clone()),
        (json!(40), json!(1))
    );
    assert_eq!(one.json["configuration"], "plain");
    assert!(one.json["_sdkmessageprocessingstepsecureconfigid_value"].is_string());
    let all = get(&steps).await;
    assert!(!all.text.contains("s3cret"), "{}", all.text);
    assert_eq!(all.json["value"].as_array().unwrap().len(), 2);
    let store = store(&s.db.url).await;
    assert_eq!(
        store
            .step_secure_configuration(id.parse().unwrap())
            .await
            .unwrap()
            .as_deref(),
        Some("s3cret")
    );

    // PATCH: re-checked by the same rules; statecode enables and disables.
    let this = s.url(&format!("sdkmessageprocessingsteps({id})"));
    let patch = |b: serde_json::Value| {
        let url = this.clone();
        async move { send(reqwest::Client::new().patch(&url).json(&b)).await }
    };
    let m = patch(json!({"mode": 0})).await.error(400, NOT_ALLOWED);
    assert!(m.contains("sb_LogActivity"), "{m}");
    assert_eq!(
        get(&this).await.json["mode"],
        1,
        "refused change wrote nothing"
    );
    assert_eq!(
        patch(json!({"rank": 5, "name": "renamed"})).await.status,
        204
    );
    assert_eq!(patch(json!({"statecode": 1})).await.status, 204);
    let row = get(&this).await.json;
    assert_eq!(
        (row["rank"].clone(), row["statecode"].clone()),
        (json!(5), json!(1))
    );
    assert_eq!(row["name"], "renamed");
    assert_eq!(patch(json!({"statecode": 0})).await.status, 204);
    assert_eq!(get(&this).await.json["statecode"], 0);
    patch(json!({"sdkmessageid@odata.bind": "/sdkmessages(9ebdbb1b-ea3e-db11-86a7-000a3a5473e8)"}))
        .await
        .error(400, "0x80060888");

    // Only administrators register, change or delete steps.
    assert!(run(&s.db.url, &["user", "add", "bob"]).status.success());
    let bob = format!("Bearer {}", create_token(&s.db.url, "bob", &[]));
    let client = reqwest::Client::new();
    for request in [
        client.post(&steps).json(&body("by bob", "sb_Echo", 20, 0)),
        client.patch(&this).json(&json!({"rank": 9})),
        client.delete(&this),
    ] {
        let m = send(request.header("Authorization", &bob))
            .await
            .error(403, "0x80040220");
        assert!(m.contains("System Administrator"), "{m}");
    }
    assert_eq!(get(&this).await.json["rank"], 5);

    // DELETE.
    assert_eq!(send(client.delete(&this)).await.status, 204);
    get(&this).await.error(404, "0x80040217");
    send(client.delete(&this)).await.error(404, "0x80040217");
    assert_eq!(stored().await.len(), 1);
    assert_eq!(
        store
            .step_secure_configuration(id.parse().unwrap())
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn an_import_with_a_refused_step_names_the_step_file_and_writes_nothing() {
    let (_dir, root) = fixture();
    let sync_id = "5e1f0c2a-0000-4000-8000-0000000000b1";
    let none_id = "5e1f0c2a-0000-4000-8000-0000000000b2";
    let good_id = "5e1f0c2a-0000-4000-8000-0000000000b3";
    step_file(&root, sync_id, "sb_LogActivity", 20, 0);
    step_file(&root, none_id, "sb_Greet", 40, 1);
    step_file(&root, good_id, "sb_LogActivity", 40, 1);
    let db = sqlite();
    let out = run(&db.url, &["import", &root.display().to_string()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    // Every refused step, at its <Mode> element (line 8 of the file).
    for (id, api) in [(sync_id, "sb_LogActivity"), (none_id, "sb_Greet")] {
        let line = err
            .lines()
            .find(|l| l.contains(&format!("{{{id}}}.xml:8:")))
            .unwrap_or_else(|| panic!("no line for {id}: {err}"));
        assert!(
            line.contains("Custom SdkMessageProcessingStep is not allowed")
                && line.contains(&format!("\"{api}\"")),
            "{line}"
        );
    }
    assert!(!err.contains(good_id), "{err}");
    let c = counts(&db.url).await;
    assert_eq!(
        (c["solution"], c["customapi"], c["sdkmessageprocessingstep"]),
        (0, 0, 0),
        "nothing written"
    );

    // Without the refused steps the import succeeds and stores the accepted one.
    std::fs::remove_file(root.join(format!("SdkMessageProcessingSteps/{{{sync_id}}}.xml")))
        .unwrap();
    std::fs::remove_file(root.join(format!("SdkMessageProcessingSteps/{{{none_id}}}.xml")))
        .unwrap();
    let out = import_ok(&db.url, &[&root]);
    assert!(
        stdout(&out).contains("sdkmessageprocessingstep sb_LogActivity: fixture step"),
        "{}",
        stdout(&out)
    );
    assert_eq!(list(&db.url)[0]["sdkmessageprocessingstepid"], good_id);
}

/// Gives a step file one entity image of `image_type` under the alias `Image`.
fn with_image(path: &Path, image_type: u8) {
    edit(
        path,
        "  <SdkMessageProcessingStepImages />",
        &format!(
            r#"  <SdkMessageProcessingStepImages>
    <SdkMessageProcessingStepImage Name="Image">
      <SdkMessageProcessingStepImageId>{{5e1f0c2a-0000-4000-8000-0000000000f{image_type}}}</SdkMessageProcessingStepImageId>
      <Attributes>Name,telephone1</Attributes>
      <EntityAlias>Image</EntityAlias>
      <ImageType>{image_type}</ImageType>
      <MessagePropertyName>Target</MessagePropertyName>
    </SdkMessageProcessingStepImage>
  </SdkMessageProcessingStepImages>"#
        ),
    );
}

#[tokio::test]
async fn solution_step_images_are_checked_against_the_message() {
    let (_dir, root) = fixture();
    let create_id = "5e1f0c2a-0000-4000-8000-0000000000c1";
    let update_id = "5e1f0c2a-0000-4000-8000-0000000000c2";
    // A pre-image of a Create: nothing exists before it.
    with_image(&step_file(&root, create_id, "Create", 40, 0), 0);
    with_image(&step_file(&root, update_id, "Update", 40, 0), 2);
    let db = sqlite();
    let out = run(&db.url, &["import", &root.display().to_string()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    // Reported at the step's <SdkMessageProcessingStepImages> element (line 11).
    let line = err
        .lines()
        .find(|l| l.contains(&format!("{{{create_id}}}.xml:11:")))
        .unwrap_or_else(|| panic!("no line for the Create step: {err}"));
    assert!(
        line.contains("\"Image\"") && line.contains("PreImage") && line.contains("Create"),
        "{line}"
    );
    assert_eq!(counts(&db.url).await["sdkmessageprocessingstep"], 0);

    // A post-image of the Create is fine; both steps are stored with their images.
    std::fs::remove_file(
        root.join("SdkMessageProcessingSteps")
            .join(format!("{{{create_id}}}.xml")),
    )
    .unwrap();
    with_image(&step_file(&root, create_id, "Create", 40, 0), 1);
    import_ok(&db.url, &[&root]);
    let steps = list(&db.url);
    let images = |id: &str| {
        steps
            .iter()
            .find(|s| s["sdkmessageprocessingstepid"] == id)
            .unwrap()["images"]
            .clone()
    };
    assert_eq!(images(create_id)[0]["imagetype"], 1);
    let update = images(update_id);
    assert_eq!(update[0]["imagetype"], 2);
    assert_eq!(update[0]["entityalias"], "Image");
    assert_eq!(update[0]["attributes"], json!(["name", "telephone1"]));
}
