//! The baseline: a bare axum handler that answers the reverse action's request with the same
//! JSON the server returns, on the same kind of runtime, in a process of its own.

use axum::body::Bytes;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// Set in the environment of the child process that serves the baseline.
pub(crate) const ROLE: &str = "SWITCHBOARD_LOAD_BARE";

/// Serves the bare handler on an ephemeral port, printing `listening on http://ADDR`.
pub(crate) fn serve() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("an address");
        println!("listening on http://{addr}");
        let context = format!(
            "http://{addr}/api/data/v9.2/$metadata#Microsoft.Dynamics.CRM.sb_ReverseResponse"
        );
        let app = axum::Router::new().route(
            "/api/data/v9.2/sb_Reverse",
            axum::routing::post(move |body: Bytes| {
                let context = context.clone();
                async move { reverse(&context, &body) }
            }),
        );
        axum::serve(listener, app).await.expect("serve");
    });
}

/// What `sb_Reverse` answers: the reversed `StringParameter`.
fn reverse(context: &str, body: &[u8]) -> Response {
    let input: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let text = input["StringParameter"].as_str().unwrap_or_default();
    let json = serde_json::json!({
        "@odata.context": context,
        "StringProperty": text.chars().rev().collect::<String>(),
    });
    let mut response = json.to_string().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; odata.metadata=minimal"),
    );
    response
        .headers_mut()
        .insert("OData-Version", HeaderValue::from_static("4.0"));
    response
}
