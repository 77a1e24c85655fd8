//! Races: many holds on one slot, "Prenota" retried concurrently, release racing "Prenota",
//! and the database refusing a second live claim by itself.

use super::{TUE_0830, TUE_0900, TUE_0930, TUE_1000, id};
use crate::support::{TestServer, at};

pub(super) async fn concurrent_holds_on_one_slot(db: Option<String>) {
    let env = TestServer::start(db).await;
    let ops = [env.operator().await, env.login("operatore.alghero").await];
    let mut tasks = Vec::new();
    for i in 0..200 {
        let op = ops[i % 2].clone();
        tasks.push(tokio::spawn(async move {
            op.hold("sassari-1", &at(TUE_0900), "pensioni").await
        }));
    }
    let mut created = 0;
    let mut taken = 0;
    for t in tasks {
        let r = t.await.unwrap();
        match r.status {
            201 => created += 1,
            409 => {
                r.expect_error(409, "slot_taken");
                taken += 1;
            }
            other => panic!("unexpected {other}: {}", r.text),
        }
    }
    assert_eq!((created, taken), (1, 199));
    let (live,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM reservations WHERE starts_at = $1 AND status IN ('held', 'booked')",
    )
    .bind(
        TUE_0900
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
            .timestamp(),
    )
    .fetch_one(env.pool())
    .await
    .unwrap();
    assert_eq!(live, 1);
    env.stop().await;
}

pub(super) async fn prenota_is_idempotent_under_concurrent_retries(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
    let hold = id(&op.hold("sassari-1", &at(TUE_0830), "pensioni").await.json());
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let op = op.clone();
        let hold = hold.clone();
        tasks.push(tokio::spawn(async move {
            op.confirm(&hold, "same-press").await
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        let r = t.await.unwrap();
        assert!(matches!(r.status, 200 | 201), "{}: {}", r.status, r.text);
        assert_eq!(r.json()["id"], hold.as_str());
        statuses.push(r.status);
    }
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1);
    let counts = env.row_counts().await;
    assert_eq!(counts[1], 1, "one citizen request stored");
    // The same key on another hold is refused and changes nothing.
    let other = id(&op.hold("sassari-1", &at(TUE_0900), "pensioni").await.json());
    let before = env.row_counts().await;
    op.confirm(&other, "same-press")
        .await
        .expect_error(422, "idempotency_key_reused");
    assert_eq!(env.row_counts().await, before);
    env.stop().await;
}

pub(super) async fn release_racing_prenota_never_loses_an_appointment(db: Option<String>) {
    let env = TestServer::start(db).await;
    let op = env.operator().await;
    for (round, slot) in [TUE_0830, TUE_0900, TUE_0930, TUE_1000].iter().enumerate() {
        let hold = id(&op.hold("sassari-1", &at(slot), "pensioni").await.json());
        let mut tasks = Vec::new();
        for i in 0..10 {
            let op = op.clone();
            let hold = hold.clone();
            tasks.push(tokio::spawn(async move {
                if i % 2 == 0 {
                    ("prenota", op.confirm(&hold, &format!("race-{round}")).await)
                } else {
                    (
                        "release",
                        op.delete(&format!("/v1/booking/holds/{hold}")).await,
                    )
                }
            }));
        }
        let mut confirmed = 0;
        let mut released = 0;
        for t in tasks {
            let (what, r) = t.await.unwrap();
            match (what, r.status) {
                ("prenota", 200 | 201) => confirmed += 1,
                ("prenota", 409) => {}
                ("release", 204) => released += 1,
                ("release", 409) => {}
                _ => panic!("{what}: {} {}", r.status, r.text),
            }
        }
        let status = op.get(&format!("/v1/booking/holds/{hold}")).await.json()["status"].clone();
        if status == "booked" {
            assert_eq!((confirmed, released), (5, 0), "round {round}");
        } else {
            assert_eq!(status, "released", "round {round}");
            assert_eq!(confirmed, 0, "round {round}");
        }
    }
    let counts = env.row_counts().await;
    assert_eq!(counts[1], counts[5], "one request per appointment");
    env.stop().await;
}

/// The rule holds even for code that bypasses the booking service: the unique index refuses a
/// second held or booked row for the same slot, and lets expired, released and cancelled rows be.
pub(super) async fn the_database_itself_refuses_a_second_live_claim(db: Option<String>) {
    let env = TestServer::start(db).await;
    let pool = env.pool();
    let insert = |id: &'static str, status: &'static str| {
        sqlx::query(
            "INSERT INTO reservations (id, sportello_id, starts_at, ends_at, service_code, \
             comune_istat, status, hold_expires_at, created_by, created_at) \
             VALUES ($1, 'sassari-1', 1795505400, 1795507200, 'pensioni', '090078', $2, 0, \
             'test', 0)",
        )
        .bind(id)
        .bind(status)
        .execute(pool)
    };
    for (i, status) in ["expired", "released", "cancelled", "expired"]
        .iter()
        .enumerate()
    {
        let id = ["a", "b", "c", "d"][i];
        insert(id, status).await.expect("dead claims do not count");
    }
    insert("live", "held").await.expect("the first live claim");
    for (id, status) in [("second-hold", "held"), ("second-booking", "booked")] {
        let err = insert(id, status).await.expect_err("a second live claim");
        let unique = matches!(&err, sqlx::Error::Database(e) if e.is_unique_violation());
        assert!(unique, "{err}");
    }
    env.stop().await;
}
