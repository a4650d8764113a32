//! What describes the connector as a whole: its title and description from the solution,
//! and the `x-ms-connector-metadata` Power Platform lists it with.

use serde_json::{Value, json};
use switchboard_model::{Message, MessageId};

use crate::text::Texts;
use crate::{Definitions, Options};

/// Words Microsoft's connector rules keep out of a title ("Title cannot include words
/// 'API', 'Connector'…"; `check-connector.sh` tests `\b(api|connector)\b`), with plurals.
const TITLE_STOP_WORDS: &[&str] = &["api", "apis", "connector", "connectors"];

/// Longest description the certification template allows.
const DESCRIPTION_MAX: usize = 500;

/// The `info` object: title, description, version (the solution's).
pub(crate) fn info(definitions: &Definitions, texts: &Texts) -> Value {
    let solution = &definitions.solution;
    let description = texts
        .label(&solution.descriptions)
        .map(str::to_owned)
        .unwrap_or_else(|| {
            texts.render(
                &Message::new(MessageId::ConnectorInfoDescription)
                    .arg("solution", &solution.unique_name),
            )
        });
    json!({
        "title": title(definitions, texts),
        "description": description.chars().take(DESCRIPTION_MAX).collect::<String>(),
        "version": solution.version.as_str(),
    })
}

/// The solution's friendly name (else its unique name) without the words Microsoft's rules
/// forbid in a title; "Switchboard" when nothing is left.
pub(crate) fn title(definitions: &Definitions, texts: &Texts) -> String {
    let solution = &definitions.solution;
    [
        texts.label(&solution.names),
        Some(solution.unique_name.as_str()),
    ]
    .into_iter()
    .flatten()
    .map(without_stop_words)
    .find(|t| !t.is_empty())
    .unwrap_or_else(|| "Switchboard".to_owned())
}

/// `text` without the title's stop words, taken as whole words the way a regular expression's
/// `\b` sees them (runs of letters, digits and `_`). Between two kept words stands the
/// separator that followed the first of them, so a dropped word takes its separator with it
/// ("Custom API - Tools" → "Custom Tools"); what precedes the first and follows the last
/// kept word goes.
fn without_stop_words(text: &str) -> String {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::new();
    let mut separator: Option<&str> = None;
    let mut rest = text;
    while let Some(start) = rest.find(is_word) {
        let len = rest[start..]
            .find(|c: char| !is_word(c))
            .unwrap_or(rest.len() - start);
        let word = &rest[start..start + len];
        let before = separator.get_or_insert(&rest[..start]);
        if !TITLE_STOP_WORDS
            .iter()
            .any(|s| s.eq_ignore_ascii_case(word))
        {
            if !out.is_empty() {
                out.push_str(if before.trim().is_empty() {
                    " "
                } else {
                    before
                });
            }
            out.push_str(word);
            separator = None;
        }
        rest = &rest[start + len..];
    }
    out
}

/// `x-ms-connector-metadata`: the website (the server) and the category.
pub(crate) fn connector_metadata(options: &Options) -> Value {
    json!([
        { "propertyName": "Website", "propertyValue": options.base_url.origin() },
        { "propertyName": "Categories", "propertyValue": "Data" },
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_leave_the_title() {
        assert_eq!(
            without_stop_words("Switchboard Samples"),
            "Switchboard Samples"
        );
        assert_eq!(
            without_stop_words("Dataverse Custom APIs"),
            "Dataverse Custom"
        );
        assert_eq!(without_stop_words("API Connector"), "");
        assert_eq!(without_stop_words("My api-tools (connector)"), "My tools");
        assert_eq!(without_stop_words("Rapid apiary"), "Rapid apiary");
        assert_eq!(without_stop_words("my_api"), "my_api", "one word to \\b");
        assert_eq!(
            without_stop_words("Runtime - API - Extensions"),
            "Runtime - Extensions"
        );
    }
}
