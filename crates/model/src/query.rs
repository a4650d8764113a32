//! Record queries independent of any syntax: the `$filter`/`$orderby`/`$select`/`$top` of a
//! Web API request and a plug-in's retrieve-multiple both become a [`RecordQuery`], which the
//! store turns into SQL with bound values.

use time::OffsetDateTime;
use uuid::Uuid;

/// A constant in a filter, typed only as far as its syntax tells; the store converts it to
/// the compared column's type (or rejects the comparison).
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `null`.
    Null,
    /// `true` / `false`.
    Boolean(bool),
    /// A whole number (`42`, `-7`).
    Integer(i64),
    /// A number with a fraction or exponent, as written (`1.5`, `2e3`); kept as text so
    /// decimals lose nothing.
    Number(String),
    /// A quoted string, unescaped.
    String(String),
    /// A bare GUID.
    Guid(Uuid),
    /// A bare date-time (`2024-01-01T00:00:00Z`) or date (`2024-01-01`, midnight UTC).
    DateTime(OffsetDateTime),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// `eq`
    Eq,
    /// `ne`
    Ne,
    /// `gt`
    Gt,
    /// `ge`
    Ge,
    /// `lt`
    Lt,
    /// `le`
    Le,
}

impl Comparison {
    /// The operator that gives the same result with its operands swapped (`5 lt x` ⇔ `x gt 5`).
    pub fn flipped(self) -> Self {
        match self {
            Comparison::Gt => Comparison::Lt,
            Comparison::Ge => Comparison::Le,
            Comparison::Lt => Comparison::Gt,
            Comparison::Le => Comparison::Ge,
            other => other,
        }
    }
}

/// A string test on a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextMatch {
    /// `contains(col,'x')`
    Contains,
    /// `startswith(col,'x')`
    StartsWith,
    /// `endswith(col,'x')`
    EndsWith,
}

/// A boolean condition on one record.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// Both hold.
    And(Box<Filter>, Box<Filter>),
    /// Either holds.
    Or(Box<Filter>, Box<Filter>),
    /// The condition does not hold.
    Not(Box<Filter>),
    /// `column op value` (`eq null` / `ne null` test for null).
    Compare {
        /// The property as written (`name`, `_parentaccountid_value`).
        column: String,
        /// The operator, with the column on the left.
        op: Comparison,
        /// The constant.
        value: Literal,
    },
    /// `contains`/`startswith`/`endswith` of a string column.
    Text {
        /// The function.
        function: TextMatch,
        /// The property as written.
        column: String,
        /// The searched text.
        value: String,
    },
}

impl Filter {
    /// `a and b`.
    pub fn and(a: Filter, b: Filter) -> Filter {
        Filter::And(Box::new(a), Box::new(b))
    }

    /// `a or b`.
    pub fn or(a: Filter, b: Filter) -> Filter {
        Filter::Or(Box::new(a), Box::new(b))
    }

    /// `not a`.
    pub fn negate(a: Filter) -> Filter {
        Filter::Not(Box::new(a))
    }

    /// Every property the filter names.
    pub fn columns(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_columns(&mut out);
        out
    }

    fn collect_columns<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Filter::And(a, b) | Filter::Or(a, b) => {
                a.collect_columns(out);
                b.collect_columns(out);
            }
            Filter::Not(a) => a.collect_columns(out),
            Filter::Compare { column, .. } | Filter::Text { column, .. } => out.push(column),
        }
    }
}

/// One `$orderby` item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderBy {
    /// The property as written.
    pub column: String,
    /// `desc`.
    pub descending: bool,
}

/// What to read from one table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecordQuery {
    /// Columns to return (`None`: all).
    pub select: Option<Vec<String>>,
    /// Which records.
    pub filter: Option<Filter>,
    /// Sort order (the primary key breaks ties so pages are stable).
    pub order_by: Vec<OrderBy>,
    /// At most this many records in all.
    pub top: Option<u64>,
    /// Records to skip (paging).
    pub skip: u64,
    /// At most this many records in this page (paging; `top` still bounds the total).
    pub page_size: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flipping_keeps_meaning() {
        assert_eq!(Comparison::Lt.flipped(), Comparison::Gt);
        assert_eq!(Comparison::Ge.flipped(), Comparison::Le);
        assert_eq!(Comparison::Eq.flipped(), Comparison::Eq);
    }

    #[test]
    fn columns_of_nested_filter() {
        let f = Filter::and(
            Filter::Compare {
                column: "a".into(),
                op: Comparison::Eq,
                value: Literal::Integer(1),
            },
            Filter::negate(Filter::Text {
                function: TextMatch::Contains,
                column: "b".into(),
                value: "x".into(),
            }),
        );
        assert_eq!(f.columns(), ["a", "b"]);
    }
}
