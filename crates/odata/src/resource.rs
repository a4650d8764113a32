//! What a Web API URL addresses, resolved from its path segments before any handler runs:
//! the router matches on a [`Resource`], never on raw segment names.

use crate::tables::{TableInfo, Tables};
use crate::url::Segment;

/// The set serving table and column metadata (`EntityDefinitions(LogicalName='x')/…`).
pub const ENTITY_DEFINITIONS: &str = "EntityDefinitions";

/// A resource of the Web API.
#[derive(Debug, PartialEq, Eq)]
pub enum Resource<'a> {
    /// `/`: the service document.
    ServiceDocument,
    /// `/$metadata`.
    Metadata,
    /// `EntityDefinitions…`, with every segment (the metadata sets are served whole).
    EntityDefinitions,
    /// A table's entity set (`accounts`), or one of its records (`accounts(<key>)`).
    EntitySet {
        /// The table.
        table: &'a TableInfo,
        /// The set segment: its parentheses hold the record's key, if any.
        segment: &'a Segment,
    },
    /// An operation bound to a table's set or to one of its records
    /// (`accounts(<id>)/Microsoft.Dynamics.CRM.sb_Op`).
    Bound {
        /// The set segment (with the record key, if any).
        set: &'a Segment,
        /// The table the set serves.
        table: &'a TableInfo,
        /// The operation segment, with its arguments.
        operation: &'a Segment,
    },
    /// An unbound operation (`WhoAmI()`, a custom API, `SetLocLabels`), with its arguments.
    Unbound(&'a Segment),
}

/// Why a path addresses nothing: the segment that matches no resource.
#[derive(Debug, PartialEq, Eq)]
pub struct Unresolved<'a>(pub &'a str);

/// Resolves path segments against the tables requests may name.
pub fn resolve<'a>(
    segments: &'a [Segment],
    tables: &'a Tables,
) -> Result<Resource<'a>, Unresolved<'a>> {
    match segments {
        [] => Ok(Resource::ServiceDocument),
        [Segment { name, parens: None }] if name == "$metadata" => Ok(Resource::Metadata),
        [first, ..] if first.name == ENTITY_DEFINITIONS => Ok(Resource::EntityDefinitions),
        [only] => Ok(match tables.by_set(&only.name) {
            Some(table) => Resource::EntitySet {
                table,
                segment: only,
            },
            None => Resource::Unbound(only),
        }),
        [set, operation] => match tables.by_set(&set.name) {
            Some(table) => Ok(Resource::Bound {
                set,
                table,
                operation,
            }),
            None => Err(Unresolved(&set.name)),
        },
        [_, _, extra, ..] => Err(Unresolved(&extra.name)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(name: &str, parens: Option<&str>) -> Segment {
        Segment {
            name: name.into(),
            parens: parens.map(str::to_owned),
        }
    }

    #[test]
    fn paths_resolve_to_resources() {
        let mut tables = Tables::default();
        tables.insert(TableInfo::named("account"));
        let account = tables.by_set("accounts").unwrap();
        assert_eq!(resolve(&[], &tables), Ok(Resource::ServiceDocument));
        assert_eq!(
            resolve(&[segment("$metadata", None)], &tables),
            Ok(Resource::Metadata)
        );
        assert_eq!(
            resolve(
                &[
                    segment("EntityDefinitions", Some("LogicalName='account'")),
                    segment("Attributes", None)
                ],
                &tables
            ),
            Ok(Resource::EntityDefinitions)
        );
        let by_key = [segment(
            "accounts",
            Some("6f9619ff-8b86-d011-b42d-00c04fc964ff"),
        )];
        assert_eq!(
            resolve(&by_key, &tables),
            Ok(Resource::EntitySet {
                table: account,
                segment: &by_key[0]
            })
        );
        let who = [segment("WhoAmI", Some(""))];
        assert_eq!(resolve(&who, &tables), Ok(Resource::Unbound(&who[0])));
        let bound = [
            segment("accounts", None),
            segment("Microsoft.Dynamics.CRM.x", None),
        ];
        assert_eq!(
            resolve(&bound, &tables),
            Ok(Resource::Bound {
                set: &bound[0],
                table: account,
                operation: &bound[1]
            })
        );
        let unknown = [segment("nothing", None), segment("x", None)];
        assert_eq!(resolve(&unknown, &tables), Err(Unresolved("nothing")));
        let deep = [
            segment("accounts", None),
            segment("x", None),
            segment("y", None),
        ];
        assert_eq!(resolve(&deep, &tables), Err(Unresolved("y")));
    }
}
