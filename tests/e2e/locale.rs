//! Platform messages in the caller's language: the user's setting, else Accept-Language,
//! else en-US; the error code never changes with the language.

use crate::support::*;

#[tokio::test]
async fn errors_come_back_in_the_callers_language_with_the_same_code() {
    let s = serve_sample();
    assert!(
        run(&s.db.url, &["user", "add", "greta", "--language", "1031"])
            .status
            .success()
    );
    let greta = create_token(&s.db.url, "greta", &[]);
    let client = reqwest::Client::new();

    let english = get(&s.url("Account")).await.error(404, "0x8006088a");
    assert_eq!(english, "Resource not found for the segment 'Account'.");
    let german = send(client.get(s.url("Account")).bearer_auth(&greta))
        .await
        .error(404, "0x8006088a");
    assert_eq!(
        german,
        "Ressource für das Segment 'Account' nicht gefunden."
    );
    // The user's setting wins over the header.
    let still_german = send(
        client
            .get(s.url("Account"))
            .bearer_auth(&greta)
            .header("Accept-Language", "ja-JP"),
    )
    .await
    .error(404, "0x8006088a");
    assert_eq!(still_german, german);
    // Without a setting the header decides.
    let japanese = send(
        client
            .get(s.url("Account"))
            .header("Accept-Language", "ja;q=0.9, en;q=0.1"),
    )
    .await
    .error(404, "0x8006088a");
    assert_eq!(
        japanese,
        "セグメント 'Account' のリソースが見つかりません。"
    );
    // Before the user is known (no token), the header decides too.
    let m = send(
        client
            .get(s.url("WhoAmI"))
            .header("Authorization", "")
            .header("Accept-Language", "de"),
    )
    .await
    .error(401, "0x80040220");
    assert!(
        m.starts_with("Diese Anfrage") || !m.starts_with("This request"),
        "{m}"
    );
}

#[test]
fn the_command_line_speaks_the_users_language() {
    let db = sqlite();
    let out = std::process::Command::new(bin())
        .args(["--database", &db.url, "import", "/definitely/not/here"])
        .env("LANG", "de_DE.UTF-8")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let text = stderr(&out);
    assert!(text.starts_with("Fehler:"), "{text}");
}
