//! The sign-ins table: started, found (while neither its lifetime nor its
//! idle limit has passed), ended one by one or a person's all at once.
//! Keyed by a digest of the cookie's id: the table never holds a cookie
//! that works.

use std::time::Duration;

use sqlx::Row as _;

use super::{millis, span, Store};

/// A sign-in as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    /// Whose it is.
    pub who: String,
    /// How they signed in (`token`).
    pub via: String,
    /// Which credential started it (a digest, never the secret).
    pub credential: String,
}

/// How often a sign-in in use has its last use written: more often would
/// cost a write per page. The last use kept is then up to this much older
/// than the real one, so a sign-in ends this much after its idle limit at
/// most, and never before it.
const SEEN_EVERY: Duration = Duration::from_secs(60);

/// How often a sign-in with this idle limit has its last use written.
fn seen_every(idle: Duration) -> i64 {
    span(SEEN_EVERY.min(idle / 2))
}

/// How long after the last use kept a sign-in ends.
fn idle_for(idle: Duration) -> i64 {
    span(idle).saturating_add(seen_every(idle))
}

impl Store {
    /// Starts a sign-in for `who`, lasting `lifetime` from `now`; keeps at
    /// most `per_person` of theirs (their own oldest end first, never
    /// another's). The id for the cookie: 256 random bits.
    pub async fn start_session(
        &self,
        who: &str,
        via: &str,
        credential: &str,
        now: jiff::Timestamp,
        lifetime: Duration,
        per_person: u32,
    ) -> Result<String, crate::console::access::store::StoreError> {
        let id = random_id().map_err(|e| self.failed_because("start a sign-in in", e))?;
        let now = millis(now);
        let mut tx = self.pool.begin().await.map_err(|e| self.failed("start a sign-in in", e))?;
        sqlx::query(
            "INSERT INTO vipps_om_console_sessions (id_digest, who, via, credential, started_ms, seen_ms, expires_ms) \
             VALUES ($1, $2, $3, $4, $5, $5, $6)",
        )
        .bind(digest_hex(&id))
        .bind(who)
        .bind(via)
        .bind(credential)
        .bind(now)
        .bind(now.saturating_add(span(lifetime)))
        .execute(&mut *tx)
        .await
        .map_err(|e| self.failed("start a sign-in in", e))?;
        sqlx::query(
            "DELETE FROM vipps_om_console_sessions WHERE who = $1 AND id_digest NOT IN \
             (SELECT id_digest FROM vipps_om_console_sessions WHERE who = $1 ORDER BY started_ms DESC, id_digest LIMIT $2)",
        )
        .bind(who)
        .bind(i64::from(per_person.max(1)))
        .execute(&mut *tx)
        .await
        .map_err(|e| self.failed("start a sign-in in", e))?;
        tx.commit().await.map_err(|e| self.failed("start a sign-in in", e))?;
        Ok(id)
    }

    /// The sign-in `id` at `now`, unless its lifetime ended or it has not
    /// been used for `idle`; an ended one is removed.
    pub async fn find_session(
        &self,
        id: &str,
        now: jiff::Timestamp,
        idle: Duration,
    ) -> Result<Option<StoredSession>, crate::console::access::store::StoreError> {
        let key = digest_hex(id);
        let now = millis(now);
        let row = sqlx::query("SELECT who, via, credential, seen_ms, expires_ms FROM vipps_om_console_sessions WHERE id_digest = $1")
            .bind(&key)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.failed("read a sign-in from", e))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let read = |e: sqlx::Error| self.failed("read a sign-in from", e);
        let seen: i64 = row.try_get("seen_ms").map_err(read)?;
        let expires: i64 = row.try_get("expires_ms").map_err(read)?;
        if now >= expires || now >= seen.saturating_add(idle_for(idle)) {
            self.end_session(id).await?;
            return Ok(None);
        }
        if now.saturating_sub(seen) >= seen_every(idle) {
            sqlx::query("UPDATE vipps_om_console_sessions SET seen_ms = $2 WHERE id_digest = $1 AND seen_ms < $2")
                .bind(&key)
                .bind(now)
                .execute(&self.pool)
                .await
                .map_err(|e| self.failed("note a sign-in's use in", e))?;
        }
        Ok(Some(StoredSession {
            who: row.try_get("who").map_err(read)?,
            via: row.try_get("via").map_err(read)?,
            credential: row.try_get("credential").map_err(read)?,
        }))
    }

    /// Ends the sign-in `id`; `true` when there was one.
    pub async fn end_session(&self, id: &str) -> Result<bool, crate::console::access::store::StoreError> {
        let done = sqlx::query("DELETE FROM vipps_om_console_sessions WHERE id_digest = $1")
            .bind(digest_hex(id))
            .execute(&self.pool)
            .await
            .map_err(|e| self.failed("end a sign-in in", e))?;
        Ok(done.rows_affected() > 0)
    }

    /// Ends every sign-in of `who` not started with `keep` (all of them
    /// when `None`): a person removed from the staff, or given a new
    /// token. How many ended.
    pub async fn end_sessions_of(&self, who: &str, keep: Option<&str>) -> Result<u64, crate::console::access::store::StoreError> {
        let done = sqlx::query("DELETE FROM vipps_om_console_sessions WHERE who = $1 AND ($2 = '' OR credential <> $2)")
            .bind(who)
            .bind(keep.unwrap_or_default())
            .execute(&self.pool)
            .await
            .map_err(|e| self.failed("end sign-ins in", e))?;
        Ok(done.rows_affected())
    }

    /// The names of everyone with a sign-in, each once.
    pub async fn signed_in(&self) -> Result<Vec<String>, crate::console::access::store::StoreError> {
        let rows = sqlx::query("SELECT DISTINCT who FROM vipps_om_console_sessions ORDER BY who")
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.failed("read the sign-ins from", e))?;
        rows.iter()
            .map(|r| r.try_get::<String, _>("who"))
            .collect::<Result<_, _>>()
            .map_err(|e| self.failed("read the sign-ins from", e))
    }

    /// How many sign-ins are kept.
    pub async fn session_count(&self) -> Result<u64, crate::console::access::store::StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM vipps_om_console_sessions")
            .fetch_one(&self.pool)
            .await
            .map_err(|e| self.failed("count the sign-ins in", e))?;
        let n: i64 = row.try_get("n").map_err(|e| self.failed("count the sign-ins in", e))?;
        Ok(u64::try_from(n).unwrap_or_default())
    }

    /// Removes the sign-ins that ended before `now` (their lifetime), or
    /// were last used `idle` before it. How many.
    pub async fn forget_ended_sessions(
        &self,
        now: jiff::Timestamp,
        idle: Duration,
    ) -> Result<u64, crate::console::access::store::StoreError> {
        let now = millis(now);
        let done = sqlx::query("DELETE FROM vipps_om_console_sessions WHERE expires_ms <= $1 OR seen_ms <= $2")
            .bind(now)
            .bind(now.saturating_sub(idle_for(idle)))
            .execute(&self.pool)
            .await
            .map_err(|e| self.failed("forget ended sign-ins in", e))?;
        Ok(done.rows_affected())
    }
}

/// 256 random bits in hex.
fn random_id() -> Result<String, &'static str> {
    use ring::rand::SecureRandom as _;
    let mut id = [0u8; 32];
    ring::rand::SystemRandom::new()
        .fill(&mut id)
        .map_err(|_| "no random numbers to make a sign-in with")?;
    Ok(hex(&id))
}

/// Bytes in lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// The SHA-256 digest of `text` in hex: what the store keeps of an id.
pub(crate) fn digest_hex(text: &str) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, text.as_bytes()).as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);

    fn at(seconds: i64) -> jiff::Timestamp {
        jiff::Timestamp::from_second(1_800_000_000 + seconds).unwrap()
    }

    #[tokio::test]
    async fn a_sign_in_lasts_its_lifetime_and_its_idle_limit() {
        let store = Store::memory().await.unwrap();
        let id = store.start_session("kari", "token", "c1", at(0), 12 * HOUR, 20).await.unwrap();
        assert_eq!(id.len(), 64);
        let idle = Duration::from_secs(30 * 60);
        // Used every 20 minutes, it lasts; each use is noted.
        for minutes in [20, 40, 60] {
            let found = store.find_session(&id, at(minutes * 60), idle).await.unwrap();
            assert_eq!(found.as_ref().map(|s| s.who.as_str()), Some("kari"), "{minutes} min");
        }
        // 30 minutes after the last use kept, and the minute after it (a
        // use in that minute may not have been written), it is still
        // there; at 31 minutes, to the millisecond, it has ended, and is
        // gone. (Each look is a use: two sign-ins, looked at once each.)
        let other = store.start_session("ola", "token", "c2", at(60 * 60), 12 * HOUR, 20).await.unwrap();
        let edge = at(91 * 60);
        assert!(store
            .find_session(&other, edge - jiff::SignedDuration::from_millis(1), idle)
            .await
            .unwrap()
            .is_some());
        assert!(store.find_session(&id, edge, idle).await.unwrap().is_none());
        assert_eq!(store.session_count().await.unwrap(), 1, "Kari's ended and went; Ola's is there");
        store.end_session(&other).await.unwrap();
        // Used at 25 s and again at 62 s with a one-minute limit: the use at
        // 25 s was not written (30 s apart at least), and the sign-in is
        // still there at 62 s, 37 s after it (it ended early before).
        let short = Duration::from_secs(60);
        let id = store.start_session("kari", "token", "c1", at(0), HOUR, 20).await.unwrap();
        assert!(store.find_session(&id, at(25), short).await.unwrap().is_some());
        assert!(
            store.find_session(&id, at(62), short).await.unwrap().is_some(),
            "37 s after the last use"
        );
        assert!(
            store.find_session(&id, at(62 + 90), short).await.unwrap().is_none(),
            "90 s after it"
        );
        // Its lifetime ends it however it is used.
        let id = store.start_session("kari", "token", "c1", at(0), HOUR, 20).await.unwrap();
        assert!(store.find_session(&id, at(3599), HOUR).await.unwrap().is_some());
        assert!(store.find_session(&id, at(3600), HOUR).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn each_persons_oldest_ends_first_and_nobody_elses() {
        let store = Store::memory().await.unwrap();
        let ola = store.start_session("ola", "token", "c", at(0), HOUR, 2).await.unwrap();
        let karis: Vec<String> = karis(&store, 3).await;
        assert!(store.find_session(&ola, at(10), HOUR).await.unwrap().is_some());
        assert!(
            store.find_session(&karis[0], at(10), HOUR).await.unwrap().is_none(),
            "Kari's oldest ended"
        );
        assert!(store.find_session(&karis[2], at(10), HOUR).await.unwrap().is_some());
        assert_eq!(store.session_count().await.unwrap(), 3);
        assert_eq!(store.signed_in().await.unwrap(), ["kari", "ola"]);
    }

    /// `n` sign-ins of Kari's, a second apart, at most two kept.
    async fn karis(store: &Store, n: i64) -> Vec<String> {
        let mut ids = Vec::new();
        for i in 0..n {
            ids.push(store.start_session("kari", "token", "c", at(i), HOUR, 2).await.unwrap());
        }
        ids
    }

    #[tokio::test]
    async fn ended_one_by_one_or_a_persons_all() {
        let store = Store::memory().await.unwrap();
        let a = store.start_session("kari", "token", "old", at(0), HOUR, 20).await.unwrap();
        let b = store.start_session("kari", "token", "new", at(0), HOUR, 20).await.unwrap();
        let c = store.start_session("ola", "token", "x", at(0), HOUR, 20).await.unwrap();
        assert!(store.end_session(&c).await.unwrap());
        assert!(!store.end_session(&c).await.unwrap());
        // A new token: the sign-ins of the old one end.
        assert_eq!(store.end_sessions_of("kari", Some("new")).await.unwrap(), 1);
        assert!(store.find_session(&a, at(1), HOUR).await.unwrap().is_none());
        assert!(store.find_session(&b, at(1), HOUR).await.unwrap().is_some());
        // Removed: all of them.
        assert_eq!(store.end_sessions_of("kari", None).await.unwrap(), 1);
        assert_eq!(store.session_count().await.unwrap(), 0);
    }

    #[tokio::test]
    async fn ended_sign_ins_are_forgotten() {
        let store = Store::memory().await.unwrap();
        store.start_session("kari", "token", "c", at(0), HOUR, 20).await.unwrap();
        let live = store.start_session("ola", "token", "c", at(0), 10 * HOUR, 20).await.unwrap();
        assert_eq!(
            store.forget_ended_sessions(at(3600), 2 * HOUR).await.unwrap(),
            1,
            "Kari's lifetime ended"
        );
        assert!(store.find_session(&live, at(3600), 2 * HOUR).await.unwrap().is_some());
        // Unused for the idle limit: forgotten after the minute that may
        // hold an unwritten use, not before.
        assert_eq!(store.forget_ended_sessions(at(3600 + 7200), 2 * HOUR).await.unwrap(), 0);
        assert_eq!(store.forget_ended_sessions(at(3600 + 7260), 2 * HOUR).await.unwrap(), 1);
    }

    #[test]
    fn digests_in_hex() {
        assert_eq!(hex(&[0, 15, 255]), "000fff");
        assert_eq!(
            digest_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
