//! `vipps-om console`: a read-only web console for a customer-service
//! department: everything the Order Management API holds about an order
//! (receipt, VAT by rate, links), in the staff's language, without the
//! Vipps MobilePay portal; who looked at which order in an audit log.
//!
//! `access` says who may use it (loopback, a sign-on proxy's header via
//! `proxy`, named tokens from `staff`); `guard` finds who each request is
//! (a `visitor`), `sign_in` starts and ends `sessions` kept on the server
//! and limits failed sign-ins per client (`throttle`), `origin` checks
//! where a request was sent to and from; `audit` records each lookup and
//! sign-in; `handlers` answers the routes, `lookup` cleans what staff paste
//! and reads the order; `pages` renders it, with words from `language`
//! (Fluent) and numbers from `numbers` (ICU4X); `trouble` says what went
//! wrong and what to do. `layers` wraps every request: the body read whole,
//! the security headers (a strict Content-Security-Policy, `nosniff`: no
//! page runs a script or loads anything from another host) and one log
//! line; `server` bounds the connections, and `service` runs it all as
//! `vipps-om console`.

mod access;
mod audit;
mod guard;
mod handlers;
mod language;
mod layers;
mod lookup;
mod numbers;
mod order_id;
mod origin;
mod pages;
mod paths;
mod proxy;
mod server;
mod service;
mod sessions;
mod shared;
mod sign_in;
mod staff;
mod throttle;
mod trouble;
mod visitor;

use axum::middleware;
use axum::routing::{get, post};
use axum::Router;

pub use access::{Access, AccessBuilder};
pub use audit::Audit;
pub use language::Lang;
pub use proxy::{parse_net, DEFAULT_USER_HEADER};
pub use server::{Peer, IDLE, MAX_CONNECTIONS};
pub(crate) use service::serve;
pub use service::Settings;
pub use shared::Console;
pub use staff::{StaffTokens, MIN_TOKEN_LEN};
pub use throttle::FAILURES_ALLOWED;
pub use visitor::Via;

/// The console's routes, with the access check and the security headers.
pub fn app(console: Console) -> Router {
    Router::new()
        .route("/", get(handlers::index))
        .route(paths::LOOKUP, get(handlers::lookup))
        .route(paths::ORDER_ROUTE, get(handlers::order_page))
        .route(paths::ORDER_JSON_ROUTE, get(handlers::order_json))
        .route(paths::LOGIN, get(sign_in::login_page).post(sign_in::login))
        .route(paths::LOGOUT, post(sign_in::logout))
        .route(paths::LANGUAGE_ROUTE, get(handlers::choose_language))
        .route(paths::STYLESHEET, get(handlers::stylesheet))
        .fallback(handlers::not_found)
        .method_not_allowed_fallback(handlers::wrong_method)
        .layer(middleware::from_fn_with_state(console.clone(), guard::guard))
        .layer(middleware::from_fn(layers::whole_body))
        .layer(middleware::from_fn(layers::headers_and_log))
        .with_state(console)
}
