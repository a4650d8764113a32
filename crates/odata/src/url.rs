//! Request URLs below `/api/data/v9.x/`: segments with their parenthesized parts, and
//! the query string (parameter aliases and system query options).

use std::collections::HashMap;

use percent_encoding::percent_decode_str;
use switchboard_model::{Message, MessageId};

use crate::error::{ErrorKind, ODataError};

/// The longest URL Dataverse accepts (functions carry parameters in the URL).
pub const MAX_URL: usize = 32_768;

/// One path segment: `name` or `name(…)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// The name before any parenthesis (decoded).
    pub name: String,
    /// What stands between the parentheses (decoded), if there are any.
    pub parens: Option<String>,
}

/// A parsed resource path and query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedUrl {
    /// Path segments after the version root.
    pub segments: Vec<Segment>,
    /// `@alias` → literal text.
    pub aliases: HashMap<String, String>,
    /// Other query options (`$select`, …) in order.
    pub options: Vec<(String, String)>,
}

fn syntax(text: &str, detail: &str) -> ODataError {
    ODataError::new(
        ErrorKind::BadLiteral,
        Message::new(MessageId::ODataSyntax)
            .arg("text", text)
            .arg("detail", detail),
    )
}

/// Splits `text` on `sep` where it is not inside quotes, parentheses, brackets or braces.
pub fn split_top_level(text: &str, sep: char) -> Result<Vec<&str>, ODataError> {
    let mut parts = Vec::new();
    let mut depth: i32 = 0;
    let mut in_single = false;
    let mut in_double = false;
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if in_single {
            if c == '\'' {
                if matches!(chars.peek(), Some((_, '\''))) {
                    chars.next();
                } else {
                    in_single = false;
                }
            }
            continue;
        }
        if in_double {
            if c == '\\' {
                chars.next();
            } else if c == '"' {
                in_double = false;
            }
            continue;
        }
        match c {
            '\'' => in_single = true,
            '"' => in_double = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth < 0 {
                    return Err(syntax(text, "unbalanced closing bracket"));
                }
            }
            c if c == sep && depth == 0 => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    if in_single || in_double {
        return Err(syntax(text, "unterminated quoted string"));
    }
    if depth != 0 {
        return Err(syntax(text, "unbalanced parentheses"));
    }
    parts.push(&text[start..]);
    Ok(parts)
}

fn segment(text: &str) -> Result<Segment, ODataError> {
    match text.find('(') {
        None => Ok(Segment {
            name: text.to_owned(),
            parens: None,
        }),
        Some(open) => {
            let inner = text[open + 1..]
                .strip_suffix(')')
                .ok_or_else(|| syntax(text, "expected ')' at the end of the segment"))?;
            Ok(Segment {
                name: text[..open].to_owned(),
                parens: Some(inner.to_owned()),
            })
        }
    }
}

/// Parses the path below the version root (`sb_Greet(Name=@p)`) and the raw query.
pub fn parse(path: &str, query: Option<&str>) -> Result<ParsedUrl, ODataError> {
    let decoded = percent_decode_str(path)
        .decode_utf8()
        .map_err(|_| syntax(path, "the path is not UTF-8 after percent-decoding"))?;
    let mut segments = Vec::new();
    for part in split_top_level(&decoded, '/')? {
        if part.is_empty() {
            continue;
        }
        segments.push(segment(part)?);
    }
    let mut parsed = ParsedUrl {
        segments,
        ..ParsedUrl::default()
    };
    for pair in query.unwrap_or_default().split('&') {
        if pair.is_empty() {
            continue;
        }
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (key, value) = (query_component(key)?, query_component(value)?);
        if key.starts_with('@') {
            if parsed.aliases.contains_key(&key) {
                return Err(ODataError::new(
                    ErrorKind::BadLiteral,
                    Message::new(MessageId::ODataSyntax)
                        .arg("text", &key)
                        .arg("detail", "the parameter alias is given more than once"),
                ));
            }
            parsed.aliases.insert(key, value);
        } else {
            parsed.options.push((key, value));
        }
    }
    Ok(parsed)
}

/// Decodes one name or value of the query string strictly, as the path is decoded: `+` is a
/// space, every `%` starts two hex digits, and the result is UTF-8 (a lone `%`, `%zz` or `%FF`
/// is an error, not text taken literally).
fn query_component(raw: &str) -> Result<String, ODataError> {
    let bytes = raw.as_bytes();
    let hex = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_hexdigit);
    if let Some(at) = (0..bytes.len()).find(|&i| bytes[i] == b'%' && !(hex(i + 1) && hex(i + 2))) {
        return Err(syntax(
            raw,
            &format!("'%' at offset {at} does not start two hexadecimal digits"),
        ));
    }
    let spaced = raw.replace('+', " ");
    percent_decode_str(&spaced)
        .decode_utf8()
        .map(|decoded| decoded.into_owned())
        .map_err(|_| syntax(raw, "the query string is not UTF-8 after percent-decoding"))
}

/// `Name=value,Other=@p` → pairs, in order.
pub fn function_arguments(inner: &str) -> Result<Vec<(String, String)>, ODataError> {
    if inner.trim().is_empty() {
        return Ok(Vec::new());
    }
    split_top_level(inner, ',')?
        .into_iter()
        .map(|arg| {
            let (name, value) = arg
                .split_once('=')
                .ok_or_else(|| syntax(arg, "expected Name=value"))?;
            Ok((name.trim().to_owned(), value.trim().to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_and_aliases() {
        let p = parse(
            "accounts(6f9619ff-8b86-d011-b42d-00c04fc964ff)/Microsoft.Dynamics.CRM.sb_X",
            Some("@p1=%27a+b%27&$select=name"),
        )
        .unwrap();
        assert_eq!(p.segments.len(), 2);
        assert_eq!(p.segments[0].name, "accounts");
        assert_eq!(
            p.segments[0].parens.as_deref(),
            Some("6f9619ff-8b86-d011-b42d-00c04fc964ff")
        );
        assert_eq!(p.segments[1].name, "Microsoft.Dynamics.CRM.sb_X");
        assert_eq!(p.aliases["@p1"], "'a b'");
        assert_eq!(p.options, vec![("$select".into(), "name".into())]);
    }

    #[test]
    fn quoted_slashes_commas_and_parentheses_stay_in_literals() {
        let p = parse("sb_Greet(Name='a/b,(c)',Formal=true)", None).unwrap();
        assert_eq!(p.segments.len(), 1);
        let args = function_arguments(p.segments[0].parens.as_deref().unwrap()).unwrap();
        assert_eq!(
            args,
            vec![
                ("Name".into(), "'a/b,(c)'".into()),
                ("Formal".into(), "true".into())
            ]
        );
        let p = parse("f(X=%27it%27%27s%27)", None).unwrap();
        assert_eq!(
            function_arguments(p.segments[0].parens.as_deref().unwrap()).unwrap()[0].1,
            "'it''s'"
        );
    }

    #[test]
    fn syntax_errors() {
        assert!(parse("f(X='open)", None).is_err());
        assert!(parse("f(X=1", None).is_err());
        assert!(function_arguments("X").is_err());
        assert_eq!(function_arguments(" ").unwrap(), vec![]);
    }
}
