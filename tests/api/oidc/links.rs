//! The links API (staff account ↔ provider subject) and its refusals, on both databases; no
//! subject, name, e-mail or client secret in the logs.

use super::*;

/// Every refusal of the links API, with its code, and no row changed.
pub(super) async fn links_api_refusals(db: Option<String>) {
    let (env, _idp) = start(db).await;
    let body = |account: &str, provider: &str| json!({"account": account, "provider": provider, "subject": CF});
    let nobody = env.anonymous();
    let operator = env.operator().await;
    let official = env.official().await;
    let useradmin = env.user_admin().await;
    let admin = env.inps_admin().await;
    let r = link(&admin, &body("operatore.alghero", "spid")).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let before = link_count(&env).await;

    let mut cases = vec![(
        &nobody,
        link_request(&nobody, &body("operatore.villanova", "spid")).await,
        401,
        "unauthenticated",
    )];
    for c in [&operator, &official] {
        let link = link_request(c, &body("operatore.villanova", "spid")).await;
        cases.push((c, link, 403, "forbidden"));
        let unlink = unlink_request(c, "spid", "operatore.alghero").await;
        cases.push((c, unlink, 403, "forbidden"));
    }
    // The user administrator: only operators of their own comune.
    for account in ["operatore.alghero", "admin.inps", "utenze.villanova"] {
        let link = link_request(&useradmin, &body(account, "spid")).await;
        cases.push((&useradmin, link, 403, "forbidden"));
    }
    let subject = |subject: &str| json!({"account": "operatore.villanova", "provider": "spid", "subject": subject});
    let long = "x".repeat(256);
    let raw = |text: &str| Request::post_text("/v1/identity/oidc-links", text);
    cases.extend([
        (
            &useradmin,
            unlink_request(&useradmin, "spid", "operatore.alghero").await,
            403,
            "forbidden",
        ),
        (
            &admin,
            link_request(&admin, &body("operatore.villanova", "nessuno")).await,
            404,
            "unknown_provider",
        ),
        (
            &admin,
            unlink_request(&admin, "nessuno", "operatore.alghero").await,
            404,
            "unknown_provider",
        ),
        (
            &admin,
            link_request(&admin, &body("operatore.nessuno", "spid")).await,
            404,
            "unknown_account",
        ),
        (
            &admin,
            unlink_request(&admin, "spid", "operatore.nessuno").await,
            404,
            "unknown_account",
        ),
        (
            &admin,
            link_request(&admin, &body("Operatore Villanova", "spid")).await,
            400,
            "bad_account_id",
        ),
        (
            &admin,
            link_request(&admin, &subject("")).await,
            400,
            "bad_subject",
        ),
        (
            &admin,
            link_request(&admin, &subject("a\u{7}b")).await,
            400,
            "bad_subject",
        ),
        (
            &admin,
            link_request(&admin, &subject(&long)).await,
            400,
            "bad_subject",
        ),
        (
            &admin,
            with_csrf(&admin, raw("{not json")).await,
            400,
            "bad_json",
        ),
        (
            &admin,
            with_csrf(
                &admin,
                raw(&json!({"account": "operatore.villanova", "provider": "spid"}).to_string()),
            )
            .await,
            422,
            "bad_request_body",
        ),
    ]);
    expect_errors("links", &cases).await;
    // The same person for another account: conflict.
    link(&admin, &body("operatore.villanova", "spid"))
        .await
        .expect_error(409, "already_linked");
    assert_eq!(link_count(&env).await, before);

    // The raw subject is not stored: only its hash.
    let rows: Vec<(String, String, String, String)> =
        sqlx::query_as("SELECT provider, subject_hash, account, created_by FROM staff_oidc_links")
            .fetch_all(env.pool())
            .await
            .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "spid");
    assert_eq!(rows[0].1.len(), 64);
    assert_eq!(rows[0].2, "operatore.alghero");
    assert_eq!(rows[0].3, "admin.inps");
    assert!(!format!("{rows:?}").contains(CF));

    // Denied attempts are audited, with the account only when it exists.
    let (denied,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'oidc_link.%' AND outcome = 'denied'",
    )
    .fetch_one(env.pool())
    .await
    .unwrap();
    assert_eq!(denied, 8);
    let text = audit_text(&env).await;
    assert!(!text.contains(CF), "{text}");
    assert!(!text.contains("operatore.nessuno"), "{text}");

    // The INPS administrator removes the link (204, and 204 again: nothing left).
    let r = unlink(&admin, "spid", "operatore.alghero").await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(link_count(&env).await, 0);
    let r = unlink(&admin, "spid", "operatore.alghero").await;
    assert_eq!(r.status, 204, "{}", r.text);
    env.stop().await;
}

/// The subject, the names, the e-mail and the client secret never reach the logs (TRACE level),
/// through successful and refused logins and the links API.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_personal_data_or_secret_in_logs() {
    let capture = crate::support::logs::capture();

    let (env, idp) = start(None).await;
    let admin = env.inps_admin().await;
    for (provider, subject) in [("spid", CF), ("cie", SUB)] {
        let r = link(
            &admin,
            &json!({"account": "operatore.villanova", "provider": provider, "subject": subject}),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    idp.set(Token::person(SUB, CF));
    for provider in ["spid", "cie"] {
        let r = login(&env, &idp, provider, "/").await;
        assert!(r.cookie("sportello_session").is_some(), "{}", r.text);
    }
    // Each bad token is refused for its own reason (the error kind in the log).
    let good = Token::person(SUB, CF);
    for bad in [
        Token {
            forged: true,
            ..good.clone()
        },
        Token {
            aud: Some("someone-else".into()),
            ..good.clone()
        },
        Token {
            expires_in: -3600,
            ..good.clone()
        },
        Token {
            nonce: Some("another-nonce".into()),
            ..good.clone()
        },
        Token {
            iss: Some("http://127.0.0.1:9".into()),
            ..good.clone()
        },
    ] {
        idp.set(bad);
        assert_refused(&login(&env, &idp, "spid", "/").await, "oidc_failed");
    }
    idp.set(Token::person("someone-else", "BNCLRA92P55I452E"));
    assert_refused(&login(&env, &idp, "spid", "/").await, "oidc_not_linked");
    let r = unlink(&admin, "spid", "operatore.villanova").await;
    assert_eq!(r.status, 204, "{}", r.text);
    env.stop().await;

    let logs = capture.text();
    assert!(logs.contains("OIDC login refused"), "the capture works");
    assert!(
        logs.contains("id_token_signature"),
        "the error kind is logged"
    );
    for secret in [
        CF,
        SUB,
        "BNCLRA92P55I452E",
        "someone-else",
        "Mario",
        "Rossi",
        "mario.rossi",
        crate::support::oidc::CLIENT_SECRET,
    ] {
        assert!(!logs.contains(secret), "{secret} in the logs");
    }
}
