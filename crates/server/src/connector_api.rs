//! `GET /api/connector/{solution}/apiDefinition.swagger.json`, `…/apiProperties.json` and
//! `…/openapi.json`: a solution's public custom APIs as a Logic Apps / Power Automate custom
//! connector, for this server. Query options: `language` (an LCID; default the base
//! language) and `respondAsync` (`all` or unique names, comma-separated).

use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use switchboard_connector::{
    BaseUrl, DEFINITION_FILE, OPENAPI_FILE, Options, PROPERTIES_FILE, RespondAsync, Security,
};
use switchboard_model::{BASE_LANGUAGE, Message, MessageId};
use switchboard_odata::query::QueryError;
use switchboard_odata::{ErrorKind, ODataError};

use crate::AppState;
use crate::errors::ApiError;
use crate::identity::CallerIdentity;
use crate::request::{err, request_host, require};

type Result<T> = std::result::Result<T, ODataError>;

/// The handler of `/api/connector/{solution}/{file}`: authenticated like the Web API, and
/// readable by whoever may read the `customapi` table (the definitions it publishes).
pub(crate) async fn handle(
    State(state): State<AppState>,
    CallerIdentity(caller): CallerIdentity,
    Path((solution, file)): Path<(String, String)>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Response {
    let result = async {
        require(
            &caller,
            &switchboard_engine::definitions::read_privilege("customapi"),
            "customapi",
        )?;
        let options = options(&state, &uri, &headers)?;
        let definitions = state
            .engine
            .connector_definitions(&solution)
            .await
            .map_err(|e| ODataError::internal(format_args!("reading solution {solution}: {e}")))?
            .ok_or_else(|| {
                err(
                    ErrorKind::ResourceNotFound,
                    Message::new(MessageId::ConnectorUnknownSolution).arg("name", &solution),
                )
            })?;
        let refused = |m| err(ErrorKind::BadQueryOption, m);
        let document = match file.as_str() {
            DEFINITION_FILE => switchboard_connector::swagger(&definitions, &options),
            OPENAPI_FILE => switchboard_connector::openapi3(&definitions, &options),
            PROPERTIES_FILE => Ok(switchboard_connector::api_properties(
                &definitions,
                &options,
            )),
            _ => {
                return Err(err(
                    ErrorKind::NoHttpResource,
                    Message::new(MessageId::ODataNoHttpResource).arg("uri", uri.path()),
                ));
            }
        }
        .map_err(refused)?;
        let bytes = switchboard_connector::to_file(&document).map_err(refused)?;
        let mut response = (StatusCode::OK, bytes).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        Ok(response)
    }
    .await;
    result.unwrap_or_else(|error| {
        let accept_language = crate::accept_language(&headers);
        let localizer = state.engine.locales.pick(caller.language, accept_language);
        ApiError { error, localizer }.into_response()
    })
}

/// The documents' options: language and respond-async from the query string, the base URL
/// from how the request reached the server (its scheme and `Host`), bearer tokens.
fn options(state: &AppState, uri: &axum::http::Uri, headers: &HeaderMap) -> Result<Options> {
    let parsed = switchboard_odata::url::parse("", uri.query())?;
    let mut language = BASE_LANGUAGE;
    let mut respond_async = RespondAsync::None;
    let given = parsed.options.iter().map(|(n, v)| (n, v));
    for (name, value) in given.chain(&parsed.aliases) {
        match name.as_str() {
            "language" => {
                language = value
                    .trim()
                    .parse()
                    .ok()
                    .filter(|l| switchboard_locale::lcid::to_bcp47(*l).is_some())
                    .ok_or_else(|| {
                        err(
                            ErrorKind::BadQueryOption,
                            Message::new(MessageId::LabelsUnknownLanguage).arg("code", value),
                        )
                    })?;
            }
            "respondAsync" => respond_async = RespondAsync::parse(value),
            _ => {
                return Err(QueryError::new(
                    name.as_str(),
                    "the connector documents take only language and respondAsync",
                )
                .into());
            }
        }
    }
    // `--public-url` when set (behind a proxy), else the request's own scheme and host.
    let base_url = match &state.public_url {
        Some(public) => BaseUrl::parse(public),
        None => BaseUrl::for_host(state.tls.is_some(), request_host(headers, uri)),
    }
    .map_err(|m| err(ErrorKind::BadQueryOption, m))?;
    Ok(Options {
        language,
        base_url,
        respond_async,
        security: Security::BearerToken,
    })
}
