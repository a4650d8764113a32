//! HTTPS: `serve --tls-cert/--tls-key` and `demo --tls` with its development certificate.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::support::*;

#[tokio::test]
async fn serve_answers_the_web_api_over_https() {
    let served = serve_tls(&[&sample()]);
    assert!(
        served.base.starts_with("https://127.0.0.1:"),
        "the printed address says https: {}",
        served.base
    );
    let who = get(&served.url("WhoAmI()")).await;
    assert_eq!(who.status, 200, "{}", who.text);
    assert_eq!(who.json["UserId"], "5b0c2f6e-1d4a-4e8b-9a37-c1d2e3f4a503");
    assert_eq!(
        who.json["BusinessUnitId"],
        "5b0c2f6e-1d4a-4e8b-9a37-c1d2e3f4a502"
    );
    assert_eq!(
        who.json["@odata.context"],
        format!(
            "{}/api/data/v9.2/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse",
            served.base
        ),
        "context URLs use the scheme the client used"
    );
    // curl (OpenSSL, HTTP/2 when it offers it) trusting the same file gets the same answer.
    let cert = served.cert.as_ref().expect("an HTTPS server's certificate");
    let out = Command::new("curl")
        .arg("-sf")
        .arg("--cacert")
        .arg(cert)
        .arg("-H")
        .arg(format!("Authorization: Bearer {}", served.token))
        .arg(served.url("WhoAmI()"))
        .output()
        .expect("curl runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body, who.json);
    // The rest of the server is the same over HTTPS: calls, errors, authentication.
    let echo = post(
        &served.url("sb_Echo"),
        serde_json::json!({"StringParameter": "hi", "IntegerParameter": 3}),
    )
    .await;
    assert_eq!(echo.status, 200, "{}", echo.text);
    get(&served.url("sb_Echo")).await.error(404, "");
    let anonymous = send(
        reqwest::Client::new()
            .get(served.url("WhoAmI()"))
            .header("Authorization", "Bearer nope"),
    )
    .await;
    anonymous.error(401, "0x80040220");
    let health = get(&format!("{}/health", served.base)).await;
    assert_eq!(
        health.json,
        serde_json::json!({"status": "ok", "database": "ok"})
    );

    // Plain HTTP to the HTTPS port gets no answer.
    let plain = served.base.replacen("https://", "http://", 1);
    let refused = reqwest::Client::new()
        .get(format!("{plain}/health"))
        .timeout(Duration::from_secs(20))
        .send()
        .await;
    assert!(refused.is_err(), "plain HTTP answered: {refused:?}");
    // A client that does not trust the certificate refuses the server.
    let untrusted = reqwest::Client::new()
        .get(format!("{}/health", served.base))
        .timeout(Duration::from_secs(20))
        .send()
        .await;
    assert!(untrusted.is_err(), "untrusted certificate accepted");
}

#[test]
fn serve_refuses_unusable_certificate_files_naming_them() {
    let db = sqlite();
    let dir = tempfile::tempdir().unwrap();
    let dev = switchboard_server::tls::dev_certificate(dir.path()).unwrap();
    let not_pem = dir.path().join("not-pem.txt");
    std::fs::write(&not_pem, "hello").unwrap();
    let missing = dir.path().join("missing.pem");
    let serve = |cert: &Path, key: &Path| {
        let cert = cert.display().to_string();
        let key = key.display().to_string();
        run(
            &db.url,
            &[
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--tls-cert",
                &cert,
                "--tls-key",
                &key,
            ],
        )
    };
    for (cert, key, named, says) in [
        (&missing, &dev.key, &missing, "cannot read"),
        (&dev.cert, &missing, &missing, "cannot read"),
        (&not_pem, &dev.key, &not_pem, "holds no PEM certificate"),
        (&dev.cert, &dev.cert, &dev.cert, "holds no PEM private key"),
    ] {
        let out = serve(cert, key);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains(&named.display().to_string()) && err.contains(says),
            "names {}: {err}",
            named.display()
        );
    }
    // A key of another certificate.
    let other = tempfile::tempdir().unwrap();
    let other = switchboard_server::tls::dev_certificate(other.path()).unwrap();
    let out = serve(&dev.cert, &other.key);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&other.key.display().to_string()),
        "{}",
        stderr(&out)
    );
    // Both flags or neither: a usage error.
    let out = run(&db.url, &["serve", "--tls-cert", "cert.pem"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--tls-key"), "{}", stderr(&out));
}

#[tokio::test]
async fn demo_tls_creates_its_certificate_once_and_serves_https() {
    let cwd = tempfile::tempdir().unwrap();
    let (solutions, _) = sample_copy();
    let expected = cwd.path().join("switchboard-data/tls/dev-cert.pem");
    let mut first: Option<Vec<u8>> = None;
    for round in 0..2 {
        let mut cmd = Command::new(bin());
        cmd.current_dir(cwd.path())
            .args(["demo", "--tls", "--listen", "127.0.0.1:0", "--solutions"])
            .arg(solutions.path());
        let (server, base, lines) = crate::server::start(cmd);
        let text = lines.join("\n");
        assert!(base.starts_with("https://127.0.0.1:"), "{base}");
        let printed = text
            .lines()
            .find_map(|l| l.split("127.0.0.1 and localhost: ").nth(1))
            .unwrap_or_else(|| panic!("round {round}: no certificate path printed:\n{text}"));
        assert_eq!(
            Path::new(printed.trim()).canonicalize().unwrap(),
            expected.canonicalize().unwrap(),
            "round {round}"
        );
        assert!(
            text.contains(&format!("curl --cacert {}", printed.trim()))
                && text.contains(&format!("REQUESTS_CA_BUNDLE={}", printed.trim())),
            "how to trust it:\n{text}"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let key = cwd.path().join("switchboard-data/tls/dev-key.pem");
            let mode = std::fs::metadata(key).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "the key is private");
        }
        let pem = std::fs::read(&expected).unwrap();
        match &first {
            None => first = Some(pem),
            Some(before) => assert_eq!(before, &pem, "the second start reuses the certificate"),
        }
        // The printed curl lines trust the certificate and work as printed.
        let curls = run_printed_curls(&text, &base);
        assert!(curls.len() >= 4, "the demo's calls and health:\n{text}");
        for (command, body) in &curls {
            assert!(command.contains("--cacert '"), "{command}");
            if body.contains("@odata.context") {
                assert!(body.contains("\"@odata.context\":\"https://"), "{body}");
            }
        }
        drop(server);
    }
}
