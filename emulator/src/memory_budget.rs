//! Memory budgets, all connections together, and each client's fair share
//! of them: one for request bodies being read (a body is read only while
//! the budget, and its client's share, have room for it), one for answers
//! being written (an answer is sent only while they have room for it, and
//! holds its part until it is sent whole). One client stalling large
//! uploads, or not reading large answers, spends its own share, never
//! everyone's.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::serving::client_of;

/// Bytes are counted against a budget in units of this many (the budget
/// is a semaphore of units).
const UNIT: usize = 1024;

/// The server's two budgets.
#[derive(Debug, Clone)]
pub(super) struct Budgets {
    /// Request bodies being read.
    pub(super) bodies: MemoryBudget,
    /// Answers being written.
    pub(super) answers: MemoryBudget,
}

/// A memory budget: a semaphore of [`UNIT`]s for all, and the units each
/// client holds.
#[derive(Debug, Clone)]
pub(super) struct MemoryBudget {
    units: Arc<Semaphore>,
    total: usize,
    /// The most units one client may hold.
    per_client: usize,
    held_by: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// What one body or answer holds of a budget, given back when dropped.
#[derive(Debug)]
pub(super) struct Held {
    permit: Option<OwnedSemaphorePermit>,
    client: IpAddr,
    units: usize,
    held_by: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl Drop for Held {
    fn drop(&mut self) {
        if self.units == 0 {
            return;
        }
        let mut held_by = self.held_by.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(units) = held_by.get_mut(&self.client) {
            *units -= self.units.min(*units);
            if *units == 0 {
                held_by.remove(&self.client);
            }
        }
    }
}

impl Budgets {
    /// Budgets of `bodies` and `answers` bytes, of which one client may
    /// hold its `..._per_client`.
    pub(super) fn new(bodies: usize, bodies_per_client: usize, answers: usize, answers_per_client: usize) -> Budgets {
        Budgets {
            bodies: MemoryBudget::new(bodies, bodies_per_client),
            answers: MemoryBudget::new(answers, answers_per_client),
        }
    }
}

impl MemoryBudget {
    /// A budget of `bytes`, of which one client may hold `per_client`.
    pub(super) fn new(bytes: usize, per_client: usize) -> MemoryBudget {
        let total = (bytes / UNIT).max(1);
        MemoryBudget {
            units: Arc::new(Semaphore::new(total.min(Semaphore::MAX_PERMITS))),
            total,
            per_client: (per_client / UNIT).clamp(1, total),
            held_by: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// What a body from `peer` holds: nothing yet.
    pub(super) fn hold(&self, peer: IpAddr) -> Held {
        Held {
            permit: None,
            client: client_of(peer),
            units: 0,
            held_by: self.held_by.clone(),
        }
    }

    /// Takes what a body or answer needs to grow from `before` to `after`
    /// bytes into `held`; `Err` when the budget, or its client's share, has
    /// no room.
    pub(super) fn grow(&self, held: &mut Held, before: usize, after: usize) -> Result<(), NoRoom> {
        let units = after.div_ceil(UNIT).saturating_sub(before.div_ceil(UNIT));
        if units == 0 {
            return Ok(());
        }
        let mut held_by = self.held_by.lock().unwrap_or_else(|e| e.into_inner());
        let client = held_by.entry(held.client).or_default();
        // A client that holds nothing may take one thing larger than its
        // share (a listing of the whole record), within the budget.
        let alone = *client == 0;
        if *client + units > self.per_client && !alone {
            if *client == 0 {
                held_by.remove(&held.client);
            }
            return Err(NoRoom::ClientShare);
        }
        let more = u32::try_from(units)
            .ok()
            .and_then(|n| self.units.clone().try_acquire_many_owned(n).ok())
            .ok_or(NoRoom::Budget);
        let more = match more {
            Ok(more) => more,
            Err(e) => {
                if *client == 0 {
                    held_by.remove(&held.client);
                }
                return Err(e);
            }
        };
        *client += units;
        held.units += units;
        match &mut held.permit {
            Some(permit) => permit.merge(more),
            None => held.permit = Some(more),
        }
        Ok(())
    }

    /// The bytes held now (in whole units).
    pub(super) fn held_bytes(&self) -> usize {
        (self.total - self.units.available_permits().min(self.total)) * UNIT
    }
}

/// An answer's body that holds its part of the answers' budget until it
/// has been sent whole (or dropped).
pub(super) struct Budgeted<B> {
    body: B,
    _held: Held,
}

impl<B> Budgeted<B> {
    pub(super) fn new(body: B, held: Held) -> Budgeted<B> {
        Budgeted { body, _held: held }
    }
}

impl<B: hyper::body::Body + Unpin> hyper::body::Body for Budgeted<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        std::pin::Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.body.size_hint()
    }
}

/// The budget has no room for a body's next part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NoRoom {
    /// All clients' bodies together fill it.
    Budget,
    /// This client's bodies fill its share.
    ClientShare,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_client_spends_its_share_and_others_keep_theirs() {
        let budget = MemoryBudget::new(64 * UNIT, 16 * UNIT);
        let greedy: IpAddr = [127, 0, 0, 2].into();
        let mut stalled: Vec<Held> = Vec::new();
        for _ in 0..2 {
            let mut held = budget.hold(greedy);
            budget.grow(&mut held, 0, 8 * UNIT).unwrap();
            stalled.push(held);
        }
        let mut third = budget.hold(greedy);
        assert_eq!(budget.grow(&mut third, 0, UNIT), Err(NoRoom::ClientShare));
        assert_eq!(
            budget.grow(&mut third, 0, UNIT),
            Err(NoRoom::ClientShare),
            "a refusal forgets nothing it holds"
        );
        let mut other = budget.hold([127, 0, 0, 1].into());
        assert_eq!(budget.grow(&mut other, 0, 16 * UNIT), Ok(()), "another client has its share");
        assert_eq!(budget.held_bytes(), 32 * UNIT);
        // IPv6 clients are counted by their /64, as one host holds one.
        let mut v6 = budget.hold("2001:db8::1".parse().unwrap());
        budget.grow(&mut v6, 0, 16 * UNIT).unwrap();
        let mut v6_other = budget.hold("2001:db8::2".parse().unwrap());
        assert_eq!(budget.grow(&mut v6_other, 0, UNIT), Err(NoRoom::ClientShare));
        drop(stalled);
        assert_eq!(
            budget.grow(&mut third, 0, 16 * UNIT),
            Ok(()),
            "a share comes back when its bodies end"
        );
        drop((third, other, v6, v6_other));
        assert_eq!(budget.held_bytes(), 0);
        assert!(
            budget.held_by.lock().unwrap().is_empty(),
            "no client is remembered once it holds nothing"
        );
    }

    #[test]
    fn a_client_that_holds_nothing_may_take_one_thing_past_its_share() {
        let budget = MemoryBudget::new(64 * UNIT, 16 * UNIT);
        let client: IpAddr = [127, 0, 0, 2].into();
        let mut large = budget.hold(client);
        assert_eq!(budget.grow(&mut large, 0, 40 * UNIT), Ok(()), "one, past its share");
        let mut next = budget.hold(client);
        assert_eq!(budget.grow(&mut next, 0, UNIT), Err(NoRoom::ClientShare), "then nothing more");
        let mut past_all = budget.hold([127, 0, 0, 3].into());
        assert_eq!(
            budget.grow(&mut past_all, 0, 65 * UNIT),
            Err(NoRoom::Budget),
            "never past the budget"
        );
    }

    #[test]
    fn a_full_budget_refuses_whoever_asks_and_forgets_nothing() {
        let budget = MemoryBudget::new(4 * UNIT, 3 * UNIT);
        let (a, b): (IpAddr, IpAddr) = ([127, 0, 0, 2].into(), [127, 0, 0, 3].into());
        let mut first = budget.hold(a);
        budget.grow(&mut first, 0, 2 * UNIT).unwrap();
        let mut second = budget.hold(b);
        budget.grow(&mut second, 0, 2 * UNIT).unwrap();
        let mut more = budget.hold(a);
        assert_eq!(budget.grow(&mut more, 0, UNIT), Err(NoRoom::Budget));
        let mut fresh = budget.hold([127, 0, 0, 4].into());
        assert_eq!(budget.grow(&mut fresh, 0, UNIT), Err(NoRoom::Budget));
        assert!(
            !budget.held_by.lock().unwrap().contains_key(&IpAddr::from([127, 0, 0, 4])),
            "one that holds nothing is not kept"
        );
        drop(second);
        // `a` still holds 2 of its 3: one more fits, two do not.
        assert_eq!(budget.grow(&mut more, 0, 2 * UNIT), Err(NoRoom::ClientShare));
        assert_eq!(budget.grow(&mut more, 0, UNIT), Ok(()));
    }
}
