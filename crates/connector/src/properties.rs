//! `apiProperties.json`: the connection parameters a connection asks for (the access token,
//! or an OAuth 2.0 sign-in), the icon colour and the publisher, as `paconn` packages them.

use serde_json::{Value, json};
use switchboard_model::MessageId;

use crate::text::Texts;
use crate::{Definitions, Options, Security};

/// The icon background Power Platform gives custom connectors.
const ICON_BRAND_COLOR: &str = "#007ee5";
/// Where Power Platform's consent flow returns to (the "Global" redirect mode).
const REDIRECT_URL: &str = "https://global.consent.azure-apim.net/redirect";

pub(crate) fn document(definitions: &Definitions, options: &Options) -> Value {
    let texts = Texts::new(options.language);
    let connection = match &options.security {
        // The API key connection parameter is named after the security definition, and its
        // value is sent as the Authorization header as typed: "Bearer <token>".
        Security::BearerToken => json!({
            "api_key": {
                "type": "securestring",
                "uiDefinition": {
                    "displayName": texts.say(MessageId::ConnectorTokenName),
                    "description": texts.say(MessageId::ConnectorTokenDescription),
                    "tooltip": texts.say(MessageId::ConnectorTokenTooltip),
                    "constraints": { "tabIndex": 2, "clearText": false, "required": "true" },
                },
            },
        }),
        // The client id and secret are the maker's to enter when creating the connector;
        // a definition file carries neither.
        Security::OAuth2 {
            authorization_url,
            token_url,
        } => json!({
            "token": {
                "type": "oauthSetting",
                "oAuthSettings": {
                    "identityProvider": "oauth2",
                    "scopes": [],
                    "redirectMode": "Global",
                    "redirectUrl": REDIRECT_URL,
                    "properties": { "IsFirstParty": "False" },
                    "customParameters": {
                        "authorizationUrl": { "value": authorization_url },
                        "tokenUrl": { "value": token_url },
                        "refreshUrl": { "value": token_url },
                    },
                },
                "uiDefinition": {
                    "displayName": texts.say(MessageId::ConnectorSignIn),
                    "description": texts.say(MessageId::ConnectorSignIn),
                    "tooltip": texts.say(MessageId::ConnectorSignIn),
                    "constraints": { "required": "true" },
                },
            },
        }),
    };
    let publisher = &definitions.solution.publisher;
    let publisher_name = texts.label_or(&publisher.names, &publisher.unique_name);
    json!({
        "properties": {
            "connectionParameters": connection,
            "iconBrandColor": ICON_BRAND_COLOR,
            "capabilities": ["actions"],
            "publisher": publisher_name,
            "stackOwner": publisher_name,
            "policyTemplateInstances": [],
        },
    })
}
