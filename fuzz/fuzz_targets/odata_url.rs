//! The OData URL parser and literal reader on hostile input. It must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchboard_model::FieldType;
use switchboard_odata::tables::{TableInfo, Tables};
use switchboard_odata::{literal, url};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (path, query) = text.split_once('?').map_or((text, None), |(p, q)| (p, Some(q)));
    if let Ok(parsed) = url::parse(path, query) {
        for segment in &parsed.segments {
            if let Some(inner) = &segment.parens {
                let _ = url::function_arguments(inner);
            }
        }
    }
    let mut tables = Tables::default();
    tables.insert(TableInfo::named("account"));
    for t in FieldType::ALL {
        let _ = literal::parse(*t, Some("account"), text, &tables);
    }
});
