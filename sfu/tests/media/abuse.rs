//! Five abusive participants send offers just under 64 KiB with new mids every time (issue 13,
//! item 5) while another room joins: the join latency of the other room is measured and
//! printed, and bounded generously. The default limits refuse the abusive offers at once; the
//! ignored test runs the same load with the limits lifted, for the "before" figures:
//! `cargo test -p sportello-sfu --test media abuse -- --include-ignored --nocapture`.

use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use crate::common::{Client, STEP, wait_for};
use crate::engine_limits::{fresh_offer, with_extra_sections};
use sportello_sfu::{ParticipantId, Sfu, SfuConfig};

const ABUSERS: u64 = 5;
const ROUNDS: usize = 8;
/// Largest offer an abuser sends (the signalling frame limit is 64 KiB).
const OFFER_BYTES: usize = 63 * 1024;
const VICTIM_JOINS: u64 = 3;

#[derive(Debug)]
struct Figures {
    /// Each abusive offer's processing time, in order.
    offers: Vec<Duration>,
    refused: usize,
    /// Each join of the other room: from `add_participant` to media received both ways.
    joins: Vec<Duration>,
}

/// An offer of `template` with as many new sections as fit in [`OFFER_BYTES`].
fn bloated(template: &str, tag: &str) -> String {
    let mut n = 256;
    loop {
        let sdp = with_extra_sections(template, n, tag);
        if sdp.len() <= OFFER_BYTES || n == 1 {
            return sdp;
        }
        n = n * 9 / 10;
    }
}

async fn measure(config: SfuConfig) -> Figures {
    let sfu = Sfu::start(config).await.unwrap();
    let template = fresh_offer();
    // Built beforehand, so that only the engine's work is measured.
    let offers: Vec<Vec<String>> = (0..ABUSERS)
        .map(|k| {
            (0..ROUNDS)
                .map(|round| bloated(&template, &format!("a{k}r{round}-")))
                .collect()
        })
        .collect();
    let abuse = offers.into_iter().enumerate().map(|(k, sdps)| {
        let k = k as u64;
        let sfu = sfu.clone();
        tokio::spawn(async move {
            let id = ParticipantId(100 + k);
            let _events = sfu
                .add_participant(&format!("abuse{k}"), id, &format!("abuser{k}"))
                .await
                .unwrap();
            let mut times = Vec::new();
            let mut refused = 0;
            for sdp in sdps {
                let started = Instant::now();
                if sfu.offer(id, sdp).await.is_err() {
                    refused += 1;
                }
                times.push(started.elapsed());
            }
            (times, refused)
        })
    });
    let abuse: Vec<_> = abuse.collect();
    let mut joins = Vec::new();
    for j in 0..VICTIM_JOINS {
        let started = Instant::now();
        let a = Client::join(&sfu, "victim", 10 * j + 1, "a", true).await;
        let b = Client::join(&sfu, "victim", 10 * j + 2, "b", true).await;
        let flowing = wait_for(STEP, || {
            a.observed.video_rx.load(Relaxed) > 0 && b.observed.video_rx.load(Relaxed) > 0
        })
        .await;
        assert!(flowing, "the other room's media flows");
        joins.push(started.elapsed());
        a.close().await;
        b.close().await;
    }
    let mut offers = Vec::new();
    let mut refused = 0;
    for task in abuse {
        let (times, r) = task.await.unwrap();
        offers.extend(times);
        refused += r;
    }
    sfu.shutdown().await;
    Figures {
        offers,
        refused,
        joins,
    }
}

fn report(name: &str, f: &Figures) {
    let max = |v: &[Duration]| v.iter().max().copied().unwrap_or_default();
    println!(
        "{name}: {} abusive offers ({} refused), slowest {:?}; other room's joins {:?} (max {:?})",
        f.offers.len(),
        f.refused,
        max(&f.offers),
        f.joins,
        max(&f.joins),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abusive_offers_are_refused_and_other_rooms_join() {
    let f = tokio::time::timeout(Duration::from_secs(120), measure(SfuConfig::default()))
        .await
        .expect("bounded");
    report("with limits", &f);
    assert_eq!(f.refused, f.offers.len(), "every abusive offer is refused");
    let slowest = f.joins.iter().max().unwrap();
    assert!(*slowest < Duration::from_secs(8), "{slowest:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "slow: the figures without limits, for comparison"]
async fn abusive_offers_without_limits_for_comparison() {
    let config = SfuConfig {
        max_sending_sections: usize::MAX,
        max_client_sections: usize::MAX,
        ..SfuConfig::default()
    };
    let f = tokio::time::timeout(Duration::from_secs(300), measure(config))
        .await
        .expect("bounded");
    report("without limits", &f);
}
