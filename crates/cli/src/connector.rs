//! `switchboard connector export`: a solution's public custom APIs written as a Logic Apps /
//! Power Automate custom connector, from the database, without a server.

use std::path::Path;
use std::process::ExitCode;

use switchboard_connector::{
    BaseUrl, DEFINITION_FILE, OPENAPI_FILE, Options, PROPERTIES_FILE, RespondAsync, Security,
};
use switchboard_locale::Localizer;
use switchboard_model::{BASE_LANGUAGE, Message, MessageId};
use switchboard_store::Store;

use crate::output::out;
use crate::{ConnectorCommand, ConnectorFormat, DEFAULT_LISTEN};

/// Runs one `connector` subcommand.
pub(crate) async fn run(l: &Localizer, store: &Store, command: &ConnectorCommand) -> ExitCode {
    let ConnectorCommand::Export {
        solution,
        out: folder,
        language,
        base_url,
        format,
        respond_async,
        oauth_authorization_url,
        oauth_token_url,
    } = command;
    let fail = |message: &Message| {
        eprintln!(
            "{}: {}",
            l.render(&Message::new(MessageId::CliError)),
            l.render(message)
        );
        ExitCode::FAILURE
    };
    let language = language.unwrap_or(BASE_LANGUAGE);
    if switchboard_locale::lcid::to_bcp47(language).is_none() {
        return fail(&Message::new(MessageId::LabelsUnknownLanguage).arg("code", language));
    }
    let base_url = match base_url {
        Some(url) => BaseUrl::parse(url),
        None => BaseUrl::parse(&format!("http://{DEFAULT_LISTEN}")),
    };
    let base_url = match base_url {
        Ok(url) => url,
        Err(m) => return fail(&m),
    };
    let security = match (oauth_authorization_url, oauth_token_url) {
        (Some(authorization_url), Some(token_url)) => Security::OAuth2 {
            authorization_url: authorization_url.clone(),
            token_url: token_url.clone(),
        },
        _ => Security::BearerToken,
    };
    let options = Options {
        language,
        base_url,
        respond_async: respond_async
            .as_deref()
            .map_or(RespondAsync::None, RespondAsync::parse),
        security,
    };
    let definitions = match switchboard_engine::connector::definitions(store, solution).await {
        Ok(Some(d)) => d,
        Ok(None) => {
            return fail(&Message::new(MessageId::ConnectorUnknownSolution).arg("name", solution));
        }
        Err(e) => {
            eprintln!("{}: {e}", l.render(&Message::new(MessageId::CliError)));
            return ExitCode::FAILURE;
        }
    };
    let documents = match format {
        ConnectorFormat::Swagger => {
            switchboard_connector::swagger(&definitions, &options).map(|definition| {
                vec![
                    (DEFINITION_FILE, definition),
                    (
                        PROPERTIES_FILE,
                        switchboard_connector::api_properties(&definitions, &options),
                    ),
                ]
            })
        }
        ConnectorFormat::Openapi3 => switchboard_connector::openapi3(&definitions, &options)
            .map(|document| vec![(OPENAPI_FILE, document)]),
    };
    let files = match documents.and_then(|docs| {
        docs.into_iter()
            .map(|(name, doc)| switchboard_connector::to_file(&doc).map(|bytes| (name, bytes)))
            .collect::<Result<Vec<_>, Message>>()
    }) {
        Ok(files) => files,
        Err(m) => return fail(&m),
    };
    // Every document is made before any is written: a refusal leaves the folder as it was.
    for (name, bytes) in files {
        let path = folder.join(name);
        if let Err(e) = write(folder, &path, &bytes) {
            eprintln!(
                "{}: {}: {e}",
                l.render(&Message::new(MessageId::CliError)),
                path.display()
            );
            return ExitCode::FAILURE;
        }
        out(&l.render(&Message::new(MessageId::ConnectorWritten).arg("path", path.display())));
    }
    ExitCode::SUCCESS
}

fn write(folder: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(folder)?;
    std::fs::write(path, bytes)
}
