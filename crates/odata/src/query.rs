//! Query string options of a collection read (`$filter`, `$orderby`, …) → [`RecordQuery`].

use std::fmt;

use switchboard_model::query::{Comparison, Filter, Literal, OrderBy, RecordQuery, TextMatch};
use switchboard_model::{Message, MessageId};
use time::Date;
use time::macros::format_description;
use uuid::Uuid;

use crate::error::{ErrorKind, ODataError};
use crate::json::parse_date_time;
use crate::literal::unquote;

/// How deeply parentheses and `not` may nest in a `$filter`; hostile input beyond this
/// gets an error instead of exhausting the stack.
pub const MAX_FILTER_DEPTH: usize = 100;

/// A malformed or unsupported query option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// The option at fault, as named in the URL (`$filter`).
    pub option: String,
    /// What is wrong, for the caller (filter errors include the character offset).
    pub message: String,
}

impl QueryError {
    /// An error in one option.
    pub fn new(option: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            option: option.into(),
            message: message.into(),
        }
    }

    /// The request error the server answers with (HTTP 400, Dataverse's bad-query code).
    pub fn into_odata_error(self) -> ODataError {
        ODataError::new(
            ErrorKind::BadQueryOption,
            Message::new(MessageId::ODataBadQueryOption)
                .arg("option", self.option)
                .arg("detail", self.message),
        )
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.option, self.message)
    }
}

impl std::error::Error for QueryError {}

impl From<QueryError> for ODataError {
    fn from(e: QueryError) -> Self {
        e.into_odata_error()
    }
}

/// `[A-Za-z_][A-Za-z0-9_]*`.
fn is_property_name(text: &str) -> bool {
    let mut bytes = text.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Character (not byte) offset, so messages match what the caller sees.
fn char_offset(text: &str, byte: usize) -> usize {
    text.get(..byte).map_or(byte, |s| s.chars().count())
}

/// Quotes a piece of input for a message, cut short so a huge token cannot bloat it.
fn shown(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() > MAX {
        let cut: String = text.chars().take(MAX).collect();
        format!("'{cut}…'")
    } else {
        format!("'{text}'")
    }
}

const KEYWORDS: [&str; 17] = [
    "and", "or", "not", "eq", "ne", "gt", "ge", "lt", "le", "add", "sub", "mul", "div", "divby",
    "mod", "has", "in",
];

const ARITHMETIC: [&str; 6] = ["add", "sub", "mul", "div", "divby", "mod"];

/// A hint when a word is a keyword in the wrong case (`EQ`, `And`, `NULL`).
fn case_hint(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    if lower != word
        && (KEYWORDS.contains(&lower.as_str())
            || matches!(lower.as_str(), "true" | "false" | "null"))
    {
        format!(" (keywords are lower-case: '{lower}')")
    } else {
        String::new()
    }
}

fn comparison(word: &str) -> Option<Comparison> {
    Some(match word {
        "eq" => Comparison::Eq,
        "ne" => Comparison::Ne,
        "gt" => Comparison::Gt,
        "ge" => Comparison::Ge,
        "lt" => Comparison::Lt,
        "le" => Comparison::Le,
        _ => return None,
    })
}

fn text_function(word: &str) -> Option<TextMatch> {
    Some(match word {
        "contains" => TextMatch::Contains,
        "startswith" => TextMatch::StartsWith,
        "endswith" => TextMatch::EndsWith,
        _ => return None,
    })
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Open,
    Close,
    Comma,
    /// A property name, keyword or function name.
    Name(String),
    Literal(Literal),
}

#[derive(Debug, Clone, PartialEq)]
struct Token {
    kind: Kind,
    /// Byte range in the filter text.
    at: usize,
    end: usize,
}

fn filter_error(text: &str, byte: usize, problem: impl fmt::Display) -> QueryError {
    QueryError::new(
        "$filter",
        format!("{problem} at offset {}", char_offset(text, byte)),
    )
}

fn is_guid_shape(run: &str) -> bool {
    run.len() == 36
        && run.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// `-?digits(.digits)?([eE][+-]?digits)?`; `Some(true)` when it has a fraction or exponent.
fn number_shape(run: &str) -> Option<bool> {
    let b = run.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > start
    };
    if !digits(&mut i) {
        return None;
    }
    let mut fractional = false;
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return None;
        }
        fractional = true;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return None;
        }
        fractional = true;
    }
    (i == b.len()).then_some(fractional)
}

/// A bare date (`2024-01-01`, midnight UTC) or date-time with offset; OData allows the
/// seconds to be left out (`T10:00Z`), RFC 3339 does not, so they are filled in.
fn date_time(run: &str) -> Option<time::OffsetDateTime> {
    if !run.is_ascii() {
        return None;
    }
    if run.len() == 10 {
        return Date::parse(run, format_description!("[year]-[month]-[day]"))
            .ok()
            .map(|d| d.midnight().assume_utc());
    }
    let t = run.find(['T', 't'])?;
    let clock = run.get(t + 1..)?.as_bytes();
    if clock.len() >= 5 && clock[2] == b':' && clock.get(5) != Some(&b':') {
        let (head, tail) = run.split_at(t + 6);
        return parse_date_time(&format!("{head}:00{tail}")).ok();
    }
    parse_date_time(run).ok()
}

fn classify(text: &str, at: usize, run: &str) -> Result<Kind, QueryError> {
    let bytes = run.as_bytes();
    if is_guid_shape(run) {
        return Uuid::parse_str(run)
            .map(|g| Kind::Literal(Literal::Guid(g)))
            .map_err(|_| filter_error(text, at, format!("invalid GUID {}", shown(run))));
    }
    if bytes.len() >= 5 && bytes[..4].iter().all(u8::is_ascii_digit) && bytes[4] == b'-' {
        return date_time(run)
            .map(|d| Kind::Literal(Literal::DateTime(d)))
            .ok_or_else(|| {
                filter_error(
                    text,
                    at,
                    format!(
                        "invalid date or date-time {} (expected 2024-01-31 or \
                         2024-01-31T10:00:00Z)",
                        shown(run)
                    ),
                )
            });
    }
    let first = bytes.first().copied().unwrap_or(b' ');
    if first.is_ascii_digit() || (first == b'-' && bytes.get(1).is_some_and(u8::is_ascii_digit)) {
        return match number_shape(run) {
            Some(false) => Ok(Kind::Literal(
                // Beyond Int64 the digits still mean a number; keep them as text.
                run.parse()
                    .map_or_else(|_| Literal::Number(run.to_owned()), Literal::Integer),
            )),
            Some(true) => Ok(Kind::Literal(Literal::Number(run.to_owned()))),
            None => Err(filter_error(
                text,
                at,
                format!("invalid number {}", shown(run)),
            )),
        };
    }
    if is_property_name(run) {
        return Ok(match run {
            "true" => Kind::Literal(Literal::Boolean(true)),
            "false" => Kind::Literal(Literal::Boolean(false)),
            "null" => Kind::Literal(Literal::Null),
            _ => Kind::Name(run.to_owned()),
        });
    }
    let problem = if run.contains('/') {
        format!(
            "property paths and lambda operators (any/all) are not supported: {}",
            shown(run)
        )
    } else if run.starts_with('@') {
        format!(
            "parameter aliases are not supported in $filter: {}",
            shown(run)
        )
    } else if run.starts_with('$') {
        format!("{} is not supported in $filter", shown(run))
    } else if run.starts_with('"') {
        format!(
            "string literals take single quotes, not double quotes: {}",
            shown(run)
        )
    } else {
        format!("unexpected {}", shown(run))
    };
    Err(filter_error(text, at, problem))
}

fn lex(text: &str) -> Result<Vec<Token>, QueryError> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(at, c)) = chars.peek() {
        let single = match c {
            '(' => Some(Kind::Open),
            ')' => Some(Kind::Close),
            ',' => Some(Kind::Comma),
            _ => None,
        };
        if let Some(kind) = single {
            chars.next();
            tokens.push(Token {
                kind,
                at,
                end: at + 1,
            });
        } else if c.is_whitespace() {
            chars.next();
        } else if c == '\'' {
            chars.next();
            let mut close = None;
            while let Some((i, d)) = chars.next() {
                if d == '\'' {
                    if matches!(chars.peek(), Some((_, '\''))) {
                        chars.next();
                    } else {
                        close = Some(i);
                        break;
                    }
                }
            }
            let close = close.ok_or_else(|| {
                filter_error(
                    text,
                    at,
                    "unterminated string literal (a quote inside is written '')",
                )
            })?;
            let value = unquote(&text[at..=close])
                .ok_or_else(|| filter_error(text, at, "invalid string literal"))?;
            tokens.push(Token {
                kind: Kind::Literal(Literal::String(value)),
                at,
                end: close + 1,
            });
        } else {
            let mut end = text.len();
            while let Some(&(i, d)) = chars.peek() {
                if d.is_whitespace() || matches!(d, '(' | ')' | ',' | '\'') {
                    end = i;
                    break;
                }
                chars.next();
            }
            let run = &text[at..end];
            tokens.push(Token {
                kind: classify(text, at, run)?,
                at,
                end,
            });
        }
    }
    Ok(tokens)
}

/// Joins a chain of `and`/`or` operands as a balanced tree, so that a long flat chain stays
/// shallow for everything that walks it recursively (drop, SQL generation); `a and b and c`
/// still comes out as `(a and b) and c`.
fn balanced(mut terms: Vec<Filter>, join: fn(Filter, Filter) -> Filter) -> Option<Filter> {
    let n = terms.len();
    if n <= 1 {
        return terms.pop();
    }
    let right = terms.split_off(n - n / 2);
    Some(join(balanced(terms, join)?, balanced(right, join)?))
}

enum Operand {
    Property(String),
    Value(Literal),
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn kind_at(&self, index: usize) -> Option<&Kind> {
        self.tokens.get(index).map(|t| &t.kind)
    }

    fn is_name(&self, index: usize, word: &str) -> bool {
        matches!(self.kind_at(index), Some(Kind::Name(n)) if n == word)
    }

    fn here(&self) -> usize {
        self.peek().map_or(self.text.len(), |t| t.at)
    }

    fn err(&self, byte: usize, problem: impl fmt::Display) -> QueryError {
        filter_error(self.text, byte, problem)
    }

    fn source(&self, token: &Token) -> &str {
        self.text.get(token.at..token.end).unwrap_or_default()
    }

    /// "found 'x'" or "the filter ends", for messages about the current token.
    fn found(&self) -> String {
        match self.peek() {
            Some(t) => format!("found {}", shown(self.source(t))),
            None => "the filter ends".to_owned(),
        }
    }

    fn enter(&mut self, byte: usize) -> Result<(), QueryError> {
        if self.depth >= MAX_FILTER_DEPTH {
            return Err(self.err(
                byte,
                format!("the filter nests deeper than {MAX_FILTER_DEPTH} levels"),
            ));
        }
        self.depth += 1;
        Ok(())
    }

    fn or_expr(&mut self) -> Result<Filter, QueryError> {
        let start = self.here();
        let mut terms = vec![self.and_expr()?];
        while self.is_name(self.pos, "or") {
            self.pos += 1;
            terms.push(self.and_expr()?);
        }
        balanced(terms, Filter::or).ok_or_else(|| self.err(start, "expected a condition"))
    }

    fn and_expr(&mut self) -> Result<Filter, QueryError> {
        let start = self.here();
        let mut terms = vec![self.unary()?];
        while self.is_name(self.pos, "and") {
            self.pos += 1;
            terms.push(self.unary()?);
        }
        balanced(terms, Filter::and).ok_or_else(|| self.err(start, "expected a condition"))
    }

    fn unary(&mut self) -> Result<Filter, QueryError> {
        if !self.is_name(self.pos, "not") {
            return self.primary();
        }
        let at = self.here();
        self.enter(at)?;
        self.pos += 1;
        // `not` binds tighter than a comparison, so `not a eq 1` would negate the bare
        // property; like Dataverse, only a condition that stands on its own may follow.
        let condition = match self.kind_at(self.pos) {
            Some(Kind::Open) => true,
            Some(Kind::Name(n)) => {
                n == "not" || matches!(self.kind_at(self.pos + 1), Some(Kind::Open))
            }
            _ => false,
        };
        if !condition {
            return Err(self.err(
                self.here(),
                format!(
                    "'not' must be followed by a parenthesized condition or a function such as \
                     contains(...), {}",
                    self.found()
                ),
            ));
        }
        let inner = self.unary()?;
        self.depth -= 1;
        Ok(Filter::negate(inner))
    }

    fn primary(&mut self) -> Result<Filter, QueryError> {
        let Some(token) = self.peek() else {
            return Err(self.err(self.text.len(), "expected a condition but the filter ends"));
        };
        let at = token.at;
        match &token.kind {
            Kind::Open => {
                self.enter(at)?;
                self.pos += 1;
                let inner = self.or_expr()?;
                match self.kind_at(self.pos) {
                    Some(Kind::Close) => self.pos += 1,
                    Some(_) => {
                        return Err(self.err(
                            self.here(),
                            format!("expected 'and', 'or' or ')', {}", self.found()),
                        ));
                    }
                    None => {
                        return Err(self.err(at, "missing ')' for the '(' opened"));
                    }
                }
                self.depth -= 1;
                Ok(inner)
            }
            Kind::Name(name) if matches!(self.kind_at(self.pos + 1), Some(Kind::Open)) => {
                let name = name.clone();
                self.function(&name, at)
            }
            Kind::Close => Err(self.err(at, "unexpected ')' where a condition should start")),
            Kind::Comma => Err(self.err(at, "unexpected ',' where a condition should start")),
            _ => self.comparison(),
        }
    }

    fn function(&mut self, name: &str, at: usize) -> Result<Filter, QueryError> {
        let Some(function) = text_function(name) else {
            return Err(self.err(
                at,
                format!(
                    "unknown or unsupported function {} (supported: contains, startswith, \
                     endswith)",
                    shown(name)
                ),
            ));
        };
        self.pos += 2;
        let column = match self.kind_at(self.pos) {
            Some(Kind::Name(n))
                if !KEYWORDS.contains(&n.as_str())
                    && !matches!(self.kind_at(self.pos + 1), Some(Kind::Open)) =>
            {
                n.clone()
            }
            _ => {
                return Err(self.err(
                    self.here(),
                    format!(
                        "the first argument of {name} must be a property name, {}",
                        self.found()
                    ),
                ));
            }
        };
        self.pos += 1;
        if !matches!(self.kind_at(self.pos), Some(Kind::Comma)) {
            return Err(self.err(
                self.here(),
                format!(
                    "expected ',' after the property in {name}, {}",
                    self.found()
                ),
            ));
        }
        self.pos += 1;
        let value = match self.kind_at(self.pos) {
            Some(Kind::Literal(Literal::String(s))) => s.clone(),
            _ => {
                return Err(self.err(
                    self.here(),
                    format!(
                        "the second argument of {name} must be a quoted string, {}",
                        self.found()
                    ),
                ));
            }
        };
        self.pos += 1;
        if !matches!(self.kind_at(self.pos), Some(Kind::Close)) {
            return Err(self.err(
                self.here(),
                format!("expected ')' to close {name}, {}", self.found()),
            ));
        }
        self.pos += 1;
        let mut filter = Filter::Text {
            function,
            column,
            value,
        };
        // Many clients write `contains(name,'x') eq true`.
        if let Some(Kind::Name(op)) = self.kind_at(self.pos)
            && let Some(op) = comparison(op)
        {
            let op_at = self.here();
            let truth = match (op, self.kind_at(self.pos + 1)) {
                (Comparison::Eq, Some(Kind::Literal(Literal::Boolean(b)))) => *b,
                (Comparison::Ne, Some(Kind::Literal(Literal::Boolean(b)))) => !*b,
                _ => {
                    return Err(self.err(
                        op_at,
                        format!("{name}(...) can only be compared with eq/ne true or false"),
                    ));
                }
            };
            self.pos += 2;
            if !truth {
                filter = Filter::negate(filter);
            }
        }
        Ok(filter)
    }

    fn operand(&mut self, after: &str) -> Result<(Operand, usize), QueryError> {
        let Some(token) = self.peek() else {
            return Err(self.err(
                self.text.len(),
                format!("expected a property name or a literal {after} but the filter ends"),
            ));
        };
        let at = token.at;
        let operand = match &token.kind {
            Kind::Literal(l) => Operand::Value(l.clone()),
            Kind::Name(n) if matches!(self.kind_at(self.pos + 1), Some(Kind::Open)) => {
                let problem = if text_function(n).is_some() {
                    format!("{n}(...) is a condition and cannot be compared")
                } else {
                    format!(
                        "unknown or unsupported function {} (supported: contains, \
                         startswith, endswith)",
                        shown(n)
                    )
                };
                return Err(self.err(at, problem));
            }
            Kind::Name(n) if KEYWORDS.contains(&n.as_str()) => {
                return Err(self.err(
                    at,
                    format!("expected a property name or a literal {after}, found operator '{n}'"),
                ));
            }
            Kind::Name(n) => Operand::Property(n.clone()),
            _ => {
                return Err(self.err(
                    at,
                    format!(
                        "expected a property name or a literal {after}, {}",
                        self.found()
                    ),
                ));
            }
        };
        self.pos += 1;
        Ok((operand, at))
    }

    fn comparison(&mut self) -> Result<Filter, QueryError> {
        let (left, left_at) = self.operand("at the start of a condition")?;
        let left_text = self
            .tokens
            .get(self.pos - 1)
            .map(|t| self.source(t).to_owned())
            .unwrap_or_default();
        let op_at = self.here();
        let op = match self.kind_at(self.pos) {
            Some(Kind::Name(w)) => match comparison(w) {
                Some(op) => op,
                None if ARITHMETIC.contains(&w.as_str()) => {
                    return Err(
                        self.err(op_at, format!("arithmetic operator '{w}' is not supported"))
                    );
                }
                None if w == "has" || w == "in" => {
                    return Err(self.err(op_at, format!("operator '{w}' is not supported")));
                }
                None => {
                    return Err(self.err(
                        op_at,
                        format!(
                            "expected a comparison operator (eq, ne, gt, ge, lt, le) after {}, \
                             found {}{}",
                            shown(&left_text),
                            shown(w),
                            case_hint(w)
                        ),
                    ));
                }
            },
            _ => {
                return Err(self.err(
                    op_at,
                    format!(
                        "expected a comparison operator (eq, ne, gt, ge, lt, le) after {}, {}{}",
                        shown(&left_text),
                        self.found(),
                        case_hint(&left_text)
                    ),
                ));
            }
        };
        self.pos += 1;
        let (right, right_at) = self.operand("after the operator")?;
        let (column, op, value) = match (left, right) {
            (Operand::Property(column), Operand::Value(value)) => (column, op, value),
            (Operand::Value(value), Operand::Property(column)) => (column, op.flipped(), value),
            (Operand::Property(a), Operand::Property(b)) => {
                let hint = case_hint(&b);
                return Err(self.err(
                    left_at,
                    format!(
                        "comparing two properties ({a} and {b}) is not supported; one side \
                         must be a literal{hint}"
                    ),
                ));
            }
            (Operand::Value(_), Operand::Value(_)) => {
                return Err(self.err(
                    left_at,
                    "comparing two literals is not supported; one side must be a property",
                ));
            }
        };
        if value == Literal::Null && !matches!(op, Comparison::Eq | Comparison::Ne) {
            return Err(self.err(right_at, "null can only be compared with eq or ne"));
        }
        Ok(Filter::Compare { column, op, value })
    }
}

/// Parses a `$filter` expression: comparisons (`eq ne gt ge lt le`), `and`, `or`, `not`,
/// parentheses, `contains`/`startswith`/`endswith`, with a property on one side of each
/// comparison and a literal on the other (normalised to property-on-the-left).
pub fn parse_filter(text: &str) -> Result<Filter, QueryError> {
    let tokens = lex(text)?;
    if tokens.is_empty() {
        return Err(filter_error(text, 0, "the filter is empty"));
    }
    let mut parser = Parser {
        text,
        tokens,
        pos: 0,
        depth: 0,
    };
    let filter = parser.or_expr()?;
    if let Some(token) = parser.peek() {
        let problem = match &token.kind {
            Kind::Close => "unbalanced ')'".to_owned(),
            Kind::Name(w) => format!(
                "unexpected {}: expected 'and', 'or' or the end of the filter{}",
                shown(w),
                case_hint(w)
            ),
            _ => format!(
                "unexpected {}: expected 'and', 'or' or the end of the filter",
                shown(parser.source(token))
            ),
        };
        return Err(parser.err(token.at, problem));
    }
    Ok(filter)
}

/// Splits on commas, yielding each item trimmed with its character offset.
fn items(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    text.split(',').map(move |item| {
        let lead = item.len() - item.trim_start().len();
        let offset = char_offset(text, start + lead);
        start += item.len() + 1;
        (offset, item.trim())
    })
}

/// Parses `$orderby`: comma-separated `property [asc|desc]`.
pub fn parse_orderby(text: &str) -> Result<Vec<OrderBy>, QueryError> {
    let bad = |offset: usize, problem: String| {
        QueryError::new("$orderby", format!("{problem} at offset {offset}"))
    };
    let mut out = Vec::new();
    for (offset, item) in items(text) {
        let mut words = item.split_whitespace();
        let Some(column) = words.next() else {
            return Err(bad(offset, "empty item".into()));
        };
        if !is_property_name(column) {
            return Err(bad(
                offset,
                format!("{} is not a property name", shown(column)),
            ));
        }
        let descending = match words.next() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                return Err(bad(
                    offset,
                    format!(
                        "expected 'asc' or 'desc' after {}, found {}",
                        shown(column),
                        shown(other)
                    ),
                ));
            }
        };
        if let Some(extra) = words.next() {
            return Err(bad(
                offset,
                format!("unexpected {} after the sort direction", shown(extra)),
            ));
        }
        out.push(OrderBy {
            column: column.to_owned(),
            descending,
        });
    }
    Ok(out)
}

/// Parses `$select`: comma-separated property names (duplicates collapse).
pub fn parse_select(text: &str) -> Result<Vec<String>, QueryError> {
    let mut out: Vec<String> = Vec::new();
    for (offset, item) in items(text) {
        if item.is_empty() {
            return Err(QueryError::new(
                "$select",
                format!("empty item at offset {offset}"),
            ));
        }
        if !is_property_name(item) {
            return Err(QueryError::new(
                "$select",
                format!("{} is not a property name at offset {offset}", shown(item)),
            ));
        }
        if !out.iter().any(|s| s == item) {
            out.push(item.to_owned());
        }
    }
    Ok(out)
}

fn parse_count(option: &str, text: &str) -> Result<u64, QueryError> {
    let t = text.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(QueryError::new(
            option,
            format!("{} is not a non-negative whole number", shown(t)),
        ));
    }
    t.parse()
        .map_err(|_| QueryError::new(option, format!("{} is too large", shown(t))))
}

/// Parses `$top`: a non-negative whole number.
pub fn parse_top(text: &str) -> Result<u64, QueryError> {
    parse_count("$top", text)
}

/// The `$skiptoken` this server puts in `@odata.nextLink` for the page starting at `offset`.
pub fn skip_token(offset: u64) -> String {
    offset.to_string()
}

fn parse_skip_token(text: &str) -> Result<u64, QueryError> {
    parse_count("$skiptoken", text).map_err(|_| {
        QueryError::new(
            "$skiptoken",
            "not a token this server issued; follow @odata.nextLink as given",
        )
    })
}

/// Reads `odata.maxpagesize=N` from a `Prefer` header value holding any number of
/// comma-separated preferences: `None` when absent, an error when given but not a positive
/// whole number (a size of 0 or `abc` is refused, not ignored).
pub fn parse_max_page_size(prefer: &str) -> Result<Option<u64>, QueryError> {
    // Split on commas outside double quotes: a quoted value may contain commas.
    let mut preferences = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in prefer.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                preferences.push(&prefer[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    preferences.push(&prefer[start..]);
    let invalid = || {
        QueryError::new(
            "Prefer",
            "odata.maxpagesize must be a whole number greater than 0",
        )
    };
    for preference in preferences {
        let (name, value) = preference.split_once('=').unwrap_or((preference, ""));
        let name = name.trim();
        if !(name.eq_ignore_ascii_case("odata.maxpagesize")
            || name.eq_ignore_ascii_case("maxpagesize"))
        {
            continue;
        }
        // Preference parameters (`; x=y`) do not change the size.
        let value = value.split(';').next().unwrap_or_default().trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        return match value.parse() {
            Ok(size) if size > 0 => Ok(Some(size)),
            _ => Err(invalid()),
        };
    }
    Ok(None)
}

/// Dataverse's other ways to query a set (FetchXML, saved and user views): refused rather
/// than ignored, which would answer every row unfiltered.
const NOT_SERVED: [&str; 3] = ["fetchXml", "savedQuery", "userQuery"];

/// Builds the query of a collection read from its decoded query pairs: `$select`,
/// `$filter`, `$orderby`, `$top` and `$skiptoken`; `$count` and parameter aliases are left
/// to the caller, options without `$` are ignored, any other `$` option or a repeated one
/// is an error. `page_size` stays `None` (it comes from the `Prefer` header).
pub fn record_query(pairs: &[(String, String)]) -> Result<RecordQuery, QueryError> {
    let mut seen: Vec<&str> = Vec::new();
    let mut query = RecordQuery::default();
    for (name, value) in pairs {
        if NOT_SERVED.contains(&name.as_str()) {
            return Err(QueryError::new(
                name.as_str(),
                "this query is not served yet; use $filter, $orderby and $select",
            ));
        }
        if !name.starts_with('$') {
            continue;
        }
        if seen.contains(&name.as_str()) {
            return Err(QueryError::new(
                name.as_str(),
                "the option is given more than once",
            ));
        }
        seen.push(name);
        match name.as_str() {
            "$select" if value.trim() == "*" => query.select = None,
            "$select" => query.select = Some(parse_select(value)?),
            "$filter" => query.filter = Some(parse_filter(value)?),
            "$orderby" => query.order_by = parse_orderby(value)?,
            "$top" => query.top = Some(parse_top(value)?),
            "$skiptoken" => query.skip = parse_skip_token(value)?,
            "$count" if matches!(value.as_str(), "true" | "false") => {}
            "$count" => return Err(QueryError::new("$count", "expected true or false")),
            other => {
                let lower = other.to_ascii_lowercase();
                let known = [
                    "$select",
                    "$filter",
                    "$orderby",
                    "$top",
                    "$skiptoken",
                    "$count",
                ];
                let hint = if known.contains(&lower.as_str()) {
                    format!(" (option names are case-sensitive: {lower})")
                } else {
                    String::new()
                };
                return Err(QueryError::new(
                    other,
                    format!("this query option is not supported here{hint}"),
                ));
            }
        }
    }
    Ok(query)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn cmp(column: &str, op: Comparison, value: Literal) -> Filter {
        Filter::Compare {
            column: column.into(),
            op,
            value,
        }
    }

    fn eq(column: &str, n: i64) -> Filter {
        cmp(column, Comparison::Eq, Literal::Integer(n))
    }

    fn value_of(text: &str) -> Literal {
        match parse_filter(&format!("x eq {text}")).unwrap() {
            Filter::Compare { value, .. } => value,
            other => panic!("{other:?}"),
        }
    }

    fn error(text: &str) -> String {
        let e = parse_filter(text).expect_err(text);
        assert_eq!(e.option, "$filter");
        assert!(e.message.contains(" at offset "), "{text}: {}", e.message);
        e.message
    }

    #[test]
    fn precedence_and_before_or() {
        assert_eq!(
            parse_filter("a eq 1 or b eq 2 and c eq 3").unwrap(),
            Filter::or(eq("a", 1), Filter::and(eq("b", 2), eq("c", 3)))
        );
        assert_eq!(
            parse_filter("a eq 1 and b eq 2 or c eq 3").unwrap(),
            Filter::or(Filter::and(eq("a", 1), eq("b", 2)), eq("c", 3))
        );
    }

    #[test]
    fn chains_are_left_grouped_when_short() {
        assert_eq!(
            parse_filter("a eq 1 and b eq 2 and c eq 3").unwrap(),
            Filter::and(Filter::and(eq("a", 1), eq("b", 2)), eq("c", 3))
        );
    }

    #[test]
    fn parentheses_override_precedence() {
        assert_eq!(
            parse_filter("(a eq 1 or b eq 2) and c eq 3").unwrap(),
            Filter::and(Filter::or(eq("a", 1), eq("b", 2)), eq("c", 3))
        );
        assert_eq!(parse_filter("((a eq 1))").unwrap(), eq("a", 1));
    }

    #[test]
    fn not_binds_tightest() {
        let contains = Filter::Text {
            function: TextMatch::Contains,
            column: "name".into(),
            value: "x".into(),
        };
        assert_eq!(
            parse_filter("not contains(name,'x') and a eq 1").unwrap(),
            Filter::and(Filter::negate(contains.clone()), eq("a", 1))
        );
        assert_eq!(
            parse_filter("not (a eq 1 or b eq 2)").unwrap(),
            Filter::negate(Filter::or(eq("a", 1), eq("b", 2)))
        );
        assert_eq!(
            parse_filter("not not (a eq 1)").unwrap(),
            Filter::negate(Filter::negate(eq("a", 1)))
        );
        assert!(error("not a eq 1").contains("'not' must be followed"));
    }

    #[test]
    fn every_comparison_operator() {
        for (word, op) in [
            ("eq", Comparison::Eq),
            ("ne", Comparison::Ne),
            ("gt", Comparison::Gt),
            ("ge", Comparison::Ge),
            ("lt", Comparison::Lt),
            ("le", Comparison::Le),
        ] {
            assert_eq!(
                parse_filter(&format!("n {word} 5")).unwrap(),
                cmp("n", op, Literal::Integer(5))
            );
            assert_eq!(
                parse_filter(&format!("5 {word} n")).unwrap(),
                cmp("n", op.flipped(), Literal::Integer(5))
            );
        }
        assert!(error("n EQ 5").contains("lower-case"));
    }

    #[test]
    fn literal_on_the_left_is_flipped() {
        assert_eq!(
            parse_filter("5 lt x").unwrap(),
            cmp("x", Comparison::Gt, Literal::Integer(5))
        );
        assert_eq!(
            parse_filter("null eq x").unwrap(),
            cmp("x", Comparison::Eq, Literal::Null)
        );
    }

    #[test]
    fn text_functions() {
        for (name, function) in [
            ("contains", TextMatch::Contains),
            ("startswith", TextMatch::StartsWith),
            ("endswith", TextMatch::EndsWith),
        ] {
            assert_eq!(
                parse_filter(&format!("{name}( fullname , 'O''Neil' )")).unwrap(),
                Filter::Text {
                    function,
                    column: "fullname".into(),
                    value: "O'Neil".into(),
                }
            );
        }
        let c = Filter::Text {
            function: TextMatch::Contains,
            column: "a".into(),
            value: "x".into(),
        };
        assert_eq!(parse_filter("contains(a,'x') eq true").unwrap(), c);
        assert_eq!(
            parse_filter("contains(a,'x') eq false").unwrap(),
            Filter::negate(c)
        );
        error("contains(a,'x') eq 1");
        error("contains('x',a)");
        error("contains(a,5)");
        error("contains(a 'x')");
        error("contains(a,'x'");
    }

    #[test]
    fn every_literal_type() {
        assert_eq!(value_of("'O''Neil'"), Literal::String("O'Neil".into()));
        assert_eq!(value_of("''"), Literal::String(String::new()));
        assert_eq!(value_of("'a b(c),d'"), Literal::String("a b(c),d".into()));
        assert_eq!(value_of("42"), Literal::Integer(42));
        assert_eq!(value_of("-7"), Literal::Integer(-7));
        assert_eq!(value_of("-9223372036854775808"), Literal::Integer(i64::MIN));
        assert_eq!(
            value_of("99999999999999999999"),
            Literal::Number("99999999999999999999".into())
        );
        assert_eq!(value_of("1.50"), Literal::Number("1.50".into()));
        assert_eq!(value_of("2e3"), Literal::Number("2e3".into()));
        assert_eq!(value_of("-1.5E-3"), Literal::Number("-1.5E-3".into()));
        assert_eq!(value_of("true"), Literal::Boolean(true));
        assert_eq!(value_of("false"), Literal::Boolean(false));
        assert_eq!(value_of("null"), Literal::Null);
        assert_eq!(
            value_of("6f9619ff-8b86-d011-b42d-00c04fc964ff"),
            Literal::Guid(Uuid::parse_str("6f9619ff-8b86-d011-b42d-00c04fc964ff").unwrap())
        );
        assert_eq!(
            value_of("2024-01-01T10:00:00Z"),
            Literal::DateTime(datetime!(2024-01-01 10:00:00 UTC))
        );
        assert_eq!(
            value_of("2024-01-01T10:00:00+01:00"),
            Literal::DateTime(datetime!(2024-01-01 10:00:00 +01:00))
        );
        assert_eq!(
            value_of("2024-01-01T10:00:00.125Z"),
            Literal::DateTime(datetime!(2024-01-01 10:00:00.125 UTC))
        );
        assert_eq!(
            value_of("2024-01-01T10:00Z"),
            Literal::DateTime(datetime!(2024-01-01 10:00:00 UTC))
        );
        assert_eq!(
            value_of("2024-01-01"),
            Literal::DateTime(datetime!(2024-01-01 00:00:00 UTC))
        );
        error("x eq 2024-13-01");
        error("x eq 2024-01-01T10:00:00");
        error("x eq 1.");
        error("x eq 12abc");
        error("x eq 6f9619ff-8b86-d011-b42d-00c04fc964f");
    }

    #[test]
    fn null_tests_and_names() {
        assert_eq!(
            parse_filter("_parentaccountid_value ne null").unwrap(),
            cmp("_parentaccountid_value", Comparison::Ne, Literal::Null)
        );
        assert_eq!(
            parse_filter("_x_value eq 6f9619ff-8b86-d011-b42d-00c04fc964ff").unwrap(),
            cmp(
                "_x_value",
                Comparison::Eq,
                Literal::Guid(Uuid::parse_str("6f9619ff-8b86-d011-b42d-00c04fc964ff").unwrap())
            )
        );
        assert!(error("a gt null").contains("null"));
    }

    #[test]
    fn whitespace_is_free() {
        assert_eq!(
            parse_filter("   a   eq\t1   or(b eq 2)  ").unwrap(),
            Filter::or(eq("a", 1), eq("b", 2))
        );
    }

    #[test]
    fn errors_name_problem_and_offset() {
        assert!(error("").contains("empty at offset 0"));
        assert!(error("   ").contains("empty"));
        assert!(error("a eq b").contains("two properties"));
        assert!(error("1 eq 2").contains("two literals"));
        assert!(error("substringof('x',name)").contains("substringof"));
        assert!(error("tolower(name) eq 'x'").contains("tolower"));
        assert!(error("name eq tolower('x')").contains("tolower"));
        assert!(error("tags/any(t: t eq 'x')").contains("lambda"));
        assert!(
            error("a add 1 eq 2")
                .contains("arithmetic operator 'add' is not supported at offset 2")
        );
        assert!(error("a mul 2 eq 4").contains("arithmetic"));
        assert!(error("a eq 1 b").contains("unexpected 'b'"));
        assert!(error("a eq 1)").contains("unbalanced ')' at offset 6"));
        assert!(error("(a eq 1").contains("missing ')'"));
        assert!(error("((a eq 1)").contains("at offset 0"));
        assert!(error("a eq 'abc").contains("unterminated string literal"));
        assert!(error("a eq 'abc").ends_with("at offset 5"));
        assert!(error("a eq 'it's'").contains("unterminated"));
        assert!(error("a eq").contains("filter ends at offset 4"));
        assert!(error("a").contains("comparison operator"));
        assert!(error("a eq 1 and").contains("ends"));
        assert!(error("a eq 1 AND b eq 2").contains("lower-case"));
        assert!(error("a eq @p1").contains("alias"));
        assert!(error("a eq \"x\"").contains("single quotes"));
        assert!(error("a in ('x')").contains("'in'"));
        assert!(error("a eq and").contains("operator 'and'"));
        assert!(error("()").contains("')'"));
        assert!(error(",").contains("','"));
        // Offsets count characters, not bytes.
        assert!(error("a eq 'é' b").contains("at offset 9"));
    }

    #[test]
    fn depth_is_limited() {
        let ok = format!("{}a eq 1{}", "(".repeat(100), ")".repeat(100));
        assert!(parse_filter(&ok).is_ok());
        let deep = format!("{}a eq 1{}", "(".repeat(101), ")".repeat(101));
        assert!(error(&deep).contains("deeper than 100"));
        assert!(error(&"(".repeat(200_000)).contains("deeper"));
        assert!(error(&"not ".repeat(200_000)).contains("deeper"));
    }

    #[test]
    fn long_flat_chains_stay_shallow() {
        let long = vec!["a eq 1"; 50_000].join(" and ");
        let f = parse_filter(&long).unwrap();
        assert_eq!(f.columns().len(), 50_000);
    }

    #[test]
    fn random_input_never_panics() {
        const PIECES: [&str; 32] = [
            "a",
            "_x_value",
            " eq ",
            " ne ",
            " gt ",
            " and ",
            " or ",
            "not ",
            "(",
            ")",
            ",",
            "'",
            "''",
            "'x'",
            "1",
            "-",
            "2.5e",
            "2024-01-01",
            "T10:00:00Z",
            "+01:00",
            "null",
            "true",
            "contains(",
            "startswith(",
            "tolower(",
            "é",
            "€",
            "/",
            "@p",
            "$",
            " ",
            "6f9619ff-8b86-d011-b42d-00c04fc964ff",
        ];
        const SEEDS: [&str; 4] = [
            "a eq 1 or (b ne 'x''y' and not contains(c,'z'))",
            "_x_value eq 6f9619ff-8b86-d011-b42d-00c04fc964ff and d ge 2024-01-01T10:00:00Z",
            "5 lt n and m le -2.5e3 or k eq null",
            "startswith(name,'a') eq false",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        for round in 0..4000 {
            let text: String = if round % 2 == 0 {
                (0..next() % 24)
                    .map(|_| PIECES[next() % PIECES.len()])
                    .collect()
            } else {
                let mut chars: Vec<char> = SEEDS[next() % SEEDS.len()].chars().collect();
                for _ in 0..1 + next() % 4 {
                    let at = next() % (chars.len() + 1);
                    let c = char::from_u32((next() % 0x2100) as u32).unwrap_or('x');
                    match next() % 3 {
                        0 => chars.insert(at, c),
                        1 if at < chars.len() => {
                            chars.remove(at);
                        }
                        _ if at < chars.len() => chars[at] = c,
                        _ => {}
                    }
                }
                chars.into_iter().collect()
            };
            if let Err(e) = parse_filter(&text) {
                assert!(e.message.contains(" at offset "), "{text:?}: {e}");
            }
            let _ = parse_orderby(&text);
            let _ = parse_select(&text);
            let _ = parse_top(&text);
            let _ = parse_max_page_size(&text);
            let _ = record_query(&[
                ("$filter".into(), text.clone()),
                ("$skiptoken".into(), text),
            ]);
        }
    }

    #[test]
    fn orderby() {
        assert_eq!(
            parse_orderby("name, createdon desc ,_x_value asc").unwrap(),
            vec![
                OrderBy {
                    column: "name".into(),
                    descending: false
                },
                OrderBy {
                    column: "createdon".into(),
                    descending: true
                },
                OrderBy {
                    column: "_x_value".into(),
                    descending: false
                },
            ]
        );
        assert!(parse_orderby("").is_err());
        assert!(
            parse_orderby("a,,b")
                .unwrap_err()
                .message
                .contains("offset 2")
        );
        assert!(parse_orderby("a sideways").is_err());
        assert!(parse_orderby("a desc x").is_err());
        assert!(parse_orderby("a/b").is_err());
        assert!(parse_orderby("a DESC").is_err());
    }

    #[test]
    fn select() {
        assert_eq!(
            parse_select(" name ,accountid,name,_x_value").unwrap(),
            ["name", "accountid", "_x_value"]
        );
        assert!(parse_select("").is_err());
        assert!(parse_select("a,").is_err());
        assert!(
            parse_select("a,b-c")
                .unwrap_err()
                .message
                .contains("offset 2")
        );
        assert!(parse_select("1a").is_err());
    }

    #[test]
    fn top() {
        assert_eq!(parse_top("10").unwrap(), 10);
        assert_eq!(parse_top("0").unwrap(), 0);
        assert!(parse_top("-1").is_err());
        assert!(parse_top("+1").is_err());
        assert!(parse_top("1.5").is_err());
        assert!(parse_top("").is_err());
        assert!(parse_top("99999999999999999999999").is_err());
        assert_eq!(parse_top("-1").unwrap_err().option, "$top");
    }

    #[test]
    fn max_page_size() {
        let size = |text: &str| parse_max_page_size(text).unwrap();
        assert_eq!(size("odata.maxpagesize=50"), Some(50));
        assert_eq!(
            size("odata.include-annotations=\"*\",odata.maxpagesize=50"),
            Some(50)
        );
        assert_eq!(
            size("odata.include-annotations=\"a,b\" , Odata.MaxPageSize = \"7\""),
            Some(7)
        );
        assert_eq!(size("maxpagesize=3"), Some(3));
        assert_eq!(size("return=minimal"), None);
        assert_eq!(size(""), None);
        for invalid in [
            "odata.maxpagesize=abc",
            "odata.maxpagesize=0",
            "odata.maxpagesize=-5",
            "odata.maxpagesize",
            "odata.maxpagesize=x, odata.maxpagesize=9",
        ] {
            assert!(parse_max_page_size(invalid).is_err(), "{invalid}");
        }
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn record_query_combines_options() {
        let q = record_query(&pairs(&[
            ("$select", "name,revenue"),
            ("$filter", "revenue gt 5 and name eq @p1"),
        ]));
        assert!(q.is_err(), "aliases inside $filter are not resolved");
        let q = record_query(&pairs(&[
            ("$select", "name,revenue"),
            ("$filter", "revenue gt 5"),
            ("$orderby", "name desc"),
            ("$top", "20"),
            ("$skiptoken", &skip_token(40)),
            ("$count", "true"),
            ("@p1", "'x'"),
            ("custom", "whatever"),
        ]))
        .unwrap();
        assert_eq!(
            q,
            RecordQuery {
                select: Some(vec!["name".into(), "revenue".into()]),
                filter: Some(cmp("revenue", Comparison::Gt, Literal::Integer(5))),
                order_by: vec![OrderBy {
                    column: "name".into(),
                    descending: true
                }],
                top: Some(20),
                skip: 40,
                page_size: None,
            }
        );
        assert_eq!(record_query(&[]).unwrap(), RecordQuery::default());
        assert_eq!(
            record_query(&pairs(&[("$select", "*")])).unwrap().select,
            None
        );
    }

    #[test]
    fn record_query_rejects_unknown_and_repeated_options() {
        for option in ["$apply", "$search", "$skip", "$expand", "$format"] {
            let e = record_query(&pairs(&[(option, "x")])).unwrap_err();
            assert_eq!(e.option, option);
        }
        let e = record_query(&pairs(&[("$Filter", "a eq 1")])).unwrap_err();
        assert!(e.message.contains("case-sensitive"));
        let e = record_query(&pairs(&[("$top", "1"), ("$top", "2")])).unwrap_err();
        assert_eq!(e.option, "$top");
        assert!(e.message.contains("more than once"));
        let e = record_query(&pairs(&[("$filter", "a eq")])).unwrap_err();
        assert_eq!(e.option, "$filter");
        let e = record_query(&pairs(&[("$skiptoken", "<cookie/>")])).unwrap_err();
        assert_eq!(e.option, "$skiptoken");
    }

    #[test]
    fn skip_token_round_trip() {
        for offset in [0, 1, 5000, u64::MAX] {
            let q = record_query(&pairs(&[("$skiptoken", &skip_token(offset))])).unwrap();
            assert_eq!(q.skip, offset);
        }
        assert!(parse_skip_token("-1").is_err());
        assert!(parse_skip_token("1e3").is_err());
    }

    #[test]
    fn converts_to_odata_error() {
        let e: ODataError = QueryError::new("$top", "bad").into();
        assert_eq!(e.kind, ErrorKind::BadQueryOption);
        assert_eq!(e.message.id, MessageId::ODataBadQueryOption);
        assert_eq!(e.message.get("option"), Some("$top"));
        assert_eq!(e.message.get("detail"), Some("bad"));
        assert_eq!(QueryError::new("$top", "bad").to_string(), "$top: bad");
    }
}
