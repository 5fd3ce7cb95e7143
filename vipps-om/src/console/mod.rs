//! `vipps-om console`: a read-only web console for a customer-service
//! department: everything the Order Management API holds about an order
//! (receipt, VAT by rate, links), in the staff's language, without the
//! Vipps MobilePay portal; who looked at which order in an audit trail a
//! data-protection officer can read.
//!
//! Four groups, each importing only from those before it here:
//!
//! - `access`: who may use it (loopback, a sign-on proxy named by
//!   `identity`, named tokens from `staff`), apart from the front ends
//!   (`front_end`) that may name the client; `nets` are the networks
//!   believed; a request's `visitor`; `sessions` and wrong tokens per
//!   client (`throttle`); the `audit` trail of each sign-in, refusal,
//!   lookup and sign-out, its `entry`; the shared `store` (Postgres, or
//!   SQLite on one machine) for what several instances must agree on.
//! - `lookup`: reading the order through the SDK (`order_id` cleans what
//!   staff paste).
//! - `pages`: rendering, with words from `language` (Fluent), numbers and
//!   times from `numbers` (ICU4X); `trouble` says what went wrong and
//!   what to do.
//! - `service`: the routes (`handlers`, `trail` for auditors, `sign_in`),
//!   the `guard` that finds who each request is, `origin` checks,
//!   `layers` around every request (the body read whole, the security
//!   headers: a strict Content-Security-Policy, `nosniff`, no page runs a
//!   script or loads anything from another host; one log line), the
//!   `server` (the emulator crate's bounded one), the `staff_file` read
//!   again, and `vipps-om console` itself.
//!
//! Below them all: `marks` (characters nobody sees, shown) and `paths`
//! (the console's addresses).

mod access;
mod lookup;
mod marks;
mod pages;
mod paths;
mod service;

use axum::middleware;
use axum::routing::{get, post};
use axum::Router;

pub use access::audit::{Audit, Copies, Target, RETENTION_DAYS};
pub use access::entry::{Entry, Event};
pub use access::front_end::FrontEnds;
pub use access::identity::{IdentityProxy, DEFAULT_GROUPS_HEADER, DEFAULT_USER_HEADER};
pub use access::nets::{parse_net, TrustedNets};
pub use access::sessions::{IDLE as SESSION_IDLE, LIFETIME as SESSION_LIFETIME, MAX_PER_PERSON};
pub use access::staff::{new_token, StaffTokens, AUDITOR, MIN_TOKEN_LEN};
pub use access::store::{sqlite_file, Filter, Page, Store, StoreError};
pub use access::throttle::{FAILURES_ALLOWED, WINDOW};
pub use access::visitor::Via;
pub use access::{Access, AccessBuilder};
pub use pages::language::Lang;
pub(crate) use service::serve;
pub use service::server::{Peer, IDLE, MAX_CONNECTIONS};
pub use service::shared::{Console, SLOW_NOTICE};
pub use service::{Settings, DEFAULT_DATABASE};

/// The console's routes, with the access check and the security headers.
pub fn app(console: Console) -> Router {
    Router::new()
        .route("/", get(service::handlers::index))
        .route(paths::LOOKUP, get(service::handlers::to_order))
        .route(paths::ORDER_ROUTE, get(service::handlers::order_page))
        .route(paths::ORDER_JSON_ROUTE, get(service::handlers::order_json))
        .route(paths::AUDIT, get(service::trail::trail))
        .route(paths::AUDIT_EXPORT, get(service::trail::export))
        .route(paths::DELIVERIES, get(service::deliveries::undelivered))
        .route(paths::DELIVERY_RETRY_ROUTE, post(service::deliveries::retry))
        .route(paths::LOGIN, get(service::sign_in::login_page).post(service::sign_in::login))
        .route(paths::LOGOUT, post(service::sign_in::logout))
        .route(paths::LANGUAGE_ROUTE, get(service::handlers::choose_language))
        .route(paths::STYLESHEET, get(service::handlers::stylesheet))
        .route(paths::HEALTH, get(service::handlers::health))
        .fallback(service::handlers::not_found)
        .method_not_allowed_fallback(service::handlers::wrong_method)
        .layer(middleware::from_fn_with_state(console.clone(), service::guard::guard))
        .layer(middleware::from_fn(service::layers::whole_body))
        .layer(middleware::from_fn(service::layers::headers_and_log))
        .with_state(console)
}
