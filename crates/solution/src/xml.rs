//! A small element tree with line/column positions, built with quick-xml.
//!
//! Solution files are small, and every error must name its line and column, so files
//! are read whole into a tree that keeps the position of each element and attribute.
//! No DTDs, no external entities: only XML's five predefined entities and character
//! references are expanded.

use std::fmt;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use switchboard_model::{Message, MessageId};

/// Deepest element nesting accepted; real solution files stay under 10.
pub const MAX_DEPTH: usize = 64;

/// A 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1, counted in characters.
    pub column: u32,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// An attribute with its position.
#[derive(Debug, Clone)]
pub struct Attr {
    /// Name as written (`xsi:nil`).
    pub name: String,
    /// Unescaped value.
    pub value: String,
    /// Where the attribute starts.
    pub pos: Pos,
}

/// An element with its attributes, child elements and direct text.
#[derive(Debug, Clone)]
pub struct Element {
    /// Name as written, prefix included.
    pub name: String,
    /// Attributes in document order.
    pub attrs: Vec<Attr>,
    /// Child elements in document order.
    pub children: Vec<Element>,
    /// Direct text content (text, CDATA and references), untrimmed.
    pub text: String,
    /// Where the start tag begins.
    pub pos: Pos,
}

impl Element {
    /// The name without a namespace prefix.
    pub fn local_name(&self) -> &str {
        self.name.rsplit(':').next().unwrap_or(&self.name)
    }

    /// The first child with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.local_name() == name)
    }

    /// The first child whose local name matches ignoring ASCII case.
    pub fn child_ci(&self, name: &str) -> Option<&Element> {
        self.children
            .iter()
            .find(|c| c.local_name().eq_ignore_ascii_case(name))
    }

    /// Every child with this local name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.local_name() == name)
    }

    /// The attribute with this name.
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }

    /// The attribute's value, trimmed, if present and not blank.
    pub fn attr_value(&self, name: &str) -> Option<&str> {
        self.attr(name)
            .map(|a| a.value.trim())
            .filter(|v| !v.is_empty())
    }

    /// The trimmed text, or `None` when blank (an empty element means null).
    pub fn value(&self) -> Option<&str> {
        Some(self.text.trim()).filter(|t| !t.is_empty())
    }

    /// Whether the element carries `xsi:nil="true"`.
    pub fn is_nil(&self) -> bool {
        self.attrs
            .iter()
            .any(|a| a.name.ends_with(":nil") && a.value.trim() == "true")
    }
}

/// Maps byte offsets to line and column.
struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { text, starts }
    }

    fn pos(&self, offset: usize) -> Pos {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        Pos {
            line: line as u32 + 1,
            column: column as u32 + 1,
        }
    }
}

/// Why a file could not be read as XML, with where.
#[derive(Debug, Clone)]
pub struct XmlError {
    /// Where the problem is.
    pub pos: Pos,
    /// What it is.
    pub message: Message,
}

fn malformed(pos: Pos, detail: impl fmt::Display) -> XmlError {
    XmlError {
        pos,
        message: Message::new(MessageId::XmlMalformed).arg("detail", detail),
    }
}

/// Parses a whole document (UTF-8, with or without BOM and declaration) into its root.
pub fn parse(bytes: &[u8]) -> Result<Element, XmlError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(XmlError {
            pos: Pos { line: 1, column: 1 },
            message: Message::new(MessageId::XmlNotUtf8),
        });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            let pos = LineIndex::new(valid).pos(valid.len());
            return Err(XmlError {
                pos,
                message: Message::new(MessageId::XmlNotUtf8),
            });
        }
    };
    let lines = LineIndex::new(text);
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;

    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let start = reader.buffer_position() as usize;
        let event = reader
            .read_event()
            .map_err(|e| malformed(lines.pos(reader.error_position() as usize), e))?;
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(malformed(
                    lines.pos(start),
                    "content after the root element",
                ));
            }
            Event::Start(tag) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError {
                        pos: lines.pos(start),
                        message: Message::new(MessageId::XmlTooDeep).arg("max", MAX_DEPTH),
                    });
                }
                stack.push(element(&tag, start, &lines)?);
            }
            Event::Empty(tag) => {
                let el = element(&tag, start, &lines)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                let el = stack
                    .pop()
                    .ok_or_else(|| malformed(lines.pos(start), "unexpected end tag"))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                let content = t.xml10_content();
                match stack.last_mut() {
                    Some(el) => el.text.push_str(&content),
                    None if content.trim().is_empty() => {}
                    None => {
                        return Err(malformed(lines.pos(start), "text outside the root element"));
                    }
                }
            }
            Event::CData(c) => {
                let content = c.into_inner().into_owned();
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&content);
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => {
                        let name = r.xml10_content();
                        match quick_xml::escape::resolve_predefined_entity(&name) {
                            Some(s) => s.to_owned(),
                            None => {
                                return Err(malformed(
                                    lines.pos(start),
                                    format!("unknown entity &{name};"),
                                ));
                            }
                        }
                    }
                    Err(e) => return Err(malformed(lines.pos(start), e)),
                };
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&resolved);
                }
            }
            Event::DocType(_) => {
                return Err(XmlError {
                    pos: lines.pos(start),
                    message: Message::new(MessageId::XmlDoctype),
                });
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if let Some(open) = stack.last() {
        return Err(malformed(
            lines.pos(text.len()),
            format!("element <{}> is not closed", open.name),
        ));
    }
    root.ok_or_else(|| malformed(lines.pos(0), "the document has no root element"))
}

fn element(tag: &BytesStart<'_>, start: usize, lines: &LineIndex<'_>) -> Result<Element, XmlError> {
    let pos = lines.pos(start);
    let name = tag.name().as_ref().to_owned();
    let mut attrs = Vec::new();
    for attr in tag.attributes() {
        let attr = attr.map_err(|e| malformed(pos, e))?;
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| malformed(pos, e))?
            .into_owned();
        let attr_name = attr.key.as_ref().to_owned();
        // Attributes have no event of their own; find the name in the raw tag for its column.
        let raw = tag.attributes_raw();
        let offset = raw
            .find(&format!("{attr_name}="))
            .map_or(0, |i| i + 1 + name.len());
        attrs.push(Attr {
            name: attr_name,
            value,
            pos: lines.pos(start + offset),
        });
    }
    Ok(Element {
        name,
        attrs,
        children: Vec::new(),
        text: String::new(),
        pos,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_of_elements_and_attributes() {
        let doc = "\u{feff}<?xml version=\"1.0\"?>\r\n<a x=\"1\">\r\n  <b>t&amp;u&#x41;</b>\r\n  <c y=\"&lt;\" /></a>";
        let root = parse(doc.as_bytes()).unwrap();
        assert_eq!(root.pos, Pos { line: 2, column: 1 });
        assert_eq!(root.attr("x").unwrap().pos, Pos { line: 2, column: 4 });
        let b = root.child("b").unwrap();
        assert_eq!(b.pos, Pos { line: 3, column: 3 });
        assert_eq!(b.value(), Some("t&uA"));
        assert_eq!(root.child("c").unwrap().attr_value("y"), Some("<"));
    }

    #[test]
    fn malformed_xml_names_the_position() {
        let err = parse(b"<a>\n  <b></c>\n</a>").unwrap_err();
        assert_eq!(err.message.id, MessageId::XmlMalformed);
        assert_eq!(err.pos.line, 2);
        let err = parse(b"<a>\n<b>").unwrap_err();
        assert_eq!(err.message.id, MessageId::XmlMalformed);
    }

    #[test]
    fn doctype_and_depth_are_refused() {
        let err = parse(b"<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>")
            .unwrap_err();
        assert_eq!(err.message.id, MessageId::XmlDoctype);
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert_eq!(
            parse(deep.as_bytes()).unwrap_err().message.id,
            MessageId::XmlTooDeep
        );
    }

    #[test]
    fn utf16_is_refused() {
        assert_eq!(
            parse(&[0xFF, 0xFE, b'<', 0]).unwrap_err().message.id,
            MessageId::XmlNotUtf8
        );
    }
}
