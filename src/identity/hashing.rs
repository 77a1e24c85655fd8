//! Where argon2 runs: a small pool of dedicated threads, one per core (at least two), and a
//! bounded queue in front of it.
//!
//! Each argon2id hash or verification holds about 19 MiB for tens of milliseconds. Run on
//! tokio's blocking pool (up to 512 threads), a burst of logins ran hundreds at once, took
//! gigabytes, and the allocator kept them (freed blocks stay in the arenas of the many threads
//! that used them). Here at most [`workers`] run at once, always on the same threads, so the
//! memory they use is bounded (about 19 MiB per worker) and reused from one hash to the next.
//!
//! A login verification ([`Admission::Bounded`]) waits for a worker at most [`QUEUE_WAIT`],
//! behind at most [`QUEUE_PER_WORKER`] others per worker; otherwise it is refused with
//! [`Busy`] (the login answers 503 `login_busy`). Hashing a new password for an administrator
//! ([`Admission::Wait`]) waits its turn.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

/// Requests that may wait for a worker, per worker, before more are refused.
pub const QUEUE_PER_WORKER: usize = 4;
/// The longest a login waits for a worker.
pub const QUEUE_WAIT: Duration = Duration::from_secs(2);

/// No worker is free soon enough: try again in a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

/// How a job waits for a worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Behind a bounded queue, for a bounded time ([`Busy`] otherwise): logins.
    Bounded,
    /// As long as it takes: hashing a password set by an authenticated administrator.
    Wait,
}

/// The number of hashing threads: the cores available, at least two.
pub fn workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().max(2))
}

type Job = Box<dyn FnOnce() + Send>;

#[derive(Debug)]
struct Pool {
    workers: usize,
    /// One permit per worker: a job holds one while it runs, so it never waits for a thread.
    permits: Arc<Semaphore>,
    /// Jobs waiting for a permit.
    waiting: AtomicUsize,
    jobs: Mutex<mpsc::Sender<Job>>,
}

impl Pool {
    /// Starts `n` worker threads.
    fn start(n: usize) -> Self {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..n {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    loop {
                        // The lock is held only while taking a job, not while running it.
                        let job = match rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a hashing thread");
            }
        }
        Pool {
            workers: n,
            permits: Arc::new(Semaphore::new(n)),
            waiting: AtomicUsize::new(0),
            jobs: Mutex::new(tx),
        }
    }

    async fn admit(&self, admission: Admission) -> Result<OwnedSemaphorePermit, Busy> {
        let permits = self.permits.clone();
        if admission == Admission::Wait {
            return permits.acquire_owned().await.map_err(|_| Busy);
        }
        let queued = self.waiting.fetch_add(1, Ordering::AcqRel);
        let _waiting = Waiting(&self.waiting);
        if queued >= QUEUE_PER_WORKER * self.workers {
            return Err(Busy);
        }
        match tokio::time::timeout(QUEUE_WAIT, permits.acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(Busy),
        }
    }

    async fn run<T, F>(&self, admission: Admission, work: F) -> Result<T, Busy>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let permit = self.admit(admission).await?;
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(work());
            // Free only once the work is done, even if the request was abandoned meanwhile.
            drop(permit);
        });
        let sent = self.jobs.lock().map_err(|_| Busy)?.send(job);
        sent.map_err(|_| Busy)?;
        rx.await.map_err(|_| Busy)
    }
}

/// Runs `work` on a hashing worker of the process once admitted; its result, or [`Busy`].
pub async fn run<T, F>(admission: Admission, work: F) -> Result<T, Busy>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| Pool::start(workers()))
        .run(admission, work)
        .await
}

/// Counts a job among the waiting ones until dropped (also when the request is abandoned).
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_on_the_workers_and_refuses_beyond_the_queue() {
        let n = 2;
        let pool = Arc::new(Pool::start(n));
        assert_eq!(pool.run(Admission::Bounded, || 2 + 2).await, Ok(4));
        let name = pool
            .run(Admission::Wait, || {
                std::thread::current().name().map(str::to_owned)
            })
            .await
            .unwrap()
            .unwrap();
        assert!(name.starts_with("argon2-"), "{name}");
        // Hold every worker, fill the queue: the next bounded job is refused at once.
        let (release, held) = std::sync::mpsc::channel::<()>();
        let held = Arc::new(Mutex::new(held));
        let mut running = Vec::new();
        for _ in 0..n {
            let (pool, held) = (pool.clone(), held.clone());
            running.push(tokio::spawn(async move {
                pool.run(Admission::Wait, move || {
                    let _ = held.lock().unwrap().recv();
                })
                .await
            }));
        }
        while pool.permits.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        let queued: Vec<_> = (0..QUEUE_PER_WORKER * n)
            .map(|_| {
                let pool = pool.clone();
                tokio::spawn(async move { pool.run(Admission::Bounded, || ()).await })
            })
            .collect();
        while pool.waiting.load(Ordering::Acquire) < QUEUE_PER_WORKER * n {
            tokio::task::yield_now().await;
        }
        assert_eq!(pool.run(Admission::Bounded, || ()).await, Err(Busy));
        for _ in 0..n {
            release.send(()).unwrap();
        }
        for r in running {
            assert_eq!(r.await.unwrap(), Ok(()));
        }
        for q in queued {
            assert_eq!(q.await.unwrap(), Ok(()));
        }
        assert_eq!(pool.waiting.load(Ordering::Acquire), 0);
    }
}
