//! Processing steps and their images as administrators register, change and delete them
//! over the Web API. Every rule is the store's (`check`); after each change the definitions
//! are refreshed, so the next call runs with it.

use switchboard_model::step::{StepRule, StepUpdate};
use switchboard_model::{Message, ProcessingStep, StepImage};
use switchboard_store::StepError;
use uuid::Uuid;

use crate::Engine;

/// Why a registration, change or deletion did not happen.
#[derive(Debug)]
pub enum StepChangeError {
    /// A rule refused it.
    Rejected {
        /// Which rule.
        rule: StepRule,
        /// What the caller reads.
        message: Message,
    },
    /// The platform failed (what for the log).
    Failed(String),
}

impl From<StepError> for StepChangeError {
    fn from(e: StepError) -> Self {
        match e {
            StepError::Rejected { rule, message } => Self::Rejected { rule, message },
            StepError::Database(e) => Self::Failed(e.to_string()),
        }
    }
}

/// A registered step: its id and the findings that did not stop it.
pub struct Registered {
    /// `sdkmessageprocessingstepid`.
    pub id: Uuid,
    /// Non-fatal findings (a plug-in type that lives in a plug-in package).
    pub warnings: Vec<Message>,
}

impl Engine {
    /// Registers a step (with its secure configuration, if any).
    pub async fn register_step(
        &self,
        step: &ProcessingStep,
        secure_configuration: Option<&str>,
    ) -> Result<Registered, StepChangeError> {
        let change = self
            .store
            .register_step(step, secure_configuration, None)
            .await?;
        self.refresh_registry().await;
        Ok(Registered {
            id: change.id,
            warnings: change.warnings,
        })
    }

    /// Changes the columns `update` gives of step `id`.
    pub async fn update_step(&self, id: Uuid, update: &StepUpdate) -> Result<(), StepChangeError> {
        self.store.update_step(id, update).await?;
        self.refresh_registry().await;
        Ok(())
    }

    /// Deletes step `id` (not one of a managed solution).
    pub async fn delete_step(&self, id: Uuid) -> Result<(), StepChangeError> {
        self.store.delete_step(id).await?;
        self.refresh_registry().await;
        Ok(())
    }

    /// Step `id` as registered, if there is one.
    pub async fn step(&self, id: Uuid) -> Result<Option<ProcessingStep>, String> {
        Ok(self
            .store
            .list_steps()
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(|s| s.step)
            .find(|s| s.id == id))
    }

    /// Registers an entity image on step `step`.
    pub async fn register_step_image(
        &self,
        step: Uuid,
        image: &StepImage,
    ) -> Result<(), StepChangeError> {
        self.store.register_step_image(step, image).await?;
        self.refresh_registry().await;
        Ok(())
    }

    /// Image `id` with the step it is registered on, if there is one.
    pub async fn step_image(&self, id: Uuid) -> Result<Option<(Uuid, StepImage)>, String> {
        Ok(self
            .store
            .list_step_images()
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .find(|(_, i)| i.id == id))
    }

    /// Replaces an image's columns.
    pub async fn update_step_image(&self, image: &StepImage) -> Result<(), StepChangeError> {
        self.store.update_step_image(image).await?;
        self.refresh_registry().await;
        Ok(())
    }

    /// Deletes image `id`.
    pub async fn delete_step_image(&self, id: Uuid) -> Result<(), StepChangeError> {
        self.store.delete_step_image(id).await?;
        self.refresh_registry().await;
        Ok(())
    }
}
