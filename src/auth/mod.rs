//! Access tokens: fetched on first use, cached, and refreshed ahead of
//! expiry by a task of their own, one fetch for any number of callers.
//!
//! `cache` holds the token a client uses and decides when to fetch
//! another; `endpoint` asks the token endpoint for one and reads its
//! answer. The transport gets tokens through its `Authorizer` trait, which
//! the cache implements, so the transport depends on neither.

mod cache;
mod endpoint;

pub(crate) use cache::TokenCache;
#[cfg(test)]
pub(crate) use endpoint::parse_token_response;
pub(crate) use endpoint::{TokenEndpoint, TokenFacts};
