//! The audit trail: every sign-in, refusal, lookup, sign-out and view of
//! the trail, saying when, who, how they were recognised, from which
//! client, which order and what came of it; what merchants owe their
//! customers for personal data. Kept in the console's shared store before
//! the page is shown (a lookup that cannot be recorded is not shown), so
//! that every instance's entries are in one place for the views; copied,
//! once kept, to a file, stdout or syslog for a SIEM (`copies`). It never
//! holds a token, a cookie or a secret.
//!
//! `entry` is one entry; `copies` writes them elsewhere without ever
//! making a request wait; `views` are the pages and the export a
//! data-protection officer reads them with.

mod asked;
mod copies;

use std::time::Duration;

use crate::console::access::entry::Entry;
pub use asked::{export_address, Asked, Unreadable, PAGE};
pub use copies::{Copies, Target};

use crate::console::access::store::{Filter, Page, Store, StoreError};

/// How many days entries are kept unless set: a year.
pub const RETENTION_DAYS: u32 = 365;

/// A refused sign-in past the limit is copied when its entry opens and at
/// every this many attempts after, with the count so far.
const COPY_EVERY: u64 = 100;

/// The audit trail: the store it is kept in, where it is copied, and how
/// long it is kept.
#[derive(Debug)]
pub struct Audit {
    store: Store,
    copies: Copies,
    retention: Option<Duration>,
}

impl Audit {
    /// A trail kept in `store`, copied to `copies`, entries older than
    /// `retention` removed (kept for good when `None`).
    pub fn new(store: Store, copies: Copies, retention: Option<Duration>) -> Audit {
        Audit { store, copies, retention }
    }

    /// Keeps `entry`, then copies it. An entry that cannot be kept is an
    /// error: what it records must not happen.
    pub async fn record(&self, mut entry: Entry) -> Result<(), StoreError> {
        entry.id = Some(self.store.keep(&entry).await?);
        self.copies.send(&entry);
        Ok(())
    }

    /// Keeps a refusal as one more attempt of its client's entry for the
    /// window (`key`), copied when the entry opens and every 100 attempts.
    pub async fn record_counted(&self, mut entry: Entry, key: &str) -> Result<(), StoreError> {
        let (id, attempts) = self.store.keep_counted(&entry, key).await?;
        if attempts == 1 || attempts.is_multiple_of(COPY_EVERY) {
            entry.id = Some(id);
            entry.attempts = attempts;
            self.copies.send(&entry);
        }
        Ok(())
    }

    /// At most `limit` entries matching `filter`, from `page`.
    pub async fn entries(&self, filter: &Filter, page: Page, limit: u32) -> Result<Vec<Entry>, StoreError> {
        self.store.entries(filter, page, limit).await
    }

    /// How long entries are kept; `None`: for good.
    pub fn retention(&self) -> Option<Duration> {
        self.retention
    }

    /// Removes the entries past the retention at `now`. How many.
    pub async fn forget_old(&self, now: jiff::Timestamp) -> Result<u64, StoreError> {
        let Some(retention) = self.retention else {
            return Ok(0);
        };
        let before = now.checked_sub(jiff::SignedDuration::try_from(retention).unwrap_or(jiff::SignedDuration::MAX));
        match before {
            Ok(before) => self.store.forget_entries_before(before).await,
            // A retention reaching before the epoch keeps everything.
            Err(_) => Ok(0),
        }
    }

    /// `Ok` while the store the trail is kept in answers.
    pub async fn healthy(&self) -> Result<(), StoreError> {
        self.store.healthy().await
    }

    /// Where the entries are copied.
    pub fn copies(&self) -> &Copies {
        &self.copies
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::access::entry::Event;
    use crate::console::access::visitor::Via;

    #[tokio::test]
    async fn kept_then_forgotten_after_the_retention() {
        let store = Store::memory().await.unwrap();
        let day = Duration::from_secs(24 * 3600);
        let audit = Audit::new(store.clone(), Copies::none(), Some(30 * day));
        let mut old = Entry::new(Event::Lookup, "kari", Via::Token, None).outcome("shown");
        old.time = jiff::Timestamp::from_second(1_800_000_000).unwrap();
        audit.record(old.clone()).await.unwrap();
        let mut recent = old.clone();
        recent.time = old.time + jiff::SignedDuration::from_hours(24 * 30);
        audit.record(recent).await.unwrap();
        // Kept 30 days: at 30 days to the millisecond it is still there,
        // a millisecond later it goes.
        let thirty_days = old.time + jiff::SignedDuration::from_hours(24 * 30);
        assert_eq!(audit.forget_old(thirty_days).await.unwrap(), 0);
        assert_eq!(
            audit.forget_old(thirty_days + jiff::SignedDuration::from_millis(1)).await.unwrap(),
            1
        );
        assert_eq!(
            audit.entries(&Filter::default(), Page::NewestBefore(None), 10).await.unwrap().len(),
            1
        );
        assert_eq!(audit.retention(), Some(30 * day));
        let forever = Audit::new(store, Copies::none(), None);
        assert_eq!(forever.forget_old(jiff::Timestamp::MAX).await.unwrap(), 0);
        assert_eq!(forever.retention(), None);
    }

    #[tokio::test]
    async fn a_counted_refusal_is_copied_when_it_opens_and_every_hundred_attempts() {
        let dir = std::env::temp_dir().join(format!("vipps-om-counted-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("copy.jsonl");
        let copies = Copies::to(vec![Target::File(path.clone())]).unwrap();
        let audit = Audit::new(Store::memory().await.unwrap(), copies, None);
        for _ in 0..250 {
            let refusal = Entry::new(Event::SignIn, "", Via::Token, Some("192.0.2.9".parse().unwrap())).outcome("throttled");
            audit.record_counted(refusal, "192.0.2.9@0").await.unwrap();
        }
        audit.copies().close();
        let attempts: Vec<u64> = std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["attempts"].as_u64().unwrap())
            .collect();
        assert_eq!(attempts, [1, 100, 200]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
