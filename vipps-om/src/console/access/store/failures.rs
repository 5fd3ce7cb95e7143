//! The wrong sign-ins table: counted per client in a window that starts
//! with the client's first wrong sign-in, in one statement, so that any
//! number of consoles count together.

use std::time::Duration;

use sqlx::Row as _;

use super::{millis, span, Store};

/// A client's wrong sign-ins in its current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    /// How many, this one included.
    pub count: u64,
    /// When the window started (its first wrong sign-in).
    pub since: jiff::Timestamp,
}

impl Store {
    /// Counts a wrong sign-in by `client` at `now`; a window older than
    /// `window` starts again with this one.
    pub async fn fail(
        &self,
        client: &str,
        now: jiff::Timestamp,
        window: Duration,
    ) -> Result<Failures, crate::console::access::store::StoreError> {
        let now_ms = millis(now);
        let row = sqlx::query(
            "INSERT INTO vipps_om_console_failures (client, window_ms, failures) VALUES ($1, $2, 1) \
             ON CONFLICT (client) DO UPDATE SET \
               failures = CASE WHEN vipps_om_console_failures.window_ms <= $3 THEN 1 ELSE vipps_om_console_failures.failures + 1 END, \
               window_ms = CASE WHEN vipps_om_console_failures.window_ms <= $3 THEN $2 ELSE vipps_om_console_failures.window_ms END \
             RETURNING failures, window_ms",
        )
        .bind(client)
        .bind(now_ms)
        .bind(now_ms.saturating_sub(span(window)))
        .fetch_one(&self.pool)
        .await
        .map_err(|e| self.failed("count a wrong sign-in in", e))?;
        let read = |e: sqlx::Error| self.failed("count a wrong sign-in in", e);
        let count: i64 = row.try_get("failures").map_err(read)?;
        let since: i64 = row.try_get("window_ms").map_err(read)?;
        Ok(Failures {
            count: u64::try_from(count).unwrap_or_default(),
            since: jiff::Timestamp::from_millisecond(since).unwrap_or(now),
        })
    }

    /// Forgets the clients whose window ended by `now`. How many.
    pub async fn forget_old_failures(
        &self,
        now: jiff::Timestamp,
        window: Duration,
    ) -> Result<u64, crate::console::access::store::StoreError> {
        let done = sqlx::query("DELETE FROM vipps_om_console_failures WHERE window_ms <= $1")
            .bind(millis(now).saturating_sub(span(window)))
            .execute(&self.pool)
            .await
            .map_err(|e| self.failed("forget old wrong sign-ins in", e))?;
        Ok(done.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> jiff::Timestamp {
        jiff::Timestamp::from_second(1_800_000_000 + seconds).unwrap()
    }

    const MINUTE: Duration = Duration::from_secs(60);

    #[tokio::test]
    async fn counted_per_client_in_a_window_from_the_first() {
        let store = Store::memory().await.unwrap();
        for i in 1..=3 {
            let f = store.fail("192.0.2.7", at(i * 10), MINUTE).await.unwrap();
            assert_eq!((f.count, f.since), (i as u64, at(10)));
        }
        assert_eq!(store.fail("192.0.2.8", at(30), MINUTE).await.unwrap().count, 1);
        // The window ends 60 s after its first: the next starts anew.
        let f = store.fail("192.0.2.7", at(70), MINUTE).await.unwrap();
        assert_eq!((f.count, f.since), (1, at(70)));
        assert_eq!(
            store.forget_old_failures(at(90), MINUTE).await.unwrap(),
            1,
            "only 192.0.2.8's ended"
        );
        assert_eq!(store.fail("192.0.2.7", at(91), MINUTE).await.unwrap().count, 2);
    }
}
