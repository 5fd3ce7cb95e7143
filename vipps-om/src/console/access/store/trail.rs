//! The audit trail's table: entries kept, one refusal past the limit
//! counted into its client's entry for the window, entries read back by
//! order, person, event and time (newest first for the views, oldest
//! first for the export), and entries past the retention removed.

use sqlx::any::AnyRow;
use sqlx::Row as _;

use super::{millis, Store, StoreError};
use crate::console::access::entry::{Entry, Event};
use crate::console::access::visitor::Via;

/// Which entries to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Entries of this payment type (`ECOM`, `RECURRING`).
    pub payment_type: Option<String>,
    /// Entries of this order id.
    pub order_id: Option<String>,
    /// Entries of this person.
    pub who: Option<String>,
    /// Entries of this event.
    pub event: Option<Event>,
    /// Entries at or after this moment.
    pub from: Option<jiff::Timestamp>,
    /// Entries before this moment.
    pub until: Option<jiff::Timestamp>,
}

/// A page of entries: at most `limit`, newest first before `before` (an
/// entry's id), or oldest first after `after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// Newest first, older than this id (all when `None`).
    NewestBefore(Option<i64>),
    /// Oldest first, newer than this id (all when `None`).
    OldestAfter(Option<i64>),
}

/// A value bound to a query.
enum Bound {
    Text(String),
    Int(i64),
}

/// The columns read back, in the order `read` takes them.
const COLUMNS: &str =
    "id, time_ms, event, who, via, client, payment_type, order_id, searched, what, outcome, also_checked, attempts, last_ms";

impl Store {
    /// Keeps `entry`; its id.
    pub async fn keep(&self, entry: &Entry) -> Result<i64, StoreError> {
        let row = self
            .insert(entry, None)
            .fetch_one(&self.pool)
            .await
            .map_err(|e| self.failed("keep an audit entry in", e))?;
        row.try_get("id").map_err(|e| self.failed("keep an audit entry in", e))
    }

    /// Keeps `entry` as one more attempt of the entry under `key` (a
    /// client's refusals in one window), made when it is the first. Its
    /// id and how many attempts it now counts.
    pub async fn keep_counted(&self, entry: &Entry, key: &str) -> Result<(i64, u64), StoreError> {
        let failed = |e: sqlx::Error| self.failed("keep an audit entry in", e);
        let row = self.insert(entry, Some(key)).fetch_one(&self.pool).await.map_err(failed)?;
        let attempts: i64 = row.try_get("attempts").map_err(failed)?;
        Ok((row.try_get("id").map_err(failed)?, u64::try_from(attempts).unwrap_or_default()))
    }

    /// The statement that keeps `entry` (counted under `key` when given).
    fn insert<'q>(&self, entry: &'q Entry, key: Option<&'q str>) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        let also_checked = (!entry.also_checked.is_empty()).then(|| serde_json::to_string(&entry.also_checked).unwrap_or_default());
        sqlx::query(
            "INSERT INTO vipps_om_console_audit \
               (time_ms, event, who, via, client, payment_type, order_id, searched, what, outcome, also_checked, attempts, throttle_key) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12) \
             ON CONFLICT (throttle_key) DO UPDATE SET \
               attempts = vipps_om_console_audit.attempts + 1, last_ms = $1 \
             RETURNING id, attempts",
        )
        .bind(millis(entry.time))
        .bind(entry.event.as_str())
        .bind(entry.who.as_str())
        .bind(entry.via.as_str())
        .bind(entry.client.as_deref())
        .bind(entry.payment_type.as_deref())
        .bind(entry.order_id.as_deref())
        .bind(entry.searched.as_deref())
        .bind(entry.what.as_deref())
        .bind(entry.outcome.as_str())
        .bind(also_checked)
        .bind(key)
    }

    /// At most `limit` entries matching `filter`, from `page`.
    pub async fn entries(&self, filter: &Filter, page: Page, limit: u32) -> Result<Vec<Entry>, StoreError> {
        let mut conditions: Vec<String> = Vec::new();
        let mut bound: Vec<Bound> = Vec::new();
        let mut condition = |sql: &str, value: Bound| {
            bound.push(value);
            conditions.push(sql.replace('?', &format!("${}", bound.len())));
        };
        if let Some(pt) = &filter.payment_type {
            condition("payment_type = ?", Bound::Text(pt.clone()));
        }
        if let Some(id) = &filter.order_id {
            condition("order_id = ?", Bound::Text(id.clone()));
        }
        if let Some(who) = &filter.who {
            condition("who = ?", Bound::Text(who.clone()));
        }
        if let Some(event) = filter.event {
            condition("event = ?", Bound::Text(event.as_str().to_owned()));
        }
        if let Some(from) = filter.from {
            condition("time_ms >= ?", Bound::Int(millis(from)));
        }
        if let Some(until) = filter.until {
            condition("time_ms < ?", Bound::Int(millis(until)));
        }
        let order = match page {
            Page::NewestBefore(before) => {
                if let Some(id) = before {
                    condition("id < ?", Bound::Int(id));
                }
                "id DESC"
            }
            Page::OldestAfter(after) => {
                if let Some(id) = after {
                    condition("id > ?", Bound::Int(id));
                }
                "id ASC"
            }
        };
        let mut sql = format!("SELECT {COLUMNS} FROM vipps_om_console_audit");
        if !conditions.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conditions.join(" AND "));
        }
        sql.push_str(&format!(" ORDER BY {order} LIMIT {}", limit.max(1)));
        // Built of this function's own words and numbered parameters only:
        // every value is bound.
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for value in bound {
            query = match value {
                Bound::Text(text) => query.bind(text),
                Bound::Int(n) => query.bind(n),
            };
        }
        let rows = query
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.failed("read the audit trail from", e))?;
        rows.iter()
            .map(|row| read(row).map_err(|e| self.failed_because("read the audit trail from", e)))
            .collect()
    }

    /// Removes the entries made before `before` (the retention). How many.
    pub async fn forget_entries_before(&self, before: jiff::Timestamp) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM vipps_om_console_audit WHERE time_ms < $1")
            .bind(millis(before))
            .execute(&self.pool)
            .await
            .map_err(|e| self.failed("remove old audit entries from", e))?;
        Ok(done.rows_affected())
    }
}

/// An entry as read back.
fn read(row: &AnyRow) -> Result<Entry, String> {
    let text = |name: &str| row.try_get::<String, _>(name).map_err(|e| e.to_string());
    let maybe = |name: &str| row.try_get::<Option<String>, _>(name).map_err(|e| e.to_string());
    let moment = |ms: i64| jiff::Timestamp::from_millisecond(ms).map_err(|e| e.to_string());
    let event = text("event")?;
    let via = text("via")?;
    let last: Option<i64> = row.try_get("last_ms").map_err(|e| e.to_string())?;
    let attempts: i64 = row.try_get("attempts").map_err(|e| e.to_string())?;
    Ok(Entry {
        id: Some(row.try_get("id").map_err(|e| e.to_string())?),
        time: moment(row.try_get("time_ms").map_err(|e| e.to_string())?)?,
        event: Event::parse(&event).ok_or_else(|| format!("an entry has an unknown event {event:?}"))?,
        who: text("who")?,
        via: Via::parse(&via).ok_or_else(|| format!("an entry has an unknown way in {via:?}"))?,
        client: maybe("client")?,
        payment_type: maybe("payment_type")?,
        order_id: maybe("order_id")?,
        searched: maybe("searched")?,
        what: maybe("what")?,
        outcome: text("outcome")?,
        also_checked: match maybe("also_checked")? {
            Some(json) => serde_json::from_str(&json).map_err(|e| e.to_string())?,
            None => Vec::new(),
        },
        attempts: u64::try_from(attempts).unwrap_or_default(),
        last_time: last.map(moment).transpose()?,
    })
}

#[cfg(test)]
mod tests {
    use vipps_order_management::PaymentType;

    use super::*;

    fn at(seconds: i64) -> jiff::Timestamp {
        jiff::Timestamp::from_second(1_800_000_000 + seconds).unwrap()
    }

    fn lookup(who: &str, order: &str, seconds: i64) -> Entry {
        let mut e = Entry::new(Event::Lookup, who, Via::Token, Some("192.0.2.1".parse().unwrap()))
            .order(&PaymentType::Ecom, order)
            .what("page")
            .outcome("shown");
        e.time = at(seconds);
        e
    }

    #[tokio::test]
    async fn entries_come_back_as_kept_filtered_and_paged() {
        let store = Store::memory().await.unwrap();
        let hostile = "kari\u{202e}\n\"x\"";
        for (i, (who, order)) in [("kari", "order-1"), ("ola", "order-1"), (hostile, "order-2"), ("kari", "order-2")]
            .into_iter()
            .enumerate()
        {
            store.keep(&lookup(who, order, i as i64 * 60)).await.unwrap();
        }
        let checked = lookup("ola", "order-3", 300).also_checked(vec!["RECURRING/order-3".into()]);
        let id = store.keep(&checked).await.unwrap();
        let all = store.entries(&Filter::default(), Page::NewestBefore(None), 100).await.unwrap();
        assert_eq!(all.len(), 5);
        assert_eq!(all[0].id, Some(id));
        assert_eq!(all[0].also_checked, ["RECURRING/order-3"]);
        let mut kept = checked.clone();
        kept.id = Some(id);
        assert_eq!(all[0], kept, "read back as kept");
        assert_eq!(all[2].who, hostile);

        let order_1 = Filter {
            order_id: Some("order-1".into()),
            payment_type: Some("ECOM".into()),
            ..Filter::default()
        };
        let who: Vec<String> = store
            .entries(&order_1, Page::NewestBefore(None), 100)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.who)
            .collect();
        assert_eq!(who, ["ola", "kari"]);
        let karis = Filter {
            who: Some("kari".into()),
            ..Filter::default()
        };
        assert_eq!(store.entries(&karis, Page::NewestBefore(None), 100).await.unwrap().len(), 2);
        let window = Filter {
            from: Some(at(60)),
            until: Some(at(180)),
            ..Filter::default()
        };
        let times: Vec<_> = store
            .entries(&window, Page::OldestAfter(None), 100)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.time)
            .collect();
        assert_eq!(times, [at(60), at(120)], "from is in, until is out");
        let sign_ins = Filter {
            event: Some(Event::SignIn),
            ..Filter::default()
        };
        assert!(store.entries(&sign_ins, Page::NewestBefore(None), 100).await.unwrap().is_empty());

        // Pages: two at a time, either way, each entry once.
        let first = store.entries(&Filter::default(), Page::NewestBefore(None), 2).await.unwrap();
        let next = store.entries(&Filter::default(), Page::NewestBefore(first[1].id), 2).await.unwrap();
        assert_eq!(next[0].id, all[2].id);
        let oldest = store.entries(&Filter::default(), Page::OldestAfter(all[3].id), 10).await.unwrap();
        let ids = |list: &[Entry]| list.iter().map(|e| e.id).collect::<Vec<_>>();
        assert_eq!(ids(&oldest), [all[2].id, all[1].id, all[0].id]);

        assert_eq!(store.forget_entries_before(at(120)).await.unwrap(), 2);
        assert_eq!(
            store
                .entries(&Filter::default(), Page::NewestBefore(None), 100)
                .await
                .unwrap()
                .len(),
            3
        );
    }

    #[tokio::test]
    async fn refusals_under_one_key_are_one_entry_counting_its_attempts() {
        let store = Store::memory().await.unwrap();
        let refusal = |seconds| {
            let mut e = Entry::new(Event::SignIn, "", Via::Token, Some("192.0.2.9".parse().unwrap())).outcome("throttled");
            e.time = at(seconds);
            e
        };
        let (first, n) = store.keep_counted(&refusal(0), "192.0.2.9@0").await.unwrap();
        assert_eq!(n, 1);
        for s in 1..=4 {
            assert_eq!(store.keep_counted(&refusal(s), "192.0.2.9@0").await.unwrap(), (first, s as u64 + 1));
        }
        let (other, n) = store.keep_counted(&refusal(70), "192.0.2.9@70").await.unwrap();
        assert!(other != first && n == 1, "a new window is a new entry");
        let entries = store.entries(&Filter::default(), Page::OldestAfter(None), 10).await.unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(
            (entries[0].attempts, entries[0].time, entries[0].last_time),
            (5, at(0), Some(at(4)))
        );
        assert_eq!((entries[1].attempts, entries[1].last_time), (1, None));
    }
}
