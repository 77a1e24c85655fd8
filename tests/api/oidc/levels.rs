//! The authentication level (`acr`): asked with `acr_values` where configured, and an ID token
//! whose level is missing or not accepted refused with `oidc_acr` (audited like every refusal).

use super::*;
use crate::support::oidc::{SPID_L1, SPID_L2, SPID_L3};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acr_too_low_or_missing_is_refused() {
    let (env, idp) = start_linked_at("spid-l2").await;
    let with_acr = |acr: Option<&str>| Token {
        acr: acr.map(str::to_owned),
        ..Token::person(SUB, CF)
    };

    let denied = denied_logins(&env).await;
    for (what, acr) in [
        ("level 1", Some(SPID_L1)),
        ("no acr", None),
        ("other", Some("L2")),
    ] {
        idp.set(with_acr(acr));
        let r = login(&env, &idp, "spid-l2", "/").await;
        assert_refused(&r, "oidc_acr");
        assert_eq!(
            idp.last_acr_values().as_deref(),
            Some(format!("{SPID_L2} {SPID_L3}").as_str()),
            "{what}"
        );
    }
    assert_eq!(denied_logins(&env).await, denied + 3);

    // Level 2 and level 3 are accepted.
    for acr in [SPID_L2, SPID_L3] {
        idp.set(with_acr(Some(acr)));
        let r = login(&env, &idp, "spid-l2", "/operatore").await;
        assert_eq!(
            r.header("location"),
            Some("/operatore"),
            "{acr}: {}",
            r.text
        );
        assert!(r.cookie("sportello_session").is_some(), "{acr}");
    }

    // A provider without `acr_values` neither asks nor checks (existing configurations).
    let admin = env.inps_admin().await;
    let r = link(
        &admin,
        &json!({"account": "operatore.villanova", "provider": "spid", "subject": CF}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    idp.set(with_acr(Some(SPID_L1)));
    let r = login(&env, &idp, "spid", "/").await;
    assert!(r.cookie("sportello_session").is_some(), "{}", r.text);
    assert_eq!(idp.last_acr_values(), None);

    let text = audit_text(&env).await;
    assert!(!text.contains(CF) && !text.contains(SUB), "{text}");
    env.stop().await;
}
