//! Bad ID tokens, and bad or replayed `state`, are refused with their `errore` code.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_id_tokens_are_refused() {
    let (env, idp, _admin) = start_linked().await;
    let good = Token::person(SUB, CF);
    let cases = [
        (
            "forged",
            Token {
                forged: true,
                ..good.clone()
            },
        ),
        (
            "audience",
            Token {
                aud: Some("someone-else".into()),
                ..good.clone()
            },
        ),
        (
            "expired",
            Token {
                expires_in: -3600,
                ..good.clone()
            },
        ),
        (
            "nonce",
            Token {
                nonce: Some("another-nonce".into()),
                ..good.clone()
            },
        ),
        (
            "issuer",
            Token {
                iss: Some("http://127.0.0.1:9".into()),
                ..good.clone()
            },
        ),
        (
            "no subject claim",
            Token {
                extra: json!({}),
                ..good.clone()
            },
        ),
    ];
    for (what, token) in cases {
        idp.set(token);
        let r = login(&env, &idp, "spid", "/").await;
        assert_eq!(
            r.header("location"),
            Some("/accesso?errore=oidc_failed"),
            "{what}"
        );
        assert_refused(&r, "oidc_failed");
    }
    // A provider error with a valid state.
    idp.set(good.clone());
    let a = attempt(&env, &idp, "spid", "/").await;
    let state = a.callback.split("state=").nth(1).unwrap().to_owned();
    let r = finish(
        &env,
        &format!("/v1/oidc/spid/callback?error=access_denied&state={state}"),
        Some(a.cookie.clone()),
    )
    .await;
    assert_refused(&r, "oidc_failed");
    // A code the provider does not know (the token request is refused by the provider).
    let a = attempt(&env, &idp, "spid", "/").await;
    let state = a.callback.split("state=").nth(1).unwrap().to_owned();
    let r = finish(
        &env,
        &format!("/v1/oidc/spid/callback?code=not-a-code&state={state}"),
        Some(a.cookie),
    )
    .await;
    assert_refused(&r, "oidc_failed");
    assert_eq!(idp.refused(), ["code"]);
    // After all that, the good token still logs in.
    assert!(
        login(&env, &idp, "spid", "/")
            .await
            .cookie("sportello_session")
            .is_some()
    );
    let text = audit_text(&env).await;
    assert!(!text.contains(CF) && !text.contains(SUB), "{text}");
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_or_replayed_state_is_refused() {
    let (env, idp, _admin) = start_linked().await;
    idp.set(Token::person(SUB, CF));

    // Unknown state; no state.
    let a = attempt(&env, &idp, "spid", "/").await;
    let code = a
        .callback
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    let r = finish(
        &env,
        &format!("/v1/oidc/spid/callback?code={code}&state=made-up-state"),
        Some(a.cookie.clone()),
    )
    .await;
    assert_refused(&r, "oidc_state");
    let r = finish(
        &env,
        &format!("/v1/oidc/spid/callback?code={code}"),
        Some(a.cookie),
    )
    .await;
    assert_refused(&r, "oidc_state");

    // Without the binding cookie, or with another browser's: refused, and the state is used up.
    let a = attempt(&env, &idp, "spid", "/").await;
    assert_refused(&finish(&env, &a.callback, None).await, "oidc_state");
    assert_refused(
        &finish(&env, &a.callback, Some(a.cookie)).await,
        "oidc_state",
    );
    let mine = attempt(&env, &idp, "spid", "/").await;
    let theirs = attempt(&env, &idp, "spid", "/").await;
    assert_ne!(mine.cookie, theirs.cookie);
    assert_refused(
        &finish(&env, &theirs.callback, Some(mine.cookie)).await,
        "oidc_state",
    );

    // The state of one provider at another provider's callback.
    let a = attempt(&env, &idp, "spid", "/").await;
    let r = finish(
        &env,
        &a.callback.replacen("/spid/", "/cie/", 1),
        Some(a.cookie),
    )
    .await;
    assert_refused(&r, "oidc_state");

    // A replay of a successful callback.
    let a = attempt(&env, &idp, "spid", "/").await;
    let r = finish(&env, &a.callback, Some(a.cookie.clone())).await;
    assert!(r.cookie("sportello_session").is_some(), "{:?}", r.headers);
    assert_refused(
        &finish(&env, &a.callback, Some(a.cookie)).await,
        "oidc_state",
    );
    env.stop().await;
}
