//! The driver's fairness: datagrams are served while a flood of commands is queued (issue 13,
//! item 5: the `biased` select served every queued command before the socket, so five abusive
//! connections stalled media and joins of every room).

use std::net::SocketAddr;
use std::time::Instant;

use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};

use super::{COMMAND_QUEUE, Command, Driver, bind_media_socket};
use crate::{Engine, ParticipantId, SfuConfig};

/// Commands that queue up behind each other, each cheap (an unknown participant's candidate).
fn flood(
    tx: &mpsc::Sender<Command>,
    n: usize,
) -> Vec<oneshot::Receiver<Result<(), crate::SfuError>>> {
    (0..n)
        .map(|i| {
            let (reply, rx) = oneshot::channel();
            tx.try_send(Command::Candidate {
                id: ParticipantId(i as u64 + 1000),
                reply,
            })
            .expect("room in the queue");
            rx
        })
        .collect()
}

#[tokio::test]
async fn datagrams_are_served_while_commands_are_queued() {
    let socket = bind_media_socket("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr: SocketAddr = socket.local_addr().unwrap();
    let engine = Engine::new(addr, Vec::new(), SfuConfig::default(), 1);
    let (tx, rx) = mpsc::channel(COMMAND_QUEUE);
    let mut driver = Driver::new(engine, socket, rx);
    let replies = flood(&tx, COMMAND_QUEUE);
    let client = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    const DATAGRAMS: u64 = 64;
    for _ in 0..DATAGRAMS {
        client.send_to(&[0u8; 100], addr).await.unwrap();
    }
    driver.socket.readable().await.unwrap();

    // Turns of the loop while the command queue is still far from empty.
    let started = Instant::now();
    let mut turns = 0;
    while driver.commands.len() > COMMAND_QUEUE / 2 {
        assert!(!driver.step().await);
        turns += 1;
    }
    let served = driver.counters.snapshot().packets_in;
    let commands = COMMAND_QUEUE - driver.commands.len();
    println!(
        "driver fairness: {turns} turns, {commands} commands and {served} of {DATAGRAMS} \
         datagrams served in {:?}",
        started.elapsed()
    );
    assert!(
        served > 0,
        "no datagram served while {commands} commands were handled"
    );
    drop(replies);
}
