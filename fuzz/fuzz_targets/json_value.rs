//! JSON → typed value decoding (and back) on hostile input. It must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchboard_model::FieldType;
use switchboard_odata::json;
use switchboard_odata::tables::{TableInfo, Tables};

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let mut tables = Tables::default();
    tables.insert(TableInfo::named("account"));
    for t in FieldType::ALL {
        if let Ok(v) = json::decode(*t, None, &value, &tables) {
            let _ = json::encode(&v, &tables);
        }
    }
});
