//! `$filter` and `$orderby` evaluated over JSON objects: the definition tables and the
//! metadata sets are small and read whole, so they are queried in memory with the same
//! grammar ([`crate::query`]) that record tables turn into SQL.

use std::cmp::Ordering;

use serde_json::{Map, Value as Json};
use switchboard_model::query::{Comparison, Filter, Literal, OrderBy, TextMatch};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// One object of a set (a row of a definition table, an entity definition).
pub type Row = Map<String, Json>;

/// The properties a filter names, each once, in the order written.
pub fn filter_columns(filter: &Filter) -> Vec<&str> {
    fn walk<'a>(filter: &'a Filter, out: &mut Vec<&'a str>) {
        match filter {
            Filter::And(a, b) | Filter::Or(a, b) => {
                walk(a, out);
                walk(b, out);
            }
            Filter::Not(a) => walk(a, out),
            Filter::Compare { column, .. } | Filter::Text { column, .. } => {
                if !out.contains(&column.as_str()) {
                    out.push(column);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(filter, &mut out);
    out
}

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

/// Orders two values of one property: nulls first, strings without regard to case.
pub fn compare(a: Option<&Json>, b: Option<&Json>) -> Ordering {
    let a = a.filter(|v| !v.is_null());
    let b = b.filter(|v| !v.is_null());
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(Json::String(x)), Some(Json::String(y))) => x.to_lowercase().cmp(&y.to_lowercase()),
        (Some(Json::Number(x)), Some(Json::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(Json::Bool(x)), Some(Json::Bool(y))) => x.cmp(y),
        _ => Ordering::Equal,
    }
}

/// Sorts `rows` by `order` (the first item first; equal rows keep their order).
pub fn sort(rows: &mut [Row], order: &[OrderBy]) {
    if order.is_empty() {
        return;
    }
    rows.sort_by(|a, b| {
        order
            .iter()
            .map(|o| {
                let ordering = compare(a.get(&o.column), b.get(&o.column));
                if o.descending {
                    ordering.reverse()
                } else {
                    ordering
                }
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{parse_filter, parse_orderby};
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

    #[test]
    fn filter_columns_lists_each_property_once() {
        let f = parse_filter("a eq 1 and (b eq 2 or not (a eq 3)) and contains(c,'x')").unwrap();
        assert_eq!(filter_columns(&f), ["a", "b", "c"]);
    }

    #[test]
    fn sort_orders_by_each_item_in_turn_with_nulls_first() {
        let mut rows = vec![
            row(json!({"n": "b", "k": 1})),
            row(json!({"n": "A", "k": 2})),
            row(json!({"n": "a", "k": 1})),
            row(json!({"k": 3})),
        ];
        sort(&mut rows, &parse_orderby("n asc,k desc").unwrap());
        let keys: Vec<_> = rows.iter().map(|r| r["k"].as_i64().unwrap()).collect();
        assert_eq!(keys, [3, 2, 1, 1]);
        assert_eq!(rows[3]["n"], "b");
    }
}
