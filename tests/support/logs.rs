//! Every log line of the test process at TRACE level, for the tests that search the logs for
//! personal data. One subscriber per process, installed by the first caller: under nextest
//! each test is its own process; under `cargo test` the capture also holds the logs of the
//! tests running beside, which only makes the search stricter.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

/// The captured log text.
#[derive(Clone, Default)]
pub struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    /// Everything logged so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Starts capturing the process's logs at TRACE level (once); returns the capture.
pub fn capture() -> Capture {
    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    CAPTURE
        .get_or_init(|| {
            let capture = Capture::default();
            let writer = capture.clone();
            tracing_subscriber::fmt()
                .with_env_filter("trace")
                .with_ansi(false)
                .with_writer(move || writer.clone())
                .try_init()
                .expect("no other log subscriber in this test process");
            capture
        })
        .clone()
}
