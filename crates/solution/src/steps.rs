//! `SdkMessageProcessingSteps/{id}.xml` (or inline in `customizations.xml`).

use switchboard_model::step::column_list;
use switchboard_model::{
    ExportKey, ImageType, Message, MessageId, MessageRef, ProcessingStep, StepImage, StepMode,
    StepPluginRef, StepStage,
};

use crate::diagnostic::Location;
use crate::plugins::{attr_or_error, guid};
use crate::reader::{Ctx, Doc, text_child};
use crate::xml::Element;

/// Where a step was read: its element, and the child elements that name its message,
/// plug-in type, stage and mode (for errors the store finds later).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocatedStep {
    /// `SdkMessageProcessingStepId`.
    pub id: uuid::Uuid,
    /// The `<SdkMessageProcessingStep>` element.
    pub location: Location,
    /// Child elements by name (`SdkMessageId`, `Mode`, …), those present.
    pub fields: Vec<(&'static str, Location)>,
}

impl LocatedStep {
    /// The first present child element of `elements`, else the step's element.
    pub fn location_of(&self, elements: &[&str]) -> &Location {
        elements
            .iter()
            .find_map(|e| {
                self.fields
                    .iter()
                    .find(|(name, _)| name == e)
                    .map(|(_, l)| l)
            })
            .unwrap_or(&self.location)
    }
}

/// The child elements whose locations a [`LocatedStep`] keeps.
const LOCATED_FIELDS: &[&str] = &[
    "SdkMessageId",
    "SdkMessageName",
    "PluginTypeId",
    "PluginTypeName",
    "PluginTypeExportKey",
    "Stage",
    "Mode",
    "SdkMessageProcessingStepImages",
];

/// Reads one `<SdkMessageProcessingStep>` element, with where it was read.
pub(crate) fn read_located_step(
    ctx: &mut Ctx<'_>,
    doc: &Doc,
    el: &Element,
) -> Option<(ProcessingStep, LocatedStep)> {
    let step = read_step(ctx, doc, el)?;
    let fields = LOCATED_FIELDS
        .iter()
        .filter_map(|name| el.child(name).map(|c| (*name, ctx.at(&doc.rel, c.pos))))
        .collect();
    let located = LocatedStep {
        id: step.id,
        location: ctx.at(&doc.rel, el.pos),
        fields,
    };
    Some((step, located))
}

/// Reads one `<SdkMessageProcessingStep>` element.
fn read_step(ctx: &mut Ctx<'_>, doc: &Doc, el: &Element) -> Option<ProcessingStep> {
    let here = ctx.at(&doc.rel, el.pos);
    let name = el.attr_value("Name").unwrap_or_default().to_owned();
    let id_text = attr_or_error(ctx, doc, el, "SdkMessageProcessingStepId")?;
    let id = guid(ctx, doc, el, &id_text)?;

    let message = match (
        el.child("SdkMessageId").filter(|c| c.value().is_some()),
        text_child(el, "SdkMessageName"),
    ) {
        (Some(c), _) => MessageRef::Id(guid(ctx, doc, c, c.value().unwrap_or_default())?),
        (None, Some(name)) => MessageRef::Name(name.to_owned()),
        (None, None) => {
            ctx.error(here, Message::new(MessageId::StepNoMessage));
            return None;
        }
    };
    let plugin_type = match el
        .child("PluginTypeExportKey")
        .and_then(|c| c.value().map(|v| (c, v)))
    {
        Some((c, key)) => match ExportKey::parse(key) {
            Ok(k) => StepPluginRef::ExportKey(k),
            Err(m) => {
                let loc = ctx.at(&doc.rel, c.pos);
                ctx.error(loc, m);
                return None;
            }
        },
        None => {
            let type_id = match el.child("PluginTypeId").filter(|c| c.value().is_some()) {
                Some(c) => Some(guid(ctx, doc, c, c.value().unwrap_or_default())?),
                None => None,
            };
            let type_name = text_child(el, "PluginTypeName").map(str::to_owned);
            if type_id.is_none() && type_name.is_none() {
                ctx.error(here, Message::new(MessageId::StepNoPluginType));
                return None;
            }
            StepPluginRef::Type {
                name: type_name,
                id: type_id,
            }
        }
    };

    let stage = ctx
        .option_child(doc, el, "Stage", StepStage::from_code, "10, 20, 40".into())
        .ok()?;
    let mode = ctx
        .option_child(doc, el, "Mode", StepMode::from_code, StepMode::code_range())
        .ok()?;
    let Some(stage) = stage else {
        ctx.error(
            here,
            Message::new(MessageId::XmlMissingElement).arg("element", "Stage"),
        );
        return None;
    };
    let mode = mode.unwrap_or(StepMode::Synchronous);
    if let Err(m) = ProcessingStep::check_stage_and_mode(stage, mode) {
        let loc = el.child("Stage").map_or(here, |s| ctx.at(&doc.rel, s.pos));
        ctx.error(loc, m);
        return None;
    }
    let table = |name: &str| {
        text_child(el, name)
            .filter(|t| !t.eq_ignore_ascii_case("none"))
            .map(str::to_ascii_lowercase)
    };
    let filtering_attributes = text_child(el, "FilteringAttributes")
        .map(column_list)
        .unwrap_or_default();
    let state = ctx.int_child(doc, el, "StateCode").unwrap_or(0);
    let mut images = Vec::new();
    for image in el
        .child("SdkMessageProcessingStepImages")
        .into_iter()
        .flat_map(|list| list.children_named("SdkMessageProcessingStepImage"))
    {
        images.push(read_image(ctx, doc, image)?);
    }
    Some(ProcessingStep {
        id,
        name,
        description: text_child(el, "Description").map(str::to_owned),
        message,
        plugin_type,
        primary_entity: table("PrimaryEntity"),
        secondary_entity: table("SecondaryEntity"),
        stage,
        mode,
        rank: ctx.int_child(doc, el, "Rank").unwrap_or(1) as i32,
        filtering_attributes,
        configuration: el
            .child("Configuration")
            .or_else(|| el.child("CustomConfiguration"))
            .and_then(|c| c.value())
            .map(str::to_owned),
        async_auto_delete: ctx.bool_child(doc, el, "AsyncAutoDelete").unwrap_or(false),
        invocation_source: ctx.int_child(doc, el, "InvocationSource").map(|n| n as i32),
        enabled: state == 0,
        images,
    })
}

/// Reads one `<SdkMessageProcessingStepImage>` (whether the step's message gives that image
/// is checked when the step is registered, where the message is resolved).
fn read_image(ctx: &mut Ctx<'_>, doc: &Doc, el: &Element) -> Option<StepImage> {
    let here = ctx.at(&doc.rel, el.pos);
    let id = match el
        .child("SdkMessageProcessingStepImageId")
        .and_then(|c| c.value().map(|v| (c, v)))
    {
        Some((c, text)) => guid(ctx, doc, c, text)?,
        None => {
            ctx.error(
                here,
                Message::new(MessageId::XmlMissingElement)
                    .arg("element", "SdkMessageProcessingStepImageId"),
            );
            return None;
        }
    };
    let image_type = ctx
        .option_child(
            doc,
            el,
            "ImageType",
            ImageType::from_code,
            ImageType::code_range(),
        )
        .ok()?
        .unwrap_or(ImageType::PreImage);
    let name = el.attr_value("Name").unwrap_or_default().to_owned();
    let alias = text_child(el, "EntityAlias").map_or_else(|| name.clone(), str::to_owned);
    Some(StepImage {
        id,
        name,
        alias,
        image_type,
        attributes: text_child(el, "Attributes")
            .map(column_list)
            .unwrap_or_default(),
        message_property_name: text_child(el, "MessagePropertyName")
            .unwrap_or("Target")
            .to_owned(),
        description: text_child(el, "Description").map(str::to_owned),
    })
}
