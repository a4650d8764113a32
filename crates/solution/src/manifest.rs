//! `Other/Solution.xml` (or `solution.xml` in a zip): the solution manifest.

use switchboard_model::{Message, MessageId, Publisher, Solution, SolutionVersion};

use crate::reader::{Ctx, Doc, text_child};

/// Tables the manifest declares as root components (`type="1"`), lower-cased.
pub(crate) struct Manifest {
    pub(crate) solution: Solution,
    pub(crate) declared_tables: Vec<String>,
}

/// Reads the manifest; `None` when it is too broken to name the solution.
pub(crate) fn read(ctx: &mut Ctx<'_>, doc: &Doc) -> Option<Manifest> {
    let Some(manifest) = doc.root.child("SolutionManifest") else {
        let loc = ctx.at(&doc.rel, doc.root.pos);
        ctx.error(
            loc,
            Message::new(MessageId::XmlMissingElement).arg("element", "SolutionManifest"),
        );
        return None;
    };
    let missing = |ctx: &mut Ctx<'_>, element: &str| {
        let loc = ctx.at(&doc.rel, manifest.pos);
        ctx.error(
            loc,
            Message::new(MessageId::XmlMissingElement).arg("element", element),
        );
    };
    let unique_name = text_child(manifest, "UniqueName").map(str::to_owned);
    if unique_name.is_none() {
        missing(ctx, "UniqueName");
    }
    let version = match manifest
        .child("Version")
        .and_then(|v| v.value().map(|t| (v.pos, t)))
    {
        Some((pos, text)) => match SolutionVersion::parse(text) {
            Ok(v) => Some(v),
            Err(m) => {
                let loc = ctx.at(&doc.rel, pos);
                ctx.error(loc, m);
                None
            }
        },
        None => {
            missing(ctx, "Version");
            None
        }
    };
    let managed = ctx.bool_child(doc, manifest, "Managed").unwrap_or(false);
    let names = ctx.localized_names(doc, manifest.child("LocalizedNames"), "LocalizedName");
    let descriptions = ctx.localized_names(doc, manifest.child("Descriptions"), "Description");

    let publisher = match manifest.child("Publisher") {
        Some(p) => {
            let unique = text_child(p, "UniqueName").map(str::to_owned);
            let prefix = text_child(p, "CustomizationPrefix").map(str::to_owned);
            if unique.is_none() || prefix.is_none() {
                let loc = ctx.at(&doc.rel, p.pos);
                let element = if unique.is_none() {
                    "UniqueName"
                } else {
                    "CustomizationPrefix"
                };
                ctx.error(
                    loc,
                    Message::new(MessageId::XmlMissingElement).arg("element", element),
                );
            }
            let option_value_prefix = ctx
                .int_child(doc, p, "CustomizationOptionValuePrefix")
                .map(|n| n as i32);
            let names = ctx.localized_names(doc, p.child("LocalizedNames"), "LocalizedName");
            let descriptions = ctx.localized_names(doc, p.child("Descriptions"), "Description");
            unique.zip(prefix).map(|(unique_name, prefix)| Publisher {
                unique_name,
                names,
                descriptions,
                prefix,
                option_value_prefix,
            })
        }
        None => {
            missing(ctx, "Publisher");
            None
        }
    };

    let declared_tables = manifest
        .child("RootComponents")
        .map(|rc| {
            rc.children_named("RootComponent")
                .filter(|c| c.attr_value("type") == Some("1"))
                .filter_map(|c| c.attr_value("schemaName"))
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .unwrap_or_default();

    let solution = Solution {
        unique_name: unique_name?,
        names,
        descriptions,
        version: version?,
        managed,
        publisher: publisher?,
    };
    Some(Manifest {
        solution,
        declared_tables,
    })
}
