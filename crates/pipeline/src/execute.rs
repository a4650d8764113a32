//! One execution: steps in order around the main operation, errors rolling back, depth
//! checked, asynchronous steps queued before the commit.

use std::collections::BTreeMap;
use std::sync::Arc;

use switchboard_model::execution::Caller;
use switchboard_model::step::images_available;
use switchboard_model::{Entity, Message, MessageId, StepMode, StepStage, Value};
use uuid::Uuid;

use switchboard_model::{ExecutionContext, MAX_DEPTH};

/// The input that carries the record of record messages (and record-bound APIs).
const TARGET: &str = "Target";
use crate::seams::{
    AsyncStep, PipelineError, PipelineErrorKind, PlatformOperation, PluginInvoker, Step,
    StepSource, Target, UnitOfWork,
};

/// A message to execute.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageRequest {
    /// The message name.
    pub message: String,
    /// The primary table (bound calls, record messages).
    pub primary_entity_name: Option<String>,
    /// The primary record.
    pub primary_entity_id: Option<Uuid>,
    /// Input parameters.
    pub inputs: BTreeMap<String, Value>,
    /// The outputs before the main operation (Dataverse's defaults for the response).
    pub outputs: BTreeMap<String, Value>,
    /// The privilege the caller needs (checked after pre-validation, as Dataverse does).
    pub privilege: Option<String>,
    /// Nesting depth: 1 for a request from outside.
    pub depth: u32,
    /// Shared by the whole request (nested executions reuse it).
    pub correlation_id: Uuid,
    /// The message and stage of the plug-in that executed this one.
    pub parent: Option<(String, StepStage)>,
    /// What runs at stage 30.
    pub main_operation: MainOperation,
}

/// What runs at stage 30 of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MainOperation {
    /// The message's plug-in (custom APIs), run by the [`PluginInvoker`]; only running
    /// plug-ins counts toward the depth limit, as in Dataverse.
    Plugin,
    /// The platform's own operation (record messages), run by the [`PlatformOperation`].
    Platform,
}

/// The pipeline: where steps come from, how plug-ins run, and what runs the platform's own
/// main operations.
#[derive(Clone)]
pub struct Pipeline {
    steps: Arc<dyn StepSource>,
    invoker: Arc<dyn PluginInvoker>,
    platform: Option<Arc<dyn PlatformOperation>>,
}

impl Pipeline {
    /// A pipeline over these seams (without platform operations: see
    /// [`Pipeline::with_platform`]).
    pub fn new(steps: Arc<dyn StepSource>, invoker: Arc<dyn PluginInvoker>) -> Self {
        Self {
            steps,
            invoker,
            platform: None,
        }
    }

    /// With what runs the main operation of [`MainOperation::Platform`] messages.
    pub fn with_platform(mut self, platform: Arc<dyn PlatformOperation>) -> Self {
        self.platform = Some(platform);
        self
    }

    /// Executes a message and returns its outputs. At depth 1 the execution owns `unit` and
    /// commits it (or rolls it back on any error); nested executions leave that to the
    /// outermost one, so a failure anywhere undoes every write of the request.
    pub async fn execute(
        &self,
        caller: &Caller,
        request: MessageRequest,
        unit: &Arc<dyn UnitOfWork>,
    ) -> Result<BTreeMap<String, Value>, PipelineError> {
        let outermost = request.depth <= 1;
        let result = self.run(caller, request, unit).await;
        if outermost {
            match &result {
                Ok(_) => unit.commit().await?,
                Err(_) => {
                    if let Err(e) = unit.rollback().await {
                        tracing::error!(error = ?e, "rolling back a failed execution failed");
                    }
                }
            }
        }
        result
    }

    async fn run(
        &self,
        caller: &Caller,
        request: MessageRequest,
        unit: &Arc<dyn UnitOfWork>,
    ) -> Result<BTreeMap<String, Value>, PipelineError> {
        let steps = self.steps_for(&request);
        let runs_plugin = request.main_operation == MainOperation::Plugin;
        if request.depth > MAX_DEPTH && (runs_plugin || !steps.is_empty()) {
            return Err(PipelineError::new(
                PipelineErrorKind::InfiniteLoop,
                Message::new(MessageId::PipelineInfiniteLoop)
                    .arg("message", &request.message)
                    .arg("depth", MAX_DEPTH),
            ));
        }

        let mut context = ExecutionContext {
            message_name: request.message.clone(),
            stage: StepStage::PreValidation,
            mode: StepMode::Synchronous,
            depth: request.depth.max(1),
            user_id: caller.user_id,
            initiating_user_id: caller.initiating_user_id,
            business_unit_id: caller.business_unit_id,
            organization_id: caller.organization_id,
            correlation_id: request.correlation_id,
            // Pre-validation runs before the transaction, unless a parent already opened it.
            is_in_transaction: request.depth > 1,
            primary_entity_name: request.primary_entity_name.clone(),
            primary_entity_id: request.primary_entity_id,
            inputs: request.inputs,
            outputs: request.outputs,
            shared: BTreeMap::new(),
            parent: request.parent,
            unsecure_configuration: None,
            secure_configuration: None,
            step_id: None,
            pre_images: BTreeMap::new(),
            post_images: BTreeMap::new(),
        };
        let mut images = Snapshots::default();
        let sync = |stage: StepStage| {
            steps
                .iter()
                .filter(move |s| s.stage == stage && s.mode == StepMode::Synchronous)
        };

        // Pre-validation runs outside the transaction: its pre-image is read where reads go.
        if images.wanted(&context, &steps, &[StepStage::PreValidation], Snap::Pre) {
            images.pre = images.read(&context, unit, false).await?;
        }
        for step in sync(StepStage::PreValidation) {
            self.run_step(step, caller, &mut context, &images, unit)
                .await?;
        }
        // The platform's security check comes after pre-validation, as in Dataverse.
        if let Some(privilege) = &request.privilege
            && !caller.holds(privilege)
        {
            return Err(PipelineError::new(
                PipelineErrorKind::Forbidden,
                caller.missing_privilege(privilege, &request.message),
            ));
        }
        context.is_in_transaction = true;
        // The pre-image later stages see is read inside the transaction of the write.
        let later = [StepStage::PreOperation, StepStage::PostOperation];
        if images.wanted(&context, &steps, &later, Snap::Pre) {
            images.pre = images.read(&context, unit, true).await?;
        }
        context.stage = StepStage::PreOperation;
        for step in sync(StepStage::PreOperation) {
            self.run_step(step, caller, &mut context, &images, unit)
                .await?;
        }
        context.stage = StepStage::MainOperation;
        context.unsecure_configuration = None;
        context.secure_configuration = None;
        context.step_id = None;
        context.pre_images.clear();
        context.post_images.clear();
        let changes = match (request.main_operation, &self.platform) {
            (MainOperation::Plugin, _) => {
                self.invoker
                    .invoke(Target::MainOperation, caller, &context, unit)
                    .await?
            }
            (MainOperation::Platform, Some(platform)) => {
                platform.run(caller, &context, unit).await?
            }
            (MainOperation::Platform, None) => {
                return Err(PipelineError::new(
                    PipelineErrorKind::Internal,
                    Message::internal(format_args!(
                        "no platform operation runs {}",
                        request.message
                    )),
                ));
            }
        };
        context.apply(changes);
        if images.wanted(&context, &steps, &[StepStage::PostOperation], Snap::Post) {
            images.post = images.read(&context, unit, true).await?;
        }
        context.stage = StepStage::PostOperation;
        for step in sync(StepStage::PostOperation) {
            self.run_step(step, caller, &mut context, &images, unit)
                .await?;
        }
        // Asynchronous steps are queued in the same transaction: they exist exactly when the
        // message's writes do.
        for step in steps
            .iter()
            .filter(|s| s.stage == StepStage::PostOperation && s.mode == StepMode::Asynchronous)
        {
            let mut queued = context.clone();
            queued.mode = StepMode::Asynchronous;
            queued.is_in_transaction = false;
            queued.step_id = Some(step.id);
            queued.unsecure_configuration = step.unsecure_configuration.clone();
            queued.secure_configuration = step.secure_configuration.clone();
            (queued.pre_images, queued.post_images) = images.for_step(step);
            unit.enqueue(AsyncStep {
                step: (**step).clone(),
                context: queued,
            })
            .await?;
        }
        Ok(context.outputs)
    }

    /// The steps that fire for `request`: an Update step with filtering attributes only when
    /// the update touches one of them.
    fn steps_for(&self, request: &MessageRequest) -> Vec<Arc<Step>> {
        let touched: Option<Vec<String>> = match request.inputs.get(TARGET) {
            Some(Value::Entity(e)) if request.message == "Update" => {
                Some(e.attributes.keys().cloned().collect())
            }
            _ => None,
        };
        self.steps
            .steps(&request.message, request.primary_entity_name.as_deref())
            .into_iter()
            .filter(|s| match &touched {
                Some(columns) if !s.filtering_attributes.is_empty() => s
                    .filtering_attributes
                    .iter()
                    .any(|f| columns.iter().any(|c| c.eq_ignore_ascii_case(f))),
                _ => true,
            })
            .collect()
    }

    async fn run_step(
        &self,
        step: &Step,
        caller: &Caller,
        context: &mut ExecutionContext,
        images: &Snapshots,
        unit: &Arc<dyn UnitOfWork>,
    ) -> Result<(), PipelineError> {
        context.step_id = Some(step.id);
        (context.pre_images, context.post_images) = images.for_step(step);
        context.unsecure_configuration = step.unsecure_configuration.clone();
        context.secure_configuration = step.secure_configuration.clone();
        let changes = self
            .invoker
            .invoke(Target::Step(step), caller, context, unit)
            .await?;
        context.apply(changes);
        Ok(())
    }

    /// Runs a queued asynchronous step with the context it was queued with (the job worker
    /// calls this inside the job's own transaction, `unit`).
    pub async fn run_async_step(
        &self,
        step: &Step,
        caller: &Caller,
        context: &ExecutionContext,
        unit: &Arc<dyn UnitOfWork>,
    ) -> Result<(), PipelineError> {
        self.invoker
            .invoke(Target::Step(step), caller, context, unit)
            .await
            .map(|_| ())
    }
}

/// Which snapshot of the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Snap {
    Pre,
    Post,
}

/// The record before and after the main operation, read once per execution when a step
/// that fires has an image of it; each step receives the columns its images name.
#[derive(Debug, Default)]
struct Snapshots {
    pre: Option<Entity>,
    post: Option<Entity>,
}

impl Snapshots {
    /// Whether a step at one of `stages` has an image of kind `snap` the message gives.
    fn wanted(
        &self,
        context: &ExecutionContext,
        steps: &[Arc<Step>],
        stages: &[StepStage],
        snap: Snap,
    ) -> bool {
        let (pre, post) = images_available(&context.message_name);
        let given = match snap {
            Snap::Pre => pre,
            Snap::Post => post,
        };
        given
            && steps.iter().any(|s| {
                stages.contains(&s.stage)
                    && s.images.iter().any(|i| match snap {
                        Snap::Pre => i.image_type.has_pre(),
                        Snap::Post => i.image_type.has_post(),
                    })
            })
    }

    /// Reads the message's record (`None` when the request names none, or it is gone).
    async fn read(
        &self,
        context: &ExecutionContext,
        unit: &Arc<dyn UnitOfWork>,
        in_transaction: bool,
    ) -> Result<Option<Entity>, PipelineError> {
        match (&context.primary_entity_name, context.primary_entity_id) {
            (Some(table), Some(id)) => unit.read_record(table, id, in_transaction).await,
            _ => Ok(None),
        }
    }

    /// The pre- and post-images `step` receives, by alias.
    fn for_step(&self, step: &Step) -> (BTreeMap<String, Entity>, BTreeMap<String, Entity>) {
        let mut pre = BTreeMap::new();
        let mut post = BTreeMap::new();
        for image in &step.images {
            if image.image_type.has_pre()
                && let Some(record) = &self.pre
            {
                pre.insert(image.alias.clone(), project(record, &image.attributes));
            }
            if image.image_type.has_post()
                && step.stage == StepStage::PostOperation
                && let Some(record) = &self.post
            {
                post.insert(image.alias.clone(), project(record, &image.attributes));
            }
        }
        (pre, post)
    }
}

/// The image of `record` with only `columns` (every column when empty). Like a retrieved
/// entity in Dataverse, it leaves out columns that hold no value.
fn project(record: &Entity, columns: &[String]) -> Entity {
    Entity {
        logical_name: record.logical_name.clone(),
        id: record.id,
        attributes: record
            .attributes
            .iter()
            .filter(|(name, value)| {
                !matches!(value, Value::Null)
                    && (columns.is_empty() || columns.iter().any(|c| c.eq_ignore_ascii_case(name)))
            })
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::seams::BoxFuture;
    use switchboard_model::StepChanges;

    fn step(id: u128, stage: StepStage, mode: StepMode, rank: i32) -> Arc<Step> {
        Arc::new(Step {
            id: Uuid::from_u128(id),
            name: format!("step {id}"),
            stage,
            mode,
            rank,
            plugin_type: Uuid::from_u128(id),
            unsecure_configuration: Some(format!("config {id}")),
            secure_configuration: None,
            async_auto_delete: false,
            filtering_attributes: Vec::new(),
            images: Vec::new(),
        })
    }

    struct Steps(Vec<Arc<Step>>);

    impl StepSource for Steps {
        fn steps(&self, _: &str, _: Option<&str>) -> Vec<Arc<Step>> {
            self.0.clone()
        }
    }

    /// Records each call; steps append their id to the `trail` output/shared value, the
    /// main operation copies the input `text` to the output `result`.
    #[derive(Default)]
    struct Recorder {
        calls: Mutex<Vec<String>>,
        fail_step: Option<u128>,
    }

    fn text(v: Option<&Value>) -> String {
        match v {
            Some(Value::String(s)) => s.clone(),
            _ => String::new(),
        }
    }

    impl PluginInvoker for Recorder {
        fn invoke<'a>(
            &'a self,
            target: Target<'a>,
            _caller: &'a Caller,
            context: &'a ExecutionContext,
            _unit: &'a Arc<dyn UnitOfWork>,
        ) -> BoxFuture<'a, Result<StepChanges, PipelineError>> {
            Box::pin(async move {
                let mut changes = StepChanges::default();
                match target {
                    Target::MainOperation => {
                        self.calls
                            .lock()
                            .unwrap()
                            .push(format!("30 in_txn={}", context.is_in_transaction));
                        changes.outputs.insert(
                            "result".into(),
                            Value::String(text(context.inputs.get("text"))),
                        );
                    }
                    Target::Step(s) => {
                        self.calls.lock().unwrap().push(format!(
                            "{} {} in_txn={}",
                            context.stage.code(),
                            s.name,
                            context.is_in_transaction
                        ));
                        if self.fail_step == Some(s.id.as_u128()) {
                            return Err(PipelineError::new(
                                PipelineErrorKind::Business,
                                Message::new(MessageId::PluginBusiness).arg("message", "no"),
                            ));
                        }
                        let trail =
                            format!("{}{}", text(context.shared.get("trail")), s.id.as_u128());
                        changes
                            .shared
                            .insert("trail".into(), Value::String(trail.clone()));
                        changes.inputs.insert(
                            "text".into(),
                            Value::String(text(context.inputs.get("text")).to_uppercase()),
                        );
                        changes.outputs.insert("trail".into(), Value::String(trail));
                    }
                }
                Ok(changes)
            })
        }
    }

    #[derive(Default)]
    struct Unit {
        log: Mutex<Vec<String>>,
        /// The stored record entity images are read from.
        record: Arc<Mutex<Option<Entity>>>,
    }

    impl UnitOfWork for Unit {
        fn enqueue(&self, step: AsyncStep) -> BoxFuture<'_, Result<(), PipelineError>> {
            self.log.lock().unwrap().push(format!(
                "enqueue {} stage {} mode {:?} trail {}",
                step.step.name,
                step.context.stage.code(),
                step.context.mode,
                text(step.context.shared.get("trail"))
            ));
            Box::pin(async { Ok(()) })
        }
        fn commit(&self) -> BoxFuture<'_, Result<(), PipelineError>> {
            self.log.lock().unwrap().push("commit".into());
            Box::pin(async { Ok(()) })
        }
        fn rollback(&self) -> BoxFuture<'_, Result<(), PipelineError>> {
            self.log.lock().unwrap().push("rollback".into());
            Box::pin(async { Ok(()) })
        }
        fn read_record<'a>(
            &'a self,
            table: &'a str,
            _id: Uuid,
            in_transaction: bool,
        ) -> BoxFuture<'a, Result<Option<Entity>, PipelineError>> {
            self.log
                .lock()
                .unwrap()
                .push(format!("read {table} in_txn={in_transaction}"));
            let record = self.record.lock().unwrap().clone();
            Box::pin(async move { Ok(record) })
        }
    }

    fn caller(privileges: &[&str]) -> Caller {
        Caller {
            user_id: Uuid::from_u128(7),
            initiating_user_id: Uuid::from_u128(7),
            business_unit_id: Uuid::nil(),
            organization_id: Uuid::nil(),
            is_admin: false,
            role_count: 1,
            privileges: Arc::new(privileges.iter().map(|p| (*p).to_owned()).collect()),
            language: None,
        }
    }

    fn request(depth: u32) -> MessageRequest {
        MessageRequest {
            message: "sb_X".into(),
            primary_entity_name: None,
            primary_entity_id: None,
            inputs: BTreeMap::from([("text".into(), Value::String("abc".into()))]),
            outputs: BTreeMap::new(),
            privilege: Some("prvX".into()),
            depth,
            correlation_id: Uuid::nil(),
            parent: None,
            main_operation: MainOperation::Plugin,
        }
    }

    fn all_stages() -> Vec<Arc<Step>> {
        vec![
            step(1, StepStage::PreValidation, StepMode::Synchronous, 1),
            step(2, StepStage::PreOperation, StepMode::Synchronous, 1),
            step(3, StepStage::PostOperation, StepMode::Synchronous, 1),
            step(4, StepStage::PostOperation, StepMode::Asynchronous, 1),
        ]
    }

    #[tokio::test]
    async fn stages_run_in_order_with_changes_and_shared_variables() {
        let recorder = Arc::new(Recorder::default());
        let pipeline = Pipeline::new(Arc::new(Steps(all_stages())), recorder.clone());
        let unit_impl = Arc::new(Unit::default());
        let unit: Arc<dyn UnitOfWork> = unit_impl.clone();
        let outputs = pipeline
            .execute(&caller(&["prvX"]), request(1), &unit)
            .await
            .unwrap();
        assert_eq!(
            *recorder.calls.lock().unwrap(),
            [
                "10 step 1 in_txn=false",
                "20 step 2 in_txn=true",
                "30 in_txn=true",
                "40 step 3 in_txn=true"
            ]
        );
        // The input upper-cased at 10/20 reached the main operation; 40 set its own output.
        assert_eq!(outputs["result"], Value::String("ABC".into()));
        assert_eq!(outputs["trail"], Value::String("123".into()));
        assert_eq!(
            *unit_impl.log.lock().unwrap(),
            [
                "enqueue step 4 stage 40 mode Asynchronous trail 123",
                "commit"
            ]
        );
    }

    #[tokio::test]
    async fn a_failing_step_rolls_back_and_stops_the_execution() {
        let recorder = Arc::new(Recorder {
            fail_step: Some(3),
            ..Default::default()
        });
        let pipeline = Pipeline::new(Arc::new(Steps(all_stages())), recorder.clone());
        let unit_impl = Arc::new(Unit::default());
        let unit: Arc<dyn UnitOfWork> = unit_impl.clone();
        let err = pipeline
            .execute(&caller(&["prvX"]), request(1), &unit)
            .await
            .unwrap_err();
        assert_eq!(err.kind, PipelineErrorKind::Business);
        assert_eq!(*unit_impl.log.lock().unwrap(), ["rollback"]);
    }

    #[tokio::test]
    async fn privilege_is_checked_after_pre_validation() {
        let recorder = Arc::new(Recorder::default());
        let pipeline = Pipeline::new(Arc::new(Steps(all_stages())), recorder.clone());
        let unit: Arc<dyn UnitOfWork> = Arc::new(Unit::default());
        let err = pipeline
            .execute(&caller(&[]), request(1), &unit)
            .await
            .unwrap_err();
        assert_eq!(err.kind, PipelineErrorKind::Forbidden);
        assert_eq!(*recorder.calls.lock().unwrap(), ["10 step 1 in_txn=false"]);
    }

    #[tokio::test]
    async fn depth_nine_is_an_infinite_loop_and_nested_calls_do_not_commit() {
        let pipeline = Pipeline::new(Arc::new(Steps(Vec::new())), Arc::new(Recorder::default()));
        let unit_impl = Arc::new(Unit::default());
        let unit: Arc<dyn UnitOfWork> = unit_impl.clone();
        assert!(
            pipeline
                .execute(&caller(&["prvX"]), request(8), &unit)
                .await
                .is_ok()
        );
        let err = pipeline
            .execute(&caller(&["prvX"]), request(9), &unit)
            .await
            .unwrap_err();
        assert_eq!(err.kind, PipelineErrorKind::InfiniteLoop);
        assert!(
            unit_impl.log.lock().unwrap().is_empty(),
            "only the outermost execution commits"
        );
    }

    #[tokio::test]
    async fn ranks_order_steps_within_a_stage() {
        // The source sorts (rank, registration order); the pipeline keeps that order.
        let steps = vec![
            step(5, StepStage::PreOperation, StepMode::Synchronous, 1),
            step(6, StepStage::PreOperation, StepMode::Synchronous, 2),
        ];
        let recorder = Arc::new(Recorder::default());
        let pipeline = Pipeline::new(Arc::new(Steps(steps)), recorder.clone());
        let unit: Arc<dyn UnitOfWork> = Arc::new(Unit::default());
        let outputs = pipeline
            .execute(&caller(&["prvX"]), request(1), &unit)
            .await
            .unwrap();
        assert_eq!(outputs["result"], Value::String("ABC".into()));
        let calls = recorder.calls.lock().unwrap();
        assert_eq!(calls[0], "20 step 5 in_txn=true");
        assert_eq!(calls[1], "20 step 6 in_txn=true");
    }

    /// The main operation writes `status` = "after"; steps record the images they receive.
    struct ImageRecorder {
        record: Arc<Mutex<Option<Entity>>>,
        seen: Mutex<Vec<String>>,
    }

    fn describe(images: &BTreeMap<String, Entity>) -> String {
        images
            .iter()
            .map(|(alias, e)| {
                let columns: Vec<String> = e
                    .attributes
                    .iter()
                    .map(|(k, v)| format!("{k}={}", text(Some(v))))
                    .collect();
                format!("{alias}[{}]", columns.join(","))
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The record message's own operation is the recorder's main operation.
    impl PlatformOperation for ImageRecorder {
        fn run<'a>(
            &'a self,
            caller: &'a Caller,
            context: &'a ExecutionContext,
            unit: &'a Arc<dyn UnitOfWork>,
        ) -> BoxFuture<'a, Result<StepChanges, PipelineError>> {
            self.invoke(Target::MainOperation, caller, context, unit)
        }
    }

    impl PluginInvoker for ImageRecorder {
        fn invoke<'a>(
            &'a self,
            target: Target<'a>,
            _caller: &'a Caller,
            context: &'a ExecutionContext,
            _unit: &'a Arc<dyn UnitOfWork>,
        ) -> BoxFuture<'a, Result<StepChanges, PipelineError>> {
            Box::pin(async move {
                match target {
                    Target::MainOperation => {
                        assert!(context.pre_images.is_empty() && context.post_images.is_empty());
                        let mut record = self.record.lock().unwrap();
                        let e = record.as_mut().unwrap();
                        e.attributes
                            .insert("status".into(), Value::String("after".into()));
                    }
                    Target::Step(s) => self.seen.lock().unwrap().push(format!(
                        "{} {}: pre {} post {}",
                        context.stage.code(),
                        s.name,
                        describe(&context.pre_images),
                        describe(&context.post_images)
                    )),
                }
                Ok(StepChanges::default())
            })
        }
    }

    fn with_image(
        id: u128,
        stage: StepStage,
        mode: StepMode,
        image_type: switchboard_model::ImageType,
        columns: &[&str],
    ) -> Arc<Step> {
        let mut s = (*step(id, stage, mode, 1)).clone();
        s.images.push(switchboard_model::StepImage {
            id: Uuid::from_u128(id + 100),
            name: "image".into(),
            alias: "img".into(),
            image_type,
            attributes: columns.iter().map(|c| (*c).to_owned()).collect(),
            message_property_name: "Target".into(),
            description: None,
        });
        Arc::new(s)
    }

    fn record_request(message: &str) -> MessageRequest {
        MessageRequest {
            message: message.into(),
            primary_entity_name: Some("sb_project".into()),
            primary_entity_id: Some(Uuid::from_u128(1)),
            inputs: BTreeMap::new(),
            privilege: None,
            main_operation: MainOperation::Platform,
            ..request(1)
        }
    }

    #[tokio::test]
    async fn steps_receive_the_images_registered_on_them() {
        use switchboard_model::ImageType::*;
        let stored = Entity {
            logical_name: Some("sb_project".into()),
            id: Some(Uuid::from_u128(1)),
            attributes: BTreeMap::from([
                ("status".into(), Value::String("before".into())),
                ("name".into(), Value::String("n".into())),
                ("empty".into(), Value::Null),
            ]),
        };
        let steps = vec![
            with_image(
                1,
                StepStage::PreValidation,
                StepMode::Synchronous,
                PreImage,
                &[],
            ),
            with_image(
                2,
                StepStage::PreOperation,
                StepMode::Synchronous,
                PreImage,
                &["Status"],
            ),
            with_image(
                3,
                StepStage::PostOperation,
                StepMode::Synchronous,
                Both,
                &["status"],
            ),
            with_image(
                4,
                StepStage::PostOperation,
                StepMode::Asynchronous,
                PostImage,
                &["name"],
            ),
            step(5, StepStage::PostOperation, StepMode::Synchronous, 2),
        ];
        let unit_impl = Arc::new(Unit::default());
        *unit_impl.record.lock().unwrap() = Some(stored.clone());
        let recorder = Arc::new(ImageRecorder {
            record: unit_impl.record.clone(),
            seen: Mutex::new(Vec::new()),
        });
        let pipeline = Pipeline::new(Arc::new(Steps(steps.clone())), recorder.clone())
            .with_platform(recorder.clone());
        let unit: Arc<dyn UnitOfWork> = unit_impl.clone();
        pipeline
            .execute(&caller(&[]), record_request("Update"), &unit)
            .await
            .unwrap();
        assert_eq!(
            *recorder.seen.lock().unwrap(),
            [
                // Every column that holds a value, or only those the image names.
                "10 step 1: pre img[name=n,status=before] post ",
                "20 step 2: pre img[status=before] post ",
                "40 step 3: pre img[status=before] post img[status=after]",
                "40 step 5: pre  post ",
            ]
        );
        let log = unit_impl.log.lock().unwrap().clone();
        assert_eq!(
            log[..3],
            [
                "read sb_project in_txn=false",
                "read sb_project in_txn=true",
                "read sb_project in_txn=true"
            ]
        );
        assert!(log[3].starts_with("enqueue step 4"), "{log:?}");

        // Create gives no pre-image (nothing exists yet) and Delete no post-image; a
        // custom API gives none, so nothing is read for it.
        for (message, expected) in [
            ("Create", "40 step 3: pre  post img[status=after]"),
            ("Delete", "40 step 3: pre img[status=before] post "),
        ] {
            *unit_impl.record.lock().unwrap() = Some(stored.clone());
            recorder.seen.lock().unwrap().clear();
            pipeline
                .execute(&caller(&[]), record_request(message), &unit)
                .await
                .unwrap();
            assert_eq!(recorder.seen.lock().unwrap()[2], expected, "{message}");
        }
        unit_impl.log.lock().unwrap().clear();
        pipeline
            .execute(&caller(&[]), record_request("sb_Api"), &unit)
            .await
            .unwrap();
        assert!(
            !unit_impl
                .log
                .lock()
                .unwrap()
                .iter()
                .any(|l| l.starts_with("read")),
            "no image is read for a message that gives none"
        );
    }
}
