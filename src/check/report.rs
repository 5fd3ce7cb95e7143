//! What the go-live check found: each item's outcome (passed, failed with
//! what to do, not checked with why), and the report of them all.

use std::fmt;

use serde::Serialize;

/// How one item of the check ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Outcome {
    /// It holds.
    Passed {
        /// What was seen.
        detail: String,
    },
    /// It does not hold.
    Failed {
        /// What was seen.
        detail: String,
        /// What to do about it.
        #[serde(rename = "whatToDo")]
        what_to_do: String,
    },
    /// It was not checked.
    NotChecked {
        /// Why not.
        why: String,
    },
}

/// One item of the check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CheckItem {
    /// A stable name (`token`, `order-management-access`, ...), for code.
    pub name: &'static str,
    /// What the item checks, for people.
    pub title: &'static str,
    /// How it ended.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// What the check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CheckReport {
    /// The base URL checked against.
    pub base_url: String,
    /// `production`, `test`, or `custom` (another base URL).
    pub environment: &'static str,
    /// The merchant serial number the client sends.
    pub merchant_serial_number: String,
    /// Every item, in the order checked.
    pub items: Vec<CheckItem>,
}

impl CheckReport {
    /// `true` when every item that was checked passed.
    pub fn passed(&self) -> bool {
        self.items.iter().all(|i| !matches!(i.outcome, Outcome::Failed { .. }))
    }

    /// The item of this name.
    pub fn item(&self, name: &str) -> Option<&CheckItem> {
        self.items.iter().find(|i| i.name == name)
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Go-live check against {} ({}), merchant serial number {}",
            self.base_url, self.environment, self.merchant_serial_number
        )?;
        for item in &self.items {
            match &item.outcome {
                Outcome::Passed { detail } => writeln!(f, "  passed       {}: {detail}", item.title)?,
                Outcome::Failed { detail, what_to_do } => {
                    writeln!(f, "  FAILED       {}: {detail}", item.title)?;
                    writeln!(f, "               what to do: {what_to_do}")?;
                }
                Outcome::NotChecked { why } => writeln!(f, "  not checked  {}: {why}", item.title)?,
            }
        }
        let failed = self.items.iter().filter(|i| matches!(i.outcome, Outcome::Failed { .. })).count();
        match failed {
            0 => write!(f, "Every item checked passed."),
            n => write!(f, "{n} item(s) failed: fix them, then run the check again."),
        }
    }
}

pub(super) fn passed(detail: impl Into<String>) -> Outcome {
    Outcome::Passed { detail: detail.into() }
}

pub(super) fn failed(detail: impl Into<String>, what_to_do: impl Into<String>) -> Outcome {
    Outcome::Failed {
        detail: detail.into(),
        what_to_do: what_to_do.into(),
    }
}

pub(super) fn not_checked(why: impl Into<String>) -> Outcome {
    Outcome::NotChecked { why: why.into() }
}
