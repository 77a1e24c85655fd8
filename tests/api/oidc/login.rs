//! Providers listed, a login that opens a session and returns to `torna`, unlinked and
//! revoked accounts refused.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn providers_are_listed_and_unknown_or_unavailable_ones_refused() {
    let (env, _idp) = start(None).await;
    let r = env.anonymous().get("/v1/oidc/providers").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json(),
        json!([
            {"name": "spid", "label": "Entra con SPID"},
            {"name": "cie", "label": "Entra con CIE"}
        ])
    );
    env.anonymous()
        .get("/v1/oidc/nessuno/start")
        .await
        .expect_error(404, "unknown_provider");
    env.anonymous()
        .get("/v1/oidc/nessuno/callback?code=x&state=y")
        .await
        .expect_error(404, "unknown_provider");
    env.anonymous()
        .get("/v1/oidc/rotto/start")
        .await
        .expect_error(503, "provider_unavailable");
    env.stop().await;

    // No configuration: no providers, the list still answers.
    let env = TestServer::start(None).await;
    let r = env.anonymous().get("/v1/oidc/providers").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!([]));
    env.anonymous()
        .get("/v1/oidc/spid/start")
        .await
        .expect_error(404, "unknown_provider");
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_opens_a_session_and_returns_to_torna() {
    let (env, idp, admin) = start_linked().await;
    // The same link again: 200, nothing added.
    let r = link(
        &admin,
        &json!({"account": "operatore.villanova", "provider": "spid", "subject": CF}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(link_count(&env).await, 1);

    idp.set(Token::person(SUB, CF));
    let r = login(&env, &idp, "spid", "/operatore?giorno=oggi").await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert_eq!(r.header("location"), Some("/operatore?giorno=oggi"));
    let cookie = r.cookie("sportello_session").expect("a session cookie");
    let set = r.header("set-cookie").unwrap();
    assert!(set.contains("HttpOnly") && set.contains("Secure"), "{set}");
    let mut c = env.anonymous();
    c.cookie = Some(cookie);
    let s = c.get("/v1/session").await;
    assert_eq!(s.status, 200, "{}", s.text);
    assert_eq!(s.json()["subject"], "operatore.villanova");
    assert_eq!(s.json()["role"], "operator");

    // A return path that is not same-origin is ignored.
    for torna in ["//evil.example", "https://evil.example/", "/\\evil.example"] {
        let r = login(&env, &idp, "spid", &urlencode(torna)).await;
        assert_eq!(r.status, 303, "{}", r.text);
        assert_eq!(r.header("location"), Some("/"), "{torna}");
        assert!(r.cookie("sportello_session").is_some());
    }

    // The CIE provider identifies by `sub`: that person is not linked there.
    assert_refused(&login(&env, &idp, "cie", "/").await, "oidc_not_linked");
    let r = link(
        &admin,
        &json!({"account": "funzionario.sassari", "provider": "cie", "subject": SUB}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = login(&env, &idp, "cie", "/").await;
    assert_eq!(r.header("location"), Some("/"), "{}", r.text);
    let mut c = env.anonymous();
    c.cookie = r.cookie("sportello_session");
    assert_eq!(
        c.get("/v1/session").await.json()["subject"],
        "funzionario.sassari"
    );
    assert!(idp.refused().is_empty(), "{:?}", idp.refused());

    // Audit: the logins with their accounts, never the person.
    let text = audit_text(&env).await;
    assert!(text.contains("session.login"), "{text}");
    assert!(text.contains("oidc_link.create"), "{text}");
    for personal in [CF, SUB, "Mario", "Rossi", "mario.rossi"] {
        assert!(!text.contains(personal), "{personal} in {text}");
    }
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unlinked_and_revoked_accounts_are_refused() {
    let (env, idp) = start(None).await;
    idp.set(Token::person(SUB, CF));
    assert_refused(&login(&env, &idp, "spid", "/").await, "oidc_not_linked");

    let useradmin = env.user_admin().await;
    let r = link(
        &useradmin,
        &json!({"account": "operatore.villanova", "provider": "spid", "subject": CF}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let revoke = Request::raw(
        "POST",
        "/v1/identity/operators/operatore.villanova/revoke",
        "{}",
    );
    let revoke = with_csrf(&useradmin, revoke)
        .await
        .header("Content-Type", "application/json");
    let r = useradmin.request(&revoke).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_refused(&login(&env, &idp, "spid", "/").await, "account_revoked");
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'session.login' AND outcome = 'denied' \
         AND actor_subject = 'operatore.villanova' AND target = 'operatore.villanova'",
    )
    .fetch_one(env.pool())
    .await
    .unwrap();
    assert_eq!(n, 1);

    // Unlinked again: not linked.
    let r = unlink(&useradmin, "spid", "operatore.villanova").await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(link_count(&env).await, 0);
    assert_refused(&login(&env, &idp, "spid", "/").await, "oidc_not_linked");
    let text = audit_text(&env).await;
    assert!(text.contains("oidc_link.delete"), "{text}");
    assert!(!text.contains(CF) && !text.contains(SUB), "{text}");
    env.stop().await;
}
