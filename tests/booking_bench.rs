//! Booking throughput, through the HTTP API, on SQLite and PostgreSQL: hold + "Prenota" one at
//! a time, 16 concurrent workers on distinct slots, and the contended case (200 concurrent holds
//! on one slot, repeated). Ignored in the normal suite; run with
//!
//! ```text
//! cargo test -p sportello --test booking_bench -- --ignored --nocapture
//! ```

#[path = "support/mod.rs"]
mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{Duration as Days, NaiveDate};
use support::{Client, PgCluster, TestServer};

const SEQUENTIAL: usize = 200;
const CONCURRENT: usize = 400;
const WORKERS: usize = 16;
const ROUNDS: usize = 10;
const CONTENDERS: usize = 200;

/// Demo operators and a sportello each may book. An operator account may hold only a few slots
/// at a time, so the concurrent workers are spread over five comuni (at most 4 per account).
const OPERATORS: [(&str, &str, &str); 5] = [
    ("operatore.villanova", "sassari-1", "pensioni"),
    ("operatore.alghero", "sassari-2", "naspi"),
    ("operatore.pescasseroli", "laquila-1", "pensioni"),
    ("operatore.ostana", "cuneo-1", "pensioni"),
    ("operatore.civita", "cosenza-1", "pensioni"),
];

#[derive(Debug)]
struct Slot {
    sportello: &'static str,
    service: &'static str,
    starts_at: String,
}

type Queue = Arc<Mutex<Vec<Slot>>>;

/// `n` free slots of one sportello, from the day after the test clock's start.
async fn free_slots(
    op: &Client,
    sportello: &'static str,
    service: &'static str,
    n: usize,
) -> Vec<Slot> {
    let mut out = Vec::new();
    let mut from = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    while out.len() < n {
        let to = from + Days::days(30);
        let r = op
            .get(&format!(
                "/v1/booking/sportelli/{sportello}/slots?from={from}&to={to}"
            ))
            .await
            .json();
        for s in r["slots"].as_array().unwrap() {
            out.push(Slot {
                sportello,
                service,
                starts_at: s["starts_at"].as_str().unwrap().to_owned(),
            });
        }
        from = to + Days::days(1);
    }
    out.truncate(n);
    out
}

async fn hold_and_confirm(op: &Client, slot: &Slot, key: &str) -> Duration {
    let t = Instant::now();
    let r = op.hold(slot.sportello, &slot.starts_at, slot.service).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let r = op.confirm(&id, key).await;
    assert_eq!(r.status, 201, "{}", r.text);
    t.elapsed()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn report(db: &str, case: &str, wall: Duration, mut lat: Vec<Duration>) {
    lat.sort();
    println!(
        "| {db} | {case} | {} | {:.0} | {:.1} | {:.1} | {:.1} |",
        lat.len(),
        lat.len() as f64 / wall.as_secs_f64(),
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        percentile(&lat, 1.0),
    );
}

async fn run(db: &str, url: Option<String>) {
    let env = TestServer::start(url).await;
    let mut ops = Vec::new();
    let mut queues: Vec<Queue> = Vec::new();
    for (i, (account, sportello, service)) in OPERATORS.into_iter().enumerate() {
        let op = env.login(account).await;
        let extra = if i == 0 { SEQUENTIAL + ROUNDS } else { 0 };
        let slots = free_slots(
            &op,
            sportello,
            service,
            CONCURRENT / OPERATORS.len() + extra,
        )
        .await;
        queues.push(Arc::new(Mutex::new(slots)));
        ops.push(op);
    }
    let take = |i: usize| queues[i].lock().unwrap().pop().expect("enough free slots");

    // One operator, one booking after the other.
    let mut lat = Vec::new();
    let t = Instant::now();
    for i in 0..SEQUENTIAL {
        lat.push(hold_and_confirm(&ops[0], &take(0), &format!("seq-{i}")).await);
    }
    report(db, "hold + Prenota, sequential", t.elapsed(), lat);
    let contended: Vec<Slot> = (0..ROUNDS).map(|_| take(0)).collect();

    // 16 workers at once over five comuni, distinct slots.
    let t = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..WORKERS {
        let op = ops[w % OPERATORS.len()].clone();
        let queue = queues[w % OPERATORS.len()].clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let next = queue.lock().unwrap().pop();
                let Some(slot) = next else { break };
                let key = format!("conc-{w}-{}", lat.len());
                lat.push(hold_and_confirm(&op, &slot, &key).await);
            }
            lat
        }));
    }
    let mut lat = Vec::new();
    for task in tasks {
        lat.extend(task.await.unwrap());
    }
    report(
        db,
        &format!("hold + Prenota, {WORKERS} concurrent"),
        t.elapsed(),
        lat,
    );

    // Contended: 200 concurrent holds on one slot (two comuni), exactly one wins.
    let mut lat = Vec::new();
    let t = Instant::now();
    for slot in contended {
        let slot = Arc::new(slot);
        let mut tasks = Vec::new();
        for i in 0..CONTENDERS {
            let op = ops[i % 2].clone();
            let slot = slot.clone();
            tasks.push(tokio::spawn(async move {
                let t = Instant::now();
                let r = op.hold(slot.sportello, &slot.starts_at, slot.service).await;
                let elapsed = t.elapsed();
                let id = (r.status == 201).then(|| r.json()["id"].as_str().unwrap().to_owned());
                (r.status, id, elapsed)
            }));
        }
        let mut winners = Vec::new();
        for task in tasks {
            let (status, id, d) = task.await.unwrap();
            assert!(status == 201 || status == 409, "{status}");
            winners.extend(id);
            lat.push(d);
        }
        assert_eq!(winners.len(), 1);
        // Free the winner's hold after the round (an operator holds only a few slots at once).
        for op in &ops[..2] {
            op.delete(&format!("/v1/booking/holds/{}", winners[0]))
                .await;
        }
    }
    report(
        db,
        &format!("contended: {CONTENDERS} holds on one slot x{ROUNDS}"),
        t.elapsed(),
        lat,
    );
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run with --ignored --nocapture"]
async fn booking_throughput() {
    println!("| database | case | operations | per second | p50 ms | p99 ms | max ms |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    run("SQLite", None).await;
    let pg = PgCluster::start().await;
    run("PostgreSQL", Some(pg.create_database().await)).await;
}
