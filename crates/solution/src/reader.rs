//! Shared reading helpers: parse a file, collect findings, read typed element values.

use switchboard_model::{LocalizedLabel, Message, MessageId};

use crate::diagnostic::{Diagnostic, Location};
use crate::source::PackageSource;
use crate::xml::{self, Element, Pos};

/// A parsed file with its path relative to the package root.
pub(crate) struct Doc {
    pub(crate) rel: String,
    pub(crate) root: Element,
}

/// The reading context: the package and every finding so far.
pub(crate) struct Ctx<'a> {
    pub(crate) src: &'a PackageSource,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(src: &'a PackageSource) -> Self {
        Self {
            src,
            diagnostics: Vec::new(),
        }
    }

    /// The location of a position in a file.
    pub(crate) fn at(&self, rel: &str, pos: Pos) -> Location {
        Location {
            file: self.src.display(rel),
            position: Some((pos.line, pos.column)),
        }
    }

    /// The location of a whole file.
    pub(crate) fn file(&self, rel: &str) -> Location {
        Location {
            file: self.src.display(rel),
            position: None,
        }
    }

    pub(crate) fn error(&mut self, location: Location, message: Message) {
        self.diagnostics
            .push(Diagnostic::error(Some(location), message));
    }

    pub(crate) fn warning(&mut self, location: Location, message: Message) {
        self.diagnostics
            .push(Diagnostic::warning(Some(location), message));
    }

    /// Reads and parses a file whose root must be `expected_root`; on failure the
    /// finding is recorded and `None` returned.
    pub(crate) fn load(&mut self, rel: &str, expected_root: &str) -> Option<Doc> {
        let bytes = match self.src.read(rel) {
            Ok(b) => b,
            Err(m) => {
                self.error(self.file(rel), m);
                return None;
            }
        };
        match xml::parse(&bytes) {
            Ok(root) if root.local_name() == expected_root => Some(Doc {
                rel: rel.to_owned(),
                root,
            }),
            Ok(root) => {
                let loc = self.at(rel, root.pos);
                self.error(
                    loc,
                    Message::new(MessageId::XmlUnexpectedRoot)
                        .arg("expected", expected_root)
                        .arg("found", &root.name),
                );
                None
            }
            Err(e) => {
                self.error(self.at(rel, e.pos), e.message);
                None
            }
        }
    }

    /// A child element's text as a boolean (`0`/`1`, `true`/`false`); absent or empty → `None`.
    pub(crate) fn bool_child(&mut self, doc: &Doc, el: &Element, name: &str) -> Option<bool> {
        let child = el.child(name)?;
        let value = child.value()?;
        match parse_bool(value) {
            Some(b) => Some(b),
            None => {
                self.error(
                    self.at(&doc.rel, child.pos),
                    Message::new(MessageId::XmlNotBoolean)
                        .arg("element", name)
                        .arg("value", value),
                );
                None
            }
        }
    }

    /// A child element's text as an integer; absent or empty → `None`.
    pub(crate) fn int_child(&mut self, doc: &Doc, el: &Element, name: &str) -> Option<i64> {
        let child = el.child(name)?;
        self.int_value(doc, child, name)
    }

    /// An element's text as an integer.
    pub(crate) fn int_value(&mut self, doc: &Doc, child: &Element, name: &str) -> Option<i64> {
        let value = child.value()?;
        match value.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                self.error(
                    self.at(&doc.rel, child.pos),
                    Message::new(MessageId::XmlNotInteger)
                        .arg("element", name)
                        .arg("value", value),
                );
                None
            }
        }
    }

    /// A child element's option-set value, checked against the defined codes.
    pub(crate) fn option_child<T>(
        &mut self,
        doc: &Doc,
        el: &Element,
        name: &str,
        from_code: fn(i64) -> Option<T>,
        codes: String,
    ) -> Result<Option<T>, ()> {
        let Some(child) = el.child(name).filter(|c| c.value().is_some()) else {
            return Ok(None);
        };
        let Some(code) = self.int_value(doc, child, name) else {
            return Err(());
        };
        match from_code(code) {
            Some(v) => Ok(Some(v)),
            None => {
                self.error(
                    self.at(&doc.rel, child.pos),
                    Message::new(MessageId::XmlUnknownOption)
                        .arg("element", name)
                        .arg("value", code)
                        .arg("codes", codes),
                );
                Err(())
            }
        }
    }

    /// A label block: `<x default="…"><label description="…" languagecode="1033"/></x>`.
    pub(crate) fn label(&mut self, doc: &Doc, el: Option<&Element>) -> LocalizedLabel {
        let mut label = LocalizedLabel::default();
        let Some(el) = el else { return label };
        label.default = el
            .attr("default")
            .map(|a| a.value.clone())
            .or_else(|| el.value().map(str::to_owned));
        for child in el.children_named("label") {
            let Some(text) = child.attr("description").map(|a| a.value.clone()) else {
                continue;
            };
            match child
                .attr_value("languagecode")
                .map(|c| (c, c.parse::<u32>()))
            {
                Some((_, Ok(code))) if code > 0 => {
                    label.labels.insert(code, text);
                }
                Some((raw, _)) => {
                    let loc = self.at(&doc.rel, child.pos);
                    self.error(
                        loc,
                        Message::new(MessageId::XmlBadLanguageCode).arg("value", raw),
                    );
                }
                None => {
                    let loc = self.at(&doc.rel, child.pos);
                    self.error(
                        loc,
                        Message::new(MessageId::XmlMissingAttribute)
                            .arg("attribute", "languagecode")
                            .arg("element", "label"),
                    );
                }
            }
        }
        label
    }

    /// `<LocalizedNames><LocalizedName description languagecode/>…` (Solution.xml's form).
    pub(crate) fn localized_names(
        &mut self,
        doc: &Doc,
        el: Option<&Element>,
        item: &str,
    ) -> LocalizedLabel {
        let mut label = LocalizedLabel::default();
        let Some(el) = el else { return label };
        for child in el.children_named(item) {
            let text = child
                .attr("description")
                .map(|a| a.value.clone())
                .unwrap_or_default();
            match child
                .attr_value("languagecode")
                .and_then(|c| c.parse::<u32>().ok())
            {
                Some(code) => {
                    label.labels.insert(code, text);
                }
                None => {
                    let loc = self.at(&doc.rel, child.pos);
                    let raw = child.attr_value("languagecode").unwrap_or("");
                    self.error(
                        loc,
                        Message::new(MessageId::XmlBadLanguageCode).arg("value", raw),
                    );
                }
            }
        }
        label
    }
}

/// `0`/`1`/`true`/`false`, any case.
pub(crate) fn parse_bool(value: &str) -> Option<bool> {
    match value.trim() {
        "1" => Some(true),
        "0" => Some(false),
        v if v.eq_ignore_ascii_case("true") => Some(true),
        v if v.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// A child element's trimmed text, `None` when absent, empty or `xsi:nil`.
pub(crate) fn text_child<'e>(el: &'e Element, name: &str) -> Option<&'e str> {
    el.child(name)
        .filter(|c| !c.is_nil())
        .and_then(Element::value)
}
