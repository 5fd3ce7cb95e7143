//! Sign-ins, kept in the console's shared store: the cookie holds a random
//! 256-bit id and nothing else; the store knows whose it is, until when,
//! and when it was last used. A sign-in ends at the end of its lifetime
//! (a working day unless set), after its idle limit (30 minutes unless
//! set) without use, on sign-out (on every instance at once: a copied
//! cookie is refused after), and when the person leaves the staff file or
//! is given a new token. It survives a restart.

use std::time::Duration;

use crate::console::access::store::{Store, StoreError, StoredSession};
use crate::console::access::visitor::Via;

/// How long a sign-in lasts unless set: a working day.
pub const LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);
/// How long a sign-in lasts unused unless set.
pub const IDLE: Duration = Duration::from_secs(30 * 60);
/// The most sign-ins of one person (browsers, devices); beyond it their
/// own oldest is ended, so that nobody's sign-ins push out another's.
pub const MAX_PER_PERSON: u32 = 20;

/// The sign-ins and how long they last.
#[derive(Debug, Clone)]
pub struct Sessions {
    store: Store,
    lifetime: Duration,
    idle: Duration,
}

impl Sessions {
    /// Sign-ins kept in `store`, lasting `lifetime`, or `idle` unused.
    pub fn new(store: Store, lifetime: Duration, idle: Duration) -> Sessions {
        Sessions {
            store,
            lifetime: lifetime.max(Duration::from_secs(60)),
            idle: idle.max(Duration::from_secs(60)),
        }
    }

    /// How long a sign-in lasts.
    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// How long a sign-in lasts unused.
    pub fn idle(&self) -> Duration {
        self.idle
    }

    /// Starts a sign-in for `who`, with the token whose credential is
    /// `credential`; the id for the cookie.
    pub async fn start(&self, who: &str, via: Via, credential: &str) -> Result<String, StoreError> {
        self.store
            .start_session(who, via.as_str(), credential, jiff::Timestamp::now(), self.lifetime, MAX_PER_PERSON)
            .await
    }

    /// The sign-in `id`, while it lasts.
    pub async fn find(&self, id: &str) -> Result<Option<StoredSession>, StoreError> {
        self.store.find_session(id, jiff::Timestamp::now(), self.idle).await
    }

    /// Ends the sign-in `id`; `true` when there was one.
    pub async fn end(&self, id: &str) -> Result<bool, StoreError> {
        self.store.end_session(id).await
    }

    /// Ends the sign-ins of `who` but those of the credential `keep`.
    pub async fn end_all_of(&self, who: &str, keep: Option<&str>) -> Result<u64, StoreError> {
        self.store.end_sessions_of(who, keep).await
    }

    /// How many sign-ins are kept.
    pub async fn count(&self) -> Result<u64, StoreError> {
        self.store.session_count().await
    }

    /// Removes the sign-ins that have ended.
    pub async fn forget_ended(&self) -> Result<u64, StoreError> {
        self.store.forget_ended_sessions(jiff::Timestamp::now(), self.idle).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_working_day_half_an_hour_unused_and_what_each_call_did() {
        let store = Store::memory().await.unwrap();
        assert_eq!((LIFETIME, IDLE), (Duration::from_secs(12 * 3600), Duration::from_secs(30 * 60)));
        // At least a minute each, whatever is asked.
        let short = Sessions::new(store.clone(), Duration::from_secs(1), Duration::ZERO);
        assert_eq!((short.lifetime(), short.idle()), (Duration::from_secs(60), Duration::from_secs(60)));
        let sessions = Sessions::new(store.clone(), LIFETIME, IDLE);
        let a = sessions.start("kari", Via::Token, "old").await.unwrap();
        sessions.start("kari", Via::Token, "new").await.unwrap();
        sessions.start("ola", Via::Token, "c").await.unwrap();
        assert_eq!(sessions.count().await.unwrap(), 3);
        assert_eq!(
            sessions.find(&a).await.unwrap().map(|s| (s.who, s.via)),
            Some(("kari".to_owned(), "token".to_owned()))
        );
        assert_eq!(sessions.end_all_of("kari", Some("new")).await.unwrap(), 1);
        assert_eq!(sessions.end_all_of("kari", None).await.unwrap(), 1);
        assert_eq!(sessions.forget_ended().await.unwrap(), 0, "Ola's has not ended");
        assert_eq!(sessions.count().await.unwrap(), 1);
        // Started a day ago: ended, and forgotten.
        let yesterday = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24);
        store.start_session("per", "token", "c", yesterday, LIFETIME, 20).await.unwrap();
        assert_eq!(sessions.forget_ended().await.unwrap(), 1);
        assert!(!sessions.end(&a).await.unwrap());
    }
}
