//! Windows language codes (LCID) ↔ BCP 47 tags, for the languages Dataverse offers.

/// LCID → BCP 47 for Dataverse's languages.
pub const LANGUAGES: &[(u32, &str)] = &[
    (1025, "ar-SA"),
    (1026, "bg-BG"),
    (1027, "ca-ES"),
    (1028, "zh-TW"),
    (1029, "cs-CZ"),
    (1030, "da-DK"),
    (1031, "de-DE"),
    (1032, "el-GR"),
    (1033, "en-US"),
    (1035, "fi-FI"),
    (1036, "fr-FR"),
    (1037, "he-IL"),
    (1038, "hu-HU"),
    (1040, "it-IT"),
    (1041, "ja-JP"),
    (1042, "ko-KR"),
    (1043, "nl-NL"),
    (1044, "nb-NO"),
    (1045, "pl-PL"),
    (1046, "pt-BR"),
    (1048, "ro-RO"),
    (1049, "ru-RU"),
    (1050, "hr-HR"),
    (1051, "sk-SK"),
    (1053, "sv-SE"),
    (1054, "th-TH"),
    (1055, "tr-TR"),
    (1057, "id-ID"),
    (1058, "uk-UA"),
    (1060, "sl-SI"),
    (1061, "et-EE"),
    (1062, "lv-LV"),
    (1063, "lt-LT"),
    (1066, "vi-VN"),
    (1069, "eu-ES"),
    (1081, "hi-IN"),
    (1086, "ms-MY"),
    (1087, "kk-KZ"),
    (1110, "gl-ES"),
    (2052, "zh-CN"),
    (2070, "pt-PT"),
    (2074, "sr-Latn-RS"),
    (3076, "zh-HK"),
    (3082, "es-ES"),
    (3084, "fr-CA"),
    (3098, "sr-Cyrl-RS"),
];

/// The BCP 47 tag of an LCID (1034, Spanish traditional sort, is `es-ES` too).
pub fn to_bcp47(lcid: u32) -> Option<&'static str> {
    if lcid == 1034 {
        return Some("es-ES");
    }
    LANGUAGES.iter().find(|(l, _)| *l == lcid).map(|(_, t)| *t)
}

/// The LCID of a BCP 47 tag: exact match (any case), else the first language of the same
/// primary subtag (`de` → 1031).
pub fn from_bcp47(tag: &str) -> Option<u32> {
    let tag = tag.trim();
    if let Some((l, _)) = LANGUAGES.iter().find(|(_, t)| t.eq_ignore_ascii_case(tag)) {
        return Some(*l);
    }
    let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
    LANGUAGES
        .iter()
        .find(|(_, t)| t.split('-').next() == Some(primary.as_str()))
        .map(|(l, _)| *l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_directions() {
        assert!(LANGUAGES.len() >= 45);
        assert_eq!(to_bcp47(1031), Some("de-DE"));
        assert_eq!(to_bcp47(1041), Some("ja-JP"));
        assert_eq!(to_bcp47(1034), Some("es-ES"));
        assert_eq!(from_bcp47("ja-jp"), Some(1041));
        assert_eq!(from_bcp47("de"), Some(1031));
        assert_eq!(from_bcp47("pt-PT"), Some(2070));
        assert_eq!(from_bcp47("xx"), None);
        for (lcid, tag) in LANGUAGES {
            assert_eq!(from_bcp47(tag), Some(*lcid), "{tag}");
        }
    }
}
