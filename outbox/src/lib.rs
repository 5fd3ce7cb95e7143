//! A durable outbox for Vipps MobilePay Order Management: receipts,
//! categories and images that survive crashes, deploys and outages of days.
//!
//! A receipt can be posted once and never edited; lose it between the
//! capture and the post, and the customer's app shows a bare payment for
//! good. So the delivery is a row in the merchant's own database, written
//! **in the same transaction as the order** ([`postgres::enqueue`],
//! [`sqlite::enqueue`]): it exists exactly when the order does. Workers
//! ([`Worker`], or `vipps-om outbox work`) claim due rows under a lease,
//! deliver each through the SDK (a 409 is reconciled as the SDK always
//! does, so nothing is stored twice), try failures again on a [`Schedule`]
//! of days, and put what cannot succeed in a `dead` state with the error
//! in staff words, for staff to see and retry ([`Outbox::list`],
//! [`Outbox::retry`], the support console).
//!
//! ```no_run
//! # async fn demo(client: vipps_order_management::Client, receipt: vipps_order_management::Receipt) -> Result<(), Box<dyn std::error::Error>> {
//! use vipps_order_management::PaymentType;
//! use vipps_order_management_outbox::{Clients, Delivery, Outbox, Worker};
//!
//! let outbox = Outbox::open("sqlite://outbox.db").await?; // made on first use
//! outbox.enqueue(&Delivery::receipt("123456", PaymentType::Ecom, "order-1", receipt)?).await?;
//! let worker = Worker::new(outbox, Clients::new().merchant(client));
//! worker.drain().await?; // or `run` until a stop
//! # Ok(()) }
//! ```
//!
//! Teams whose queue is their own (apalis, graphile-worker, a cron job)
//! call [`deliver`] for each job: it is idempotent, and its [`Failure`]
//! says whether trying again can help.
//!
//! The table, its columns and the plain SQL that other stacks insert with
//! are in the crate's README.
#![deny(missing_docs, missing_debug_implementations)]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod claims;
pub mod database;
mod delivering;
mod delivery;
mod enqueue;
mod error;
mod job;
#[cfg(feature = "postgres")]
pub mod postgres;
mod schedule;
#[cfg(feature = "sqlite")]
pub mod sqlite;
mod staff;
mod worker;

pub use database::{Backend, Outbox, MIGRATIONS_TABLE, TABLE};
pub use delivering::{deliver, deliver_with, Clients, Delivered, Failure};
pub use delivery::{describe_not_sent, fields_not_sent, Delivery, Item, Kind};
pub use enqueue::Enqueued;
pub use error::OutboxError;
pub use job::{Job, JobState};
pub use schedule::Schedule;
pub use staff::{Filter, Summary};
pub use worker::{Worker, WorkerReport};

/// The README's examples, compiled (with both databases).
#[cfg(all(doctest, feature = "postgres", feature = "sqlite"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
