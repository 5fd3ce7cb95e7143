//! The memory budget for request bodies under way, all connections
//! together: a body is read only while the budget has room for it.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Bodies are counted against the memory budget in units of this many
/// bytes (the budget is a semaphore of units).
const UNIT: usize = 1024;

/// The memory budget for request bodies under way, all connections
/// together: a semaphore of [`UNIT`]s.
#[derive(Debug, Clone)]
pub(super) struct BodyBudget {
    units: Arc<Semaphore>,
    total: usize,
}

impl BodyBudget {
    pub(super) fn new(bytes: usize) -> BodyBudget {
        let total = (bytes / UNIT).max(1);
        BodyBudget {
            units: Arc::new(Semaphore::new(total)),
            total,
        }
    }

    /// Takes what a body needs to grow from `before` to `after` bytes into
    /// `held` (its share, given back when dropped); `Err` when the budget
    /// has no room.
    pub(super) fn grow(&self, held: &mut Option<OwnedSemaphorePermit>, before: usize, after: usize) -> Result<(), NoRoom> {
        let units = after.div_ceil(UNIT).saturating_sub(before.div_ceil(UNIT));
        if units == 0 {
            return Ok(());
        }
        let more = u32::try_from(units)
            .ok()
            .and_then(|n| self.units.clone().try_acquire_many_owned(n).ok())
            .ok_or(NoRoom)?;
        match held {
            Some(permit) => permit.merge(more),
            None => *held = Some(more),
        }
        Ok(())
    }

    /// The bytes of bodies held now (in whole units).
    pub(super) fn held_bytes(&self) -> usize {
        (self.total - self.units.available_permits()) * UNIT
    }
}

/// The budget has no room for a body's next part.
#[derive(Debug)]
pub(super) struct NoRoom;
