//! OData URL literals (`'text'`, `5`, `true`, GUIDs, date-times, JSON in aliases) → values.

use serde_json::Value as Json;
use switchboard_model::FieldType;
use switchboard_model::value::Value;

use crate::json::{ValueProblem, decode, edm_type, parse_date_time, parse_decimal};
use crate::tables::Tables;

fn problem(detail: impl Into<String>) -> ValueProblem {
    ValueProblem {
        detail: detail.into(),
    }
}

/// Reads `'it''s'` as `it's`; `None` when the text is not one quoted string.
pub fn unquote(text: &str) -> Option<String> {
    let inner = text.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            // Inside a literal a quote must be doubled.
            if chars.next() != Some('\'') {
                return None;
            }
        }
        out.push(c);
    }
    Some(out)
}

/// Turns OData's JSON-with-single-quotes (`{'@odata.id':'accounts(…)'}`) into JSON.
pub fn single_quoted_json(text: &str) -> Result<Json, ValueProblem> {
    if let Ok(json) = serde_json::from_str(text) {
        return Ok(json);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                // A double-quoted JSON string: copy through, escapes included.
                out.push('"');
                while let Some(d) = chars.next() {
                    out.push(d);
                    if d == '\\' {
                        if let Some(e) = chars.next() {
                            out.push(e);
                        }
                    } else if d == '"' {
                        break;
                    }
                }
            }
            '\'' => {
                let mut s = String::new();
                loop {
                    match chars.next() {
                        Some('\'') if chars.peek() == Some(&'\'') => {
                            chars.next();
                            s.push('\'');
                        }
                        Some('\'') => break,
                        Some(d) => s.push(d),
                        None => return Err(problem("unterminated quoted string")),
                    }
                }
                out.push_str(&serde_json::to_string(&s).unwrap_or_default());
            }
            other => out.push(other),
        }
    }
    serde_json::from_str(&out).map_err(|e| problem(format!("not valid JSON: {e}")))
}

/// Reads a literal as the given type.
pub fn parse(
    t: FieldType,
    entity: Option<&str>,
    literal: &str,
    tables: &Tables,
) -> Result<Value, ValueProblem> {
    let text = literal.trim();
    if text == "null" {
        return Ok(Value::Null);
    }
    let bad = || {
        problem(format!(
            "'{text}' is not a valid {} literal",
            edm_type(t, entity)
        ))
    };
    // Many clients quote every value; accept quotes on types OData writes bare.
    let bare = unquote(text).unwrap_or_else(|| text.to_owned());
    Ok(match t {
        FieldType::Boolean => match text {
            "true" => Value::Boolean(true),
            "false" => Value::Boolean(false),
            _ => return Err(bad()),
        },
        FieldType::String => Value::String(unquote(text).ok_or_else(bad)?),
        FieldType::DateTime => Value::DateTime(parse_date_time(&bare)?),
        FieldType::Decimal => Value::Decimal(parse_decimal(text.trim_end_matches(['m', 'M']))?),
        FieldType::Money => Value::Money(parse_decimal(text.trim_end_matches(['m', 'M']))?),
        FieldType::Float => Value::Float(match text {
            "INF" => f64::INFINITY,
            "-INF" => f64::NEG_INFINITY,
            "NaN" => f64::NAN,
            _ => text
                .trim_end_matches(['d', 'D', 'f', 'F'])
                .parse()
                .map_err(|_| bad())?,
        }),
        FieldType::Integer | FieldType::Picklist => {
            let n: i64 = text.parse().map_err(|_| bad())?;
            let n =
                i32::try_from(n).map_err(|_| problem(format!("{n} is outside the Int32 range")))?;
            if t == FieldType::Integer {
                Value::Integer(n)
            } else {
                Value::Picklist(n)
            }
        }
        FieldType::Guid => decode(t, entity, &Json::String(bare), tables)?,
        FieldType::StringArray
        | FieldType::EntityReference
        | FieldType::Entity
        | FieldType::EntityCollection => decode(t, entity, &single_quoted_json(text)?, tables)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::TableInfo;

    fn tables() -> Tables {
        let mut t = Tables::default();
        t.insert(TableInfo::named("account"));
        t
    }

    #[test]
    fn literals_of_every_kind() {
        let t = tables();
        assert_eq!(
            parse(FieldType::String, None, "'it''s'", &t).unwrap(),
            Value::String("it's".into())
        );
        assert_eq!(
            parse(FieldType::Integer, None, "42", &t).unwrap(),
            Value::Integer(42)
        );
        assert_eq!(
            parse(FieldType::Boolean, None, "false", &t).unwrap(),
            Value::Boolean(false)
        );
        assert_eq!(
            parse(FieldType::String, None, "null", &t).unwrap(),
            Value::Null
        );
        assert!(matches!(
            parse(FieldType::DateTime, None, "2024-01-02T03:04:05Z", &t).unwrap(),
            Value::DateTime(_)
        ));
        assert!(matches!(
            parse(
                FieldType::Guid,
                None,
                "6f9619ff-8b86-d011-b42d-00c04fc964ff",
                &t
            )
            .unwrap(),
            Value::Guid(_)
        ));
        assert_eq!(
            parse(FieldType::StringArray, None, "['a','b''c']", &t).unwrap(),
            Value::StringArray(vec!["a".into(), "b'c".into()])
        );
        assert_eq!(
            parse(FieldType::StringArray, None, r#"["x"]"#, &t).unwrap(),
            Value::StringArray(vec!["x".into()])
        );
        let r = parse(
            FieldType::EntityReference,
            None,
            "{'@odata.id':'accounts(6f9619ff-8b86-d011-b42d-00c04fc964ff)'}",
            &t,
        )
        .unwrap();
        assert!(matches!(r, Value::EntityReference(ref e) if e.logical_name == "account"));
    }

    #[test]
    fn bad_literals() {
        let t = tables();
        assert!(parse(FieldType::String, None, "abc", &t).is_err());
        assert!(parse(FieldType::String, None, "'a'b'", &t).is_err());
        assert!(parse(FieldType::Integer, None, "99999999999", &t).is_err());
        assert!(parse(FieldType::Boolean, None, "yes", &t).is_err());
        assert!(parse(FieldType::Guid, None, "123", &t).is_err());
    }
}
