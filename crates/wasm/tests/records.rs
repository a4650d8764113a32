//! Record operations from a plug-in: the sample `projects` plug-in (built from `plugins/`
//! for wasm32) run against an in-memory `RecordService`.

#![allow(missing_docs)]

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use switchboard_model::ExecutionContext;
use switchboard_model::value::{Entity, Value};
use switchboard_wasm::testing::run_context;
use switchboard_wasm::{
    HostConfig, Invocation, PluginFailure, RecordFailure, RecordFuture, RecordPage, RecordService,
    TraceLine,
};
use uuid::Uuid;

const SUMMARY: &str = "Switchboard.Samples.ProjectSummary";
const COUNT: &str = "Switchboard.Samples.CountProjects";

/// The `projects` sample built for wasm32 (a core module; the host componentizes it), once
/// per test run, in `plugins/target` as `switchboard plugin build` does.
fn projects() -> &'static [u8] {
    static BUILT: OnceLock<Vec<u8>> = OnceLock::new();
    BUILT.get_or_init(|| {
        let plugins = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plugins");
        let out = Command::new(env!("CARGO"))
            .args([
                "build",
                "--release",
                "--target",
                "wasm32-unknown-unknown",
                "-p",
                "projects",
                "--manifest-path",
            ])
            .arg(plugins.join("Cargo.toml"))
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .output()
            .expect("cargo runs");
        assert!(
            out.status.success(),
            "building plugins/projects failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let wasm: PathBuf = plugins.join("target/wasm32-unknown-unknown/release/projects.wasm");
        std::fs::read(&wasm).unwrap_or_else(|e| panic!("{}: {e}", wasm.display()))
    })
}

/// One call the fake service saw.
#[derive(Debug, Clone, PartialEq)]
enum Call {
    Create(Entity),
    Retrieve(String, Uuid, Vec<String>),
    Update(Entity),
    Delete(String, Uuid),
    RetrieveMultiple(String, String),
}

/// Records in memory, keyed by table and id; every call logged.
#[derive(Default)]
struct FakeRecords {
    records: Mutex<HashMap<(String, Uuid), Entity>>,
    calls: Mutex<Vec<Call>>,
    /// Every operation fails with this message.
    fail_with: Option<String>,
    /// Every operation waits this long first.
    delay: Option<Duration>,
}

impl FakeRecords {
    fn with(records: impl IntoIterator<Item = Entity>) -> Self {
        let fake = Self::default();
        for e in records {
            let key = (e.logical_name.clone().unwrap(), e.id.unwrap());
            fake.records.lock().unwrap().insert(key, e);
        }
        fake
    }

    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    fn get(&self, table: &str, id: Uuid) -> Option<Entity> {
        self.records
            .lock()
            .unwrap()
            .get(&(table.to_owned(), id))
            .cloned()
    }

    fn run<'a, T: Send + 'a>(
        &'a self,
        call: Call,
        operation: impl FnOnce(&Self) -> Result<T, RecordFailure> + Send + 'a,
    ) -> RecordFuture<'a, T> {
        Box::pin(async move {
            self.calls.lock().unwrap().push(call);
            if let Some(delay) = self.delay {
                tokio::time::sleep(delay).await;
            }
            if let Some(message) = &self.fail_with {
                return Err(RecordFailure {
                    message: message.clone(),
                });
            }
            operation(self)
        })
    }
}

fn not_found(table: &str, id: Uuid) -> RecordFailure {
    RecordFailure {
        message: format!("{table} With Id = {id} Does Not Exist"),
    }
}

impl RecordService for FakeRecords {
    fn create(&self, entity: Entity) -> RecordFuture<'_, Uuid> {
        self.run(Call::Create(entity.clone()), move |s| {
            let id = entity.id.unwrap_or_else(Uuid::new_v4);
            let table = entity.logical_name.clone().unwrap();
            let mut stored = entity;
            stored.id = Some(id);
            s.records.lock().unwrap().insert((table, id), stored);
            Ok(id)
        })
    }

    fn retrieve(&self, table: String, id: Uuid, columns: Vec<String>) -> RecordFuture<'_, Entity> {
        self.run(
            Call::Retrieve(table.clone(), id, columns.clone()),
            move |s| {
                let mut e = s.get(&table, id).ok_or_else(|| not_found(&table, id))?;
                if !columns.is_empty() {
                    e.attributes.retain(|k, _| columns.contains(k));
                }
                Ok(e)
            },
        )
    }

    fn update(&self, entity: Entity) -> RecordFuture<'_, ()> {
        self.run(Call::Update(entity.clone()), move |s| {
            let table = entity.logical_name.clone().unwrap();
            let id = entity.id.unwrap();
            let mut records = s.records.lock().unwrap();
            let stored = records
                .get_mut(&(table.clone(), id))
                .ok_or_else(|| not_found(&table, id))?;
            stored.attributes.extend(entity.attributes);
            Ok(())
        })
    }

    fn delete(&self, table: String, id: Uuid) -> RecordFuture<'_, ()> {
        self.run(Call::Delete(table.clone(), id), move |s| {
            s.records
                .lock()
                .unwrap()
                .remove(&(table.clone(), id))
                .map(|_| ())
                .ok_or_else(|| not_found(&table, id))
        })
    }

    /// Understands `$filter=<column> ge <integer>` only, which is all the sample sends.
    fn retrieve_multiple(&self, table: String, query: String) -> RecordFuture<'_, RecordPage> {
        self.run(
            Call::RetrieveMultiple(table.clone(), query.clone()),
            move |s| {
                let (column, min) = query
                    .strip_prefix("$filter=")
                    .and_then(|f| f.split_once(" ge "))
                    .and_then(|(c, n)| Some((c.to_owned(), n.parse::<i32>().ok()?)))
                    .ok_or_else(|| RecordFailure {
                        message: format!("the fake cannot read {query:?}"),
                    })?;
                let records = s
                    .records
                    .lock()
                    .unwrap()
                    .iter()
                    .filter(|((t, _), e)| {
                        *t == table
                            && matches!(e.attributes.get(&column), Some(Value::Integer(p)) if *p >= min)
                    })
                    .map(|(_, e)| e.clone())
                    .collect();
                Ok(RecordPage {
                    records,
                    more: false,
                })
            },
        )
    }
}

fn project(id: u128, name: &str, priority: i32) -> Entity {
    let mut e = Entity {
        logical_name: Some("sb_project".into()),
        id: Some(Uuid::from_u128(id)),
        attributes: BTreeMap::new(),
    };
    e.attributes
        .insert("sb_name".into(), Value::String(name.into()));
    e.attributes
        .insert("sb_priority".into(), Value::Integer(priority));
    e.attributes
        .insert("sb_notes".into(), Value::String("untouched".into()));
    e
}

/// A context and the record service its plug-in's record operations go to.
type Prepared = (ExecutionContext, Option<Arc<dyn RecordService>>);

/// Runs `plugin_type` of the projects sample on a prepared call.
async fn run_call(
    config: HostConfig,
    plugin_type: &str,
    (context, records): &Prepared,
) -> Result<Invocation, (PluginFailure, Vec<TraceLine>)> {
    run_context(config, projects(), plugin_type, context, records.clone()).await
}

/// A record-bound call of `sb_ProjectSummary` on project `id`.
fn summary_context(id: u128, touch: Option<bool>, records: Option<Arc<FakeRecords>>) -> Prepared {
    let mut inputs = BTreeMap::new();
    if let Some(touch) = touch {
        inputs.insert("Touch".to_owned(), Value::Boolean(touch));
    }
    let mut context = ExecutionContext::main_operation("sb_ProjectSummary", inputs);
    context.primary_entity_name = Some("sb_project".into());
    context.primary_entity_id = Some(Uuid::from_u128(id));
    (context, records.map(|r| r as Arc<dyn RecordService>))
}

fn notes(fake: &FakeRecords, id: u128) -> Value {
    fake.get("sb_project", Uuid::from_u128(id))
        .unwrap()
        .attributes["sb_notes"]
        .clone()
}

#[tokio::test]
async fn a_plugin_retrieves_its_target_and_updates_it_when_asked() {
    let fake = Arc::new(FakeRecords::with([project(1, "Apollo", 7)]));

    let run = run_call(
        HostConfig::default(),
        SUMMARY,
        &summary_context(1, None, Some(fake.clone())),
    )
    .await
    .unwrap_or_else(|(f, traces)| panic!("{f:?} {traces:?}"));
    assert_eq!(run.outputs["Name"], Value::String("Apollo".into()));
    assert_eq!(run.outputs["Priority"], Value::Integer(7));
    assert_eq!(
        fake.calls(),
        vec![Call::Retrieve(
            "sb_project".into(),
            Uuid::from_u128(1),
            vec!["sb_name".into(), "sb_priority".into()]
        )],
        "without Touch it only reads"
    );
    assert_eq!(notes(&fake, 1), Value::String("untouched".into()));

    run_call(
        HostConfig::default(),
        SUMMARY,
        &summary_context(1, Some(true), Some(fake.clone())),
    )
    .await
    .unwrap_or_else(|(f, traces)| panic!("{f:?} {traces:?}"));
    let calls = fake.calls();
    let Some(Call::Update(update)) = calls.last() else {
        panic!("the last call is an update: {calls:?}");
    };
    assert_eq!(update.logical_name.as_deref(), Some("sb_project"));
    assert_eq!(update.id, Some(Uuid::from_u128(1)));
    assert_eq!(
        update.attributes.keys().collect::<Vec<_>>(),
        ["sb_notes"],
        "only the changed column is sent"
    );
    assert_eq!(
        notes(&fake, 1),
        Value::String("touched by ProjectSummary".into())
    );
}

#[tokio::test]
async fn a_service_failure_is_the_plugins_business_error() {
    // A record that does not exist: the service's own message reaches the caller.
    let fake = Arc::new(FakeRecords::default());
    let (failure, _) = run_call(
        HostConfig::default(),
        SUMMARY,
        &summary_context(9, None, Some(fake)),
    )
    .await
    .unwrap_err();
    assert_eq!(
        failure,
        PluginFailure::Business(format!(
            "sb_project With Id = {} Does Not Exist",
            Uuid::from_u128(9)
        ))
    );

    // A failing update (say, a missing write privilege) likewise.
    let fake = Arc::new(FakeRecords {
        fail_with: Some("Principal user is missing prvWritesb_project privilege".into()),
        ..FakeRecords::with([project(1, "Apollo", 7)])
    });
    let (failure, _) = run_call(
        HostConfig::default(),
        SUMMARY,
        &summary_context(1, Some(true), Some(fake)),
    )
    .await
    .unwrap_err();
    assert_eq!(
        failure,
        PluginFailure::Business("Principal user is missing prvWritesb_project privilege".into())
    );
}

#[tokio::test]
async fn retrieve_multiple_passes_the_query_through() {
    let fake = Arc::new(FakeRecords::with([
        project(1, "Apollo", 7),
        project(2, "Gemini", 3),
        project(3, "Mercury", 5),
    ]));
    let context = ExecutionContext::main_operation(
        "sb_CountProjects",
        BTreeMap::from([("MinPriority".to_owned(), Value::Integer(5))]),
    );
    let call: Prepared = (context, Some(fake.clone()));
    let run = run_call(HostConfig::default(), COUNT, &call)
        .await
        .unwrap_or_else(|(f, traces)| panic!("{f:?} {traces:?}"));
    assert_eq!(run.outputs["Count"], Value::Integer(2));
    assert_eq!(
        fake.calls(),
        vec![Call::RetrieveMultiple(
            "sb_project".into(),
            "$filter=sb_priority ge 5".into()
        )],
        "one query, exactly as the plug-in wrote it, and nothing created"
    );
}

#[tokio::test]
async fn without_a_service_record_operations_are_not_available() {
    let (failure, _) = run_call(
        HostConfig::default(),
        SUMMARY,
        &summary_context(1, None, None),
    )
    .await
    .unwrap_err();
    let PluginFailure::Internal(message) = &failure else {
        panic!("an internal error: {failure:?}");
    };
    assert!(
        message.contains("retrieve of sb_project is not available"),
        "{message}"
    );
}

#[tokio::test]
async fn the_deadline_cuts_off_a_slow_service() {
    let fake = Arc::new(FakeRecords {
        delay: Some(Duration::from_secs(30)),
        ..FakeRecords::with([project(1, "Apollo", 7)])
    });
    let config = HostConfig {
        deadline: Duration::from_millis(300),
        ..HostConfig::default()
    };
    let started = Instant::now();
    let (failure, _) = run_call(config, SUMMARY, &summary_context(1, None, Some(fake)))
        .await
        .unwrap_err();
    assert_eq!(failure, PluginFailure::Timeout(Duration::from_millis(300)));
    // Loading (compiling) the component is not part of the call, but is part of this wait.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}
