//! Key rotation at the provider: an ID token signed with a key id we do not know makes the
//! server refetch the JWKS (at most once a minute per provider) and check again, so a new key
//! works without a restart while unknown keys stay refused.

use super::*;
use crate::support::oidc::ROTATED_KID;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_key_is_fetched_once_and_unknown_keys_stay_refused() {
    let (env, idp, _admin) = start_linked().await;
    let good = Token::person(SUB, CF);
    idp.set(good.clone());
    let logged_in = |r: &Response| r.cookie("sportello_session").is_some();
    assert!(logged_in(&login(&env, &idp, "spid", "/").await));
    let fetches = idp.jwks_fetches();

    // The provider rotates its key: the next login refetches the JWKS once and works.
    idp.rotate();
    let r = login(&env, &idp, "spid", "/").await;
    assert!(logged_in(&r), "{:?}", r.headers);
    assert_eq!(idp.jwks_fetches(), fetches + 1);
    assert!(logged_in(&login(&env, &idp, "spid", "/").await));
    assert_eq!(idp.jwks_fetches(), fetches + 1);

    // Tokens under made-up key ids, or the old key, are refused without more fetches (the
    // JWKS was refetched less than a minute ago).
    for i in 0..10 {
        idp.set(Token {
            forged: true,
            kid: Some(format!("made-up-{i}")),
            ..good.clone()
        });
        assert_refused(&login(&env, &idp, "spid", "/").await, "oidc_failed");
    }
    idp.set(Token {
        kid: Some("test-key-1".into()),
        forged: true,
        ..good.clone()
    });
    assert_refused(&login(&env, &idp, "spid", "/").await, "oidc_failed");
    // A forgery under the new key id is a bad signature.
    idp.set(Token {
        kid: Some(ROTATED_KID.into()),
        forged: true,
        ..good.clone()
    });
    assert_refused(&login(&env, &idp, "spid", "/").await, "oidc_failed");
    assert_eq!(idp.jwks_fetches(), fetches + 1);

    // Another provider at the same issuer keeps its own keys and window: it refetches once too.
    let admin = env.inps_admin().await;
    let r = link(
        &admin,
        &json!({"account": "funzionario.sassari", "provider": "cie", "subject": SUB}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    idp.set(good.clone());
    assert!(logged_in(&login(&env, &idp, "cie", "/").await));
    assert_eq!(idp.jwks_fetches(), fetches + 2);

    // The good token still logs in.
    assert!(logged_in(&login(&env, &idp, "spid", "/").await));
    assert_eq!(idp.jwks_fetches(), fetches + 2);
    env.stop().await;
}
