//! `private_key_jwt`: the token request carries a client assertion signed with our key, which
//! the test provider checks (signature with the registered public key, `iss`/`sub`, `aud`,
//! expiry, `jti` once); a wrong key is refused.

use super::*;
use crate::support::oidc::{CLIENT_KID, SPID_L2, client_key, forger_key, pem};
use sportello::identity::oidc::client_auth::{AssertionKey, JWT_BEARER};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_key_jwt_logs_in_and_a_wrong_key_is_refused() {
    let (env, idp) = start_linked_at("spid-l2").await;
    let admin = env.inps_admin().await;
    let r = link(
        &admin,
        &json!({"account": "operatore.villanova", "provider": "chiave-errata", "subject": CF}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    idp.set(Token {
        acr: Some(SPID_L2.to_owned()),
        ..Token::person(SUB, CF)
    });

    let r = login(&env, &idp, "spid-l2", "/operatore").await;
    assert_eq!(r.header("location"), Some("/operatore"), "{}", r.text);
    assert!(r.cookie("sportello_session").is_some());
    assert_eq!(idp.assertions_accepted(), 1);
    assert!(idp.refused().is_empty(), "{:?}", idp.refused());

    // Our assertion signed with a key the provider does not know.
    let r = login(&env, &idp, "chiave-errata", "/").await;
    assert_refused(&r, "oidc_failed");
    assert_eq!(idp.refused(), ["client_assertion_signature"]);
    assert_eq!(idp.assertions_accepted(), 1);

    // A second login makes a fresh assertion (a new jti).
    let r = login(&env, &idp, "spid-l2", "/").await;
    assert!(r.cookie("sportello_session").is_some(), "{}", r.text);
    assert_eq!(idp.assertions_accepted(), 2);
    env.stop().await;
}

/// The test provider's checks refuse each bad assertion (so the login test above is real).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_test_provider_refuses_bad_client_assertions() {
    let idp = TestProvider::start().await;
    let ours =
        AssertionKey::from_pem(pem(client_key()).as_bytes(), Some(CLIENT_KID.into())).unwrap();
    let other =
        AssertionKey::from_pem(pem(forger_key()).as_bytes(), Some(CLIENT_KID.into())).unwrap();
    let unregistered =
        AssertionKey::from_pem(pem(client_key()).as_bytes(), Some("another-kid".into())).unwrap();
    let now = chrono::Utc::now().timestamp();
    let aud = idp.token_endpoint();
    let http = reqwest::Client::new();
    let post = |assertion: String| {
        let http = http.clone();
        let aud = aud.clone();
        async move {
            let r = http
                .post(aud)
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("code", "not-a-code"),
                    ("client_id", CLIENT_ID),
                    ("client_assertion_type", JWT_BEARER),
                    ("client_assertion", assertion.as_str()),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 400);
            serde_json::from_str::<Value>(&r.text().await.unwrap()).unwrap()["error_description"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let good = ours.assertion(CLIENT_ID, &aud, now).unwrap();
    let cases = [
        (
            other.assertion(CLIENT_ID, &aud, now).unwrap(),
            "client_assertion_signature",
        ),
        (
            unregistered.assertion(CLIENT_ID, &aud, now).unwrap(),
            "client_assertion_key",
        ),
        (
            ours.assertion("someone-else", &aud, now).unwrap(),
            "client_assertion_issuer",
        ),
        (
            ours.assertion(CLIENT_ID, &idp.issuer(), now).unwrap(),
            "client_assertion_audience",
        ),
        (
            ours.assertion(CLIENT_ID, &aud, now - 600).unwrap(),
            "client_assertion_expiry",
        ),
        ("not.a.jwt".to_owned(), "client_assertion_format"),
        // A good assertion passes client authentication (then the code is refused)…
        (good.clone(), "code"),
        // …but only once.
        (good, "client_assertion_replay"),
    ];
    for (assertion, why) in cases {
        assert_eq!(post(assertion).await, why);
    }
}
