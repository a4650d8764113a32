//! `$filter` evaluated over JSON objects: the metadata sets (`EntityDefinitions`) live in
//! memory, so they are queried there with the same grammar ([`crate::query`]) that record
//! and definition tables turn into SQL.

use std::cmp::Ordering;

use serde_json::{Map, Value as Json};
use switchboard_model::query::{Comparison, Filter, Literal, TextMatch};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// One object of a set (a row of a definition table, an entity definition).
pub type Row = Map<String, Json>;

/// How a stored value compares with a literal, as Dataverse compares them: strings without
/// regard to case, GUIDs by value, numbers by value, date-times by instant; `None` when the
/// two cannot be compared (a string with a number, a missing value).
fn compare_literal(value: &Json, literal: &Literal) -> Option<Ordering> {
    match (value, literal) {
        (Json::String(a), Literal::String(b)) => Some(a.to_lowercase().cmp(&b.to_lowercase())),
        (Json::String(a), Literal::Guid(g)) => uuid::Uuid::parse_str(a).ok().map(|a| a.cmp(g)),
        (Json::String(a), Literal::DateTime(d)) => {
            OffsetDateTime::parse(a, &Rfc3339).ok().map(|a| a.cmp(d))
        }
        (Json::Bool(a), Literal::Boolean(b)) => Some(a.cmp(b)),
        (Json::Number(a), Literal::Integer(b)) => match a.as_i64() {
            Some(a) => Some(a.cmp(b)),
            None => a.as_f64()?.partial_cmp(&(*b as f64)),
        },
        (Json::Number(a), Literal::Number(b)) => a.as_f64()?.partial_cmp(&b.parse::<f64>().ok()?),
        _ => None,
    }
}

/// Whether `row` satisfies `filter`; a property the row lacks is null.
pub fn matches(row: &Row, filter: &Filter) -> bool {
    match filter {
        Filter::And(a, b) => matches(row, a) && matches(row, b),
        Filter::Or(a, b) => matches(row, a) || matches(row, b),
        Filter::Not(a) => !matches(row, a),
        Filter::Compare { column, op, value } => {
            let found = row.get(column.as_str()).filter(|v| !v.is_null());
            if *value == Literal::Null {
                return found.is_none() == (*op == Comparison::Eq);
            }
            match (op, found.and_then(|v| compare_literal(v, value))) {
                (Comparison::Ne, None) => true,
                (_, None) => false,
                (Comparison::Eq, Some(o)) => o.is_eq(),
                (Comparison::Ne, Some(o)) => o.is_ne(),
                (Comparison::Gt, Some(o)) => o.is_gt(),
                (Comparison::Ge, Some(o)) => o.is_ge(),
                (Comparison::Lt, Some(o)) => o.is_lt(),
                (Comparison::Le, Some(o)) => o.is_le(),
            }
        }
        Filter::Text {
            function,
            column,
            value,
        } => {
            let Some(Json::String(text)) = row.get(column.as_str()) else {
                return false;
            };
            let (text, value) = (text.to_lowercase(), value.to_lowercase());
            match function {
                TextMatch::Contains => text.contains(&value),
                TextMatch::StartsWith => text.starts_with(&value),
                TextMatch::EndsWith => text.ends_with(&value),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse_filter;
    use serde_json::json;

    fn row(value: Json) -> Row {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn filters_follow_dataverse_comparisons() {
        let r = row(json!({
            "name": "Sample API",
            "bindingtype": 1,
            "isfunction": false,
            "customapiid": "6F9619FF-8B86-D011-B42D-00C04FC964FF",
            "description": null,
        }));
        let holds = |f: &str| matches(&r, &parse_filter(f).unwrap());
        assert!(holds("name eq 'sample api'"), "strings ignore case");
        assert!(holds("customapiid eq 6f9619ff-8b86-d011-b42d-00c04fc964ff"));
        assert!(holds("bindingtype ge 1 and isfunction eq false"));
        assert!(holds("bindingtype gt 5 or startswith(name,'SAMPLE')"));
        assert!(holds("description eq null and not (name ne 'Sample API')"));
        assert!(holds("missing eq null"), "a missing property is null");
        assert!(holds("name ne 3"), "incomparable values are unequal");
        assert!(!holds("name eq 3"));
        assert!(!holds("contains(description,'x')"));
    }
}
