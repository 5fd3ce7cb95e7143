//! `vipps-om console`: a read-only web console for a customer-service
//! department: everything the Order Management API holds about an order
//! (receipt, VAT by rate, links), in the staff's language, without the
//! Vipps MobilePay portal; who looked at which order in an audit trail a
//! data-protection officer can read.
//!
//! Access control: `access` says who may use it (loopback, a sign-on
//! proxy named by `identity`, named tokens from `staff`, the file read
//! again by `staff_file`), apart from the front ends (`front_end`) that
//! may name the client; `nets` are the networks believed; `guard` finds
//! who each request is (a `visitor`), `sign_in` starts and ends
//! `sessions` and refuses wrong tokens per client (`throttle`), `origin`
//! checks where a request was sent to and from. What several instances
//! must agree on is in the shared `store` (Postgres, or SQLite on one
//! machine). `audit` records each sign-in, refusal, lookup and sign-out,
//! and shows the trail to auditors.
//!
//! Rendering: `handlers` answers the routes, `lookup` reads the order
//! (`order_id` cleans what staff paste); `pages` renders it, with words
//! from `language` (Fluent), numbers and times from `numbers` (ICU4X),
//! hidden characters shown by `marks`; `trouble` says what went wrong and
//! what to do.
//!
//! The service: `layers` wraps every request (the body read whole, the
//! security headers: a strict Content-Security-Policy, `nosniff`, no page
//! runs a script or loads anything from another host; one log line),
//! `server` bounds the connections, and `service` runs it all as
//! `vipps-om console`.

mod access;
mod audit;
mod front_end;
mod guard;
mod handlers;
mod identity;
mod language;
mod layers;
mod lookup;
mod marks;
mod nets;
mod numbers;
mod order_id;
mod origin;
mod pages;
mod paths;
mod server;
mod service;
mod sessions;
mod shared;
mod sign_in;
mod staff;
mod staff_file;
mod store;
mod throttle;
mod trouble;
mod visitor;

use axum::middleware;
use axum::routing::{get, post};
use axum::Router;

pub use access::{Access, AccessBuilder};
pub use audit::{Audit, Copies, Entry, Event, Target, RETENTION_DAYS};
pub use front_end::FrontEnds;
pub use identity::{IdentityProxy, DEFAULT_GROUPS_HEADER, DEFAULT_USER_HEADER};
pub use language::Lang;
pub use nets::{parse_net, TrustedNets};
pub use server::{Peer, IDLE, MAX_CONNECTIONS};
pub(crate) use service::serve;
pub use service::{Settings, DEFAULT_DATABASE};
pub use sessions::{IDLE as SESSION_IDLE, LIFETIME as SESSION_LIFETIME, MAX_PER_PERSON};
pub use shared::{Console, SLOW_NOTICE};
pub use staff::{new_token, StaffTokens, AUDITOR, MIN_TOKEN_LEN};
pub use store::{sqlite_file, Filter, Page, Store, StoreError};
pub use throttle::{FAILURES_ALLOWED, WINDOW};
pub use visitor::Via;

/// The console's routes, with the access check and the security headers.
pub fn app(console: Console) -> Router {
    Router::new()
        .route("/", get(handlers::index))
        .route(paths::LOOKUP, get(handlers::lookup))
        .route(paths::ORDER_ROUTE, get(handlers::order_page))
        .route(paths::ORDER_JSON_ROUTE, get(handlers::order_json))
        .route(paths::AUDIT, get(audit::views::trail))
        .route(paths::AUDIT_EXPORT, get(audit::views::export))
        .route(paths::LOGIN, get(sign_in::login_page).post(sign_in::login))
        .route(paths::LOGOUT, post(sign_in::logout))
        .route(paths::LANGUAGE_ROUTE, get(handlers::choose_language))
        .route(paths::STYLESHEET, get(handlers::stylesheet))
        .route(paths::HEALTH, get(handlers::health))
        .fallback(handlers::not_found)
        .method_not_allowed_fallback(handlers::wrong_method)
        .layer(middleware::from_fn_with_state(console.clone(), guard::guard))
        .layer(middleware::from_fn(layers::whole_body))
        .layer(middleware::from_fn(layers::headers_and_log))
        .with_state(console)
}
