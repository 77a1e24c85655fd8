//! The shared database and clock: every domain (booking, identity, meetings, audit) reads and
//! writes through one [`Db`] and asks one [`Clock`] for "now".

pub mod clock;
pub mod db;
pub mod files;

use std::sync::Arc;

use chrono::{DateTime, Utc};

pub use clock::{Clock, ManualClock, OffsetClock, SystemClock};
pub use db::{Backend, Db};

/// The database plus the clock: cheap to clone, shared by every domain.
#[derive(Debug, Clone)]
pub struct Store {
    db: Db,
    clock: Arc<dyn Clock>,
}

impl Store {
    /// A store on `db` reading time from `clock`.
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> Self {
        Self { db, clock }
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Now, by the clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}
