//! Plug-in assemblies (`PluginAssemblies/**/*.data.xml` or inline in `customizations.xml`)
//! and plug-in packages (`pluginpackages/*/pluginpackage.xml`).

use sha2::{Digest, Sha256};
use switchboard_model::plugin::parse_guid;
use switchboard_model::{
    Message, MessageId, PluginAssembly, PluginAssemblyKind, PluginPackage, PluginType,
};

use crate::reader::{Ctx, Doc, text_child};
use crate::xml::Element;

/// Reads one `<PluginAssembly>` element, loading the binary its `FileName` names.
pub(crate) fn read_assembly(ctx: &mut Ctx<'_>, doc: &Doc, el: &Element) -> Option<PluginAssembly> {
    let full_name = attr_or_error(ctx, doc, el, "FullName")?;
    let id_text = attr_or_error(ctx, doc, el, "PluginAssemblyId")?;
    let id = guid(ctx, doc, el, &id_text)?;
    let (name, version) = PluginAssembly::split_full_name(&full_name);
    let file_name = text_child(el, "FileName").map(str::to_owned);
    let kind = PluginAssemblyKind::from_file_name(file_name.as_deref());
    let mut content = None;
    if let Some(file) = &file_name {
        let rel = file.trim_start_matches('/');
        match ctx.src.find(rel).map(str::to_owned) {
            None => {
                let loc = ctx.at(&doc.rel, el.pos);
                ctx.warning(
                    loc,
                    Message::new(MessageId::PackageAssemblyMissing)
                        .arg("file", file)
                        .arg("assembly", &name),
                );
            }
            Some(found) if kind == PluginAssemblyKind::Wasm => match ctx.src.read(&found) {
                Ok(bytes) => content = Some(bytes),
                Err(m) => ctx.error(ctx.file(&found), m),
            },
            Some(_) => {}
        }
    }
    if kind == PluginAssemblyKind::Foreign {
        let loc = ctx.at(&doc.rel, el.pos);
        ctx.warning(
            loc,
            Message::new(MessageId::PackageForeignAssembly).arg("assembly", &name),
        );
    }
    let mut types = Vec::new();
    if let Some(list) = el.child("PluginTypes") {
        for t in list.children_named("PluginType") {
            let Some(type_name) = attr_or_error(ctx, doc, t, "Name") else {
                continue;
            };
            let Some(type_id) =
                attr_or_error(ctx, doc, t, "PluginTypeId").and_then(|raw| guid(ctx, doc, t, &raw))
            else {
                continue;
            };
            types.push(PluginType {
                id: type_id,
                name: type_name,
                assembly_qualified_name: t.attr_value("AssemblyQualifiedName").map(str::to_owned),
                friendly_name: text_child(t, "FriendlyName").map(str::to_owned),
                description: text_child(t, "Description").map(str::to_owned),
            });
        }
    }
    let sha256 = content
        .as_ref()
        .map(|bytes| hex::encode(Sha256::digest(bytes)));
    Some(PluginAssembly {
        id,
        full_name,
        name,
        version,
        isolation_mode: ctx.int_child(doc, el, "IsolationMode").unwrap_or(2) as i32,
        source_type: ctx.int_child(doc, el, "SourceType").unwrap_or(0) as i32,
        file_name,
        kind,
        content,
        sha256,
        types,
    })
}

/// Reads `pluginpackages/<name>/pluginpackage.xml`.
pub(crate) fn read_package(ctx: &mut Ctx<'_>, rel: &str) -> Option<PluginPackage> {
    let doc = ctx.load(rel, "pluginpackage")?;
    let root = &doc.root;
    let unique_name = root
        .attr_value("uniquename")
        .or_else(|| text_child(root, "uniquename"));
    let Some(unique_name) = unique_name.map(str::to_owned) else {
        let loc = ctx.at(&doc.rel, root.pos);
        ctx.error(
            loc,
            Message::new(MessageId::XmlMissingAttribute)
                .arg("attribute", "uniquename")
                .arg("element", "pluginpackage"),
        );
        return None;
    };
    Some(PluginPackage {
        name: text_child(root, "name").unwrap_or(&unique_name).to_owned(),
        unique_name,
        version: text_child(root, "version").map(str::to_owned),
        file_name: text_child(root, "package").map(str::to_owned),
    })
}

pub(crate) fn attr_or_error(
    ctx: &mut Ctx<'_>,
    doc: &Doc,
    el: &Element,
    name: &str,
) -> Option<String> {
    match el.attr_value(name) {
        Some(v) => Some(v.to_owned()),
        None => {
            let loc = ctx.at(&doc.rel, el.pos);
            ctx.error(
                loc,
                Message::new(MessageId::XmlMissingAttribute)
                    .arg("attribute", name)
                    .arg("element", &el.name),
            );
            None
        }
    }
}

pub(crate) fn guid(ctx: &mut Ctx<'_>, doc: &Doc, el: &Element, raw: &str) -> Option<uuid::Uuid> {
    match parse_guid(raw) {
        Ok(g) => Some(g),
        Err(m) => {
            let loc = ctx.at(&doc.rel, el.pos);
            ctx.error(loc, m);
            None
        }
    }
}
