//! The documents' words: labels in the chosen language (else the base language, else the
//! label's default) and platform sentences rendered by `switchboard-locale`.

use switchboard_locale::{FALLBACK, Localizer, lcid};
use switchboard_model::{BASE_LANGUAGE, Lcid, LocalizedLabel, Message, MessageId};

/// Words in one language.
pub(crate) struct Texts {
    language: Lcid,
    localizer: Localizer,
}

impl Texts {
    /// Labels in `language`; sentences in it too when a translation ships, else in en-US.
    pub(crate) fn new(language: Lcid) -> Self {
        Self {
            language,
            localizer: Localizer::new(lcid::to_bcp47(language).unwrap_or(FALLBACK)),
        }
    }

    /// A label's text, if it has a non-blank one.
    pub(crate) fn label<'a>(&self, label: &'a LocalizedLabel) -> Option<&'a str> {
        label
            .text(self.language, BASE_LANGUAGE)
            .map(str::trim)
            .filter(|t| !t.is_empty())
    }

    /// A label's text, else `fallback` (a display name missing: the unique name).
    pub(crate) fn label_or(&self, label: &LocalizedLabel, fallback: &str) -> String {
        self.label(label).unwrap_or(fallback).to_owned()
    }

    /// A platform sentence.
    pub(crate) fn render(&self, message: &Message) -> String {
        self.localizer.render(message)
    }

    /// A platform sentence without arguments.
    pub(crate) fn say(&self, id: MessageId) -> String {
        self.render(&Message::new(id))
    }
}
