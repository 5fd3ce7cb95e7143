//! The helpers the workspace's tests share. Their one copy is the SDK's
//! `tests/common/support.rs`, which the SDK's tests use as a module (so the
//! SDK's published package tests on its own); this crate, never published,
//! hands the same file to the emulator's and the tool's tests.

#[path = "../../tests/common/support.rs"]
mod support;

pub use support::*;

/// A Postgres for the tests that need one (the `postgres` feature).
#[cfg(feature = "postgres")]
pub mod postgres;
