//! Platform messages through fluent: message ids rendered in the reader's language.
//!
//! Messages are compiled into the binary (`locales/<bcp47>/switchboard.ftl`), so a
//! deployment never lacks a translation file. en-US is the fallback for every language.

pub mod lcid;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use switchboard_model::Message;
use unic_langid::LanguageIdentifier;

/// The languages Switchboard ships messages for, as BCP 47 tags with their FTL source.
pub const SHIPPED: &[(&str, &str)] = &[
    ("en-US", include_str!("../locales/en-US/switchboard.ftl")),
    ("de-DE", include_str!("../locales/de-DE/switchboard.ftl")),
    ("ja-JP", include_str!("../locales/ja-JP/switchboard.ftl")),
];

/// The language used when nothing else matches.
pub const FALLBACK: &str = "en-US";

/// The shipped language that best serves an `Accept-Language` header value
/// (`de-CH,de;q=0.9,en;q=0.8` → de-DE), by quality then order; `None` when nothing matches.
pub fn negotiate(accept_language: &str) -> Option<&'static str> {
    let mut ranges: Vec<(f32, usize, &str)> = accept_language
        .split(',')
        .enumerate()
        .filter_map(|(i, item)| {
            let mut parts = item.split(';');
            let range = parts.next()?.trim();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            (!range.is_empty() && q > 0.0).then_some((q, i, range))
        })
        .collect();
    ranges.sort_by(|a, b| {
        b.0.partial_cmp(&a.0)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.1.cmp(&b.1))
    });
    ranges.into_iter().find_map(|(_, _, range)| shipped(range))
}

/// The shipped language for a tag: exact (any case), else same primary language.
pub fn shipped(tag: &str) -> Option<&'static str> {
    let tag = tag.trim();
    SHIPPED
        .iter()
        .map(|(t, _)| *t)
        .find(|t| t.eq_ignore_ascii_case(tag))
        .or_else(|| {
            let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
            SHIPPED
                .iter()
                .map(|(t, _)| *t)
                .find(|t| t.split('-').next() == Some(primary.as_str()))
        })
}

/// One localizer per shipped language, built once.
pub struct Locales {
    localizers: Vec<(&'static str, std::sync::Arc<Localizer>)>,
}

impl Default for Locales {
    fn default() -> Self {
        Self {
            localizers: SHIPPED
                .iter()
                .map(|(t, _)| (*t, std::sync::Arc::new(Localizer::new(t))))
                .collect(),
        }
    }
}

impl Locales {
    /// The localizer for a user's LCID, else the `Accept-Language` header, else en-US.
    pub fn pick(
        &self,
        user_lcid: Option<u32>,
        accept_language: Option<&str>,
    ) -> std::sync::Arc<Localizer> {
        let tag = user_lcid
            .and_then(lcid::to_bcp47)
            .and_then(shipped)
            .or_else(|| accept_language.and_then(negotiate))
            .unwrap_or(FALLBACK);
        self.localizers
            .iter()
            .find(|(t, _)| *t == tag)
            .map_or_else(|| self.localizers[0].1.clone(), |(_, l)| l.clone())
    }
}

/// Renders [`Message`]s in one language, falling back to en-US per message.
pub struct Localizer {
    bundles: Vec<FluentBundle<FluentResource>>,
}

impl Localizer {
    /// A localizer for a BCP 47 tag; unknown or unshipped languages get en-US.
    pub fn new(language: &str) -> Self {
        let mut order: Vec<&str> = Vec::new();
        if let Some((tag, _)) = SHIPPED
            .iter()
            .find(|(tag, _)| tag.eq_ignore_ascii_case(language))
        {
            order.push(tag);
        }
        if !order.contains(&FALLBACK) {
            order.push(FALLBACK);
        }
        let bundles = order.into_iter().map(bundle).collect();
        Self { bundles }
    }

    /// The localizer for en-US.
    pub fn english() -> Self {
        Self::new(FALLBACK)
    }

    /// Renders a message; an id missing from every bundle renders as the id and arguments,
    /// so nothing is ever lost (and a test keeps that from happening).
    pub fn render(&self, message: &Message) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in &message.args {
            args.set(*name, value.as_str());
        }
        for bundle in &self.bundles {
            if let Some(pattern) = bundle
                .get_message(message.id.as_str())
                .and_then(|m| m.value())
            {
                let mut errors = Vec::new();
                return bundle
                    .format_pattern(pattern, Some(&args), &mut errors)
                    .into_owned();
            }
        }
        message.to_string()
    }

    /// Whether the primary language defines this id itself (without falling back).
    pub fn defines(&self, id: &str) -> bool {
        self.bundles.first().is_some_and(|b| b.has_message(id))
    }
}

fn bundle(tag: &str) -> FluentBundle<FluentResource> {
    let source = SHIPPED
        .iter()
        .find(|(t, _)| *t == tag)
        .map(|(_, s)| *s)
        .expect("shipped language");
    let langid: LanguageIdentifier = tag.parse().expect("valid BCP 47 tag");
    let mut bundle = FluentBundle::new_concurrent(vec![langid]);
    // Isolation marks would end up in terminals and JSON as invisible characters.
    bundle.set_use_isolating(false);
    let resource = FluentResource::try_new(source.to_owned()).expect("shipped FTL parses");
    bundle
        .add_resource(resource)
        .expect("no duplicate ids in shipped FTL");
    bundle
}

#[cfg(test)]
mod tests {
    use switchboard_model::{Message, MessageId};

    use super::*;

    #[test]
    fn every_message_id_has_a_translation_in_every_shipped_locale() {
        for (tag, _) in SHIPPED {
            let localizer = Localizer::new(tag);
            let missing: Vec<&str> = MessageId::ALL
                .iter()
                .map(|id| id.as_str())
                .filter(|id| !localizer.defines(id))
                .collect();
            assert!(missing.is_empty(), "{tag} lacks {missing:?}");
        }
    }

    #[test]
    fn shipped_files_define_no_unknown_ids() {
        let known: Vec<&str> = MessageId::ALL.iter().map(|id| id.as_str()).collect();
        for (tag, source) in SHIPPED {
            let resource = FluentResource::try_new(source.to_string()).expect("parses");
            for entry in resource.entries() {
                if let fluent_syntax::ast::Entry::Message(m) = entry {
                    assert!(
                        known.contains(&m.id.name),
                        "{tag} defines unused id {}",
                        m.id.name
                    );
                }
            }
        }
    }

    #[test]
    fn accept_language_negotiation() {
        assert_eq!(negotiate("en-US"), Some("en-US"));
        assert_eq!(negotiate("fr-FR;q=0.9, en;q=0.5"), Some("en-US"));
        assert_eq!(negotiate("de-CH,de;q=0.9,en;q=0.8"), Some("de-DE"));
        assert_eq!(negotiate("en;q=0.5, ja"), Some("ja-JP"));
        assert_eq!(negotiate("xx, yy"), None);
        assert_eq!(negotiate(""), None);
        let locales = Locales::default();
        let m = Message::new(MessageId::CliError);
        assert_eq!(locales.pick(None, None).render(&m), "error");
        assert_ne!(
            locales.pick(Some(1031), Some("en")).render(&m),
            "error",
            "the user's language wins"
        );
    }

    #[test]
    fn renders_arguments_without_isolation_marks() {
        let m = Message::new(MessageId::XmlUnknownTypeCode)
            .arg("value", 13)
            .arg("max", 12);
        let text = Localizer::new("fr-FR").render(&m);
        assert_eq!(
            text,
            "unknown type code 13; expected a Dataverse type code from 0 (Boolean) to 12 (Guid)"
        );
    }
}
