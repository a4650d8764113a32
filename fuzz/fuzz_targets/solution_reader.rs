//! The solution reader on hostile input: the bytes are either a whole zip or the
//! customapi.xml of an otherwise valid package. It must never panic.
#![no_main]

use std::collections::BTreeMap;
use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;
use switchboard_solution::{read_source, PackageSource};

const SOLUTION: &str = r#"<ImportExportXml><SolutionManifest><UniqueName>Fuzz</UniqueName><Version>1.0</Version><Managed>0</Managed><Publisher><UniqueName>p</UniqueName><CustomizationPrefix>sb</CustomizationPrefix></Publisher></SolutionManifest></ImportExportXml>"#;

fuzz_target!(|data: &[u8]| {
    if let Ok(src) = PackageSource::zip_from_bytes("fuzz.zip", data) {
        let _ = read_source(&src);
    }
    let mut files = BTreeMap::new();
    files.insert("solution.xml".to_owned(), SOLUTION.as_bytes().to_vec());
    files.insert("customapis/sb_X/customapi.xml".to_owned(), data.to_vec());
    files.insert("customapis/sb_X/customapirequestparameters/P/customapirequestparameter.xml".to_owned(), data.to_vec());
    files.insert("SdkMessageProcessingSteps/s.xml".to_owned(), data.to_vec());
    let src = PackageSource::Zip { path: PathBuf::from("fuzz.zip"), files };
    let _ = read_source(&src);
});
