//! A merchant's web backend (axum) that enriches a payment once it is
//! captured: one `Client` in the app's state (it is cheap to clone and
//! shares one token cache and connection pool), a handler that builds the
//! receipt from the shop's cart, uploads the shop's logo (once: its id comes
//! from its bytes), sets the category with it and posts the receipt, and an
//! error answer per class of failure: the cart refused, a different receipt
//! already stored, the keys refused, Vipps MobilePay unavailable.
//!
//! Offline by default: it starts the emulator, serves the app on loopback,
//! sends itself a capture event twice (a webhook delivered twice), prints
//! the answers and exits. With `VIPPS_*` set it talks to Vipps MobilePay.
//!
//! ```text
//! cargo run --example web_handler
//! ```

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use vipps_order_management::{
    Category, CategoryType, Client, Currency, Error, ErrorKind, ImageUpload, LineItem, Money, Quantity, ReceiptBuilder, TaxRate,
};
use vipps_order_management_emulator::Emulator;

/// The shop's logo, shown with the receipt in the app.
const LOGO_PNG: &[u8] = include_bytes!("assets/receipt-logo.png");

/// The app's state: the Vipps MobilePay client, cloned into each request.
#[derive(Clone)]
struct App {
    vipps: Client,
}

/// The shop's own capture event.
#[derive(Deserialize)]
struct Captured {
    lines: Vec<CartLine>,
}

#[derive(Deserialize)]
struct CartLine {
    sku: String,
    name: String,
    /// Tax included, in kroner: `"149.00"`.
    unit_price: String,
    /// `"2"`, `"0.5"`.
    quantity: String,
    vat_percent: u8,
}

/// `POST /payments/{order_id}/captured`: enrich the payment in the app.
async fn payment_captured(
    State(app): State<App>,
    Path(order_id): Path<String>,
    Json(cart): Json<Captured>,
) -> Result<Json<Value>, AppError> {
    let mut receipt = ReceiptBuilder::new(Currency::Nok);
    for line in &cart.lines {
        let price = Money::parse(&line.unit_price, Currency::Nok)?;
        let quantity: Quantity = line.quantity.parse()?;
        receipt = receipt.line(LineItem::new(
            &line.sku,
            &line.name,
            price,
            quantity,
            TaxRate::percent(line.vat_percent),
        ));
    }
    let receipt = receipt.receipt_number(&order_id).build()?;
    // The id is derived from the bytes: uploading the same logo for every
    // order stores it once, and each later upload is a success.
    let logo = app.vipps.images().upload(&ImageUpload::from_bytes(LOGO_PNG.to_vec())?).await?;
    let order = app.vipps.ecom(&order_id);
    order
        .put_category(&Category::new(CategoryType::Receipt, format!("https://shop.example/orders/{order_id}")).with_image(logo))
        .await?;
    // Idempotent: a redelivered event posts nothing twice.
    let posted = order.post_receipt(&receipt).await?;
    Ok(Json(json!({ "orderId": order_id, "alreadyStored": posted.already_stored })))
}

/// The crate's error as an HTTP answer, by its class, so that the payment
/// system redelivers only what may pass later: the shop's data refused (422,
/// do not redeliver: fix the cart), another receipt already stored for the
/// order (409, do not redeliver: receipts cannot change, staff look), the
/// keys or settings refused (500: fix the configuration, then redeliver),
/// Vipps MobilePay unavailable (503, redeliver later), or an answer it does
/// not document (502).
struct AppError(Error);

impl From<Error> for AppError {
    fn from(e: Error) -> Self {
        AppError(e)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = match self.0.kind() {
            ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::Configuration => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_GATEWAY,
        };
        // The message is written for the shop's staff; log it too.
        tracing::error!(error = %self.0, "enriching the payment failed");
        (status, Json(json!({ "error": self.0.to_string() }))).into_response()
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // This app builds a reqwest client of its own (to send itself events).
    // The crate's `rustls` feature gives its own client a ring
    // configuration but installs no process-wide crypto provider, so an
    // application that builds its own clients picks one, once.
    #[cfg(feature = "rustls")]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let offline = std::env::var_os("VIPPS_CLIENT_ID").is_none();
    let emulator = if offline { Some(Emulator::start().await?) } else { None };
    let vipps = match &emulator {
        Some(emulator) => emulator.client(),
        None => Client::from_env()?,
    };
    let app = Router::new()
        .route("/payments/{order_id}/captured", post(payment_captured))
        .with_state(App { vipps });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/payments/web-order-1/captured", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });

    // The payment system tells the shop the payment was captured, twice.
    let event = json!({ "lines": [
        { "sku": "sku-1", "name": "Wool socks", "unit_price": "149.00", "quantity": "2", "vat_percent": 25 },
        { "sku": "ship", "name": "Home delivery", "unit_price": "99.00", "quantity": "1", "vat_percent": 25 },
    ]});
    let http = reqwest::Client::new();
    for delivery in 1..=2 {
        let answer = http.post(&url).json(&event).send().await?;
        println!("delivery {delivery}: {} {}", answer.status(), answer.text().await?);
    }
    let bad = json!({ "lines": [{ "sku": "x", "name": "x", "unit_price": "1,50", "quantity": "1", "vat_percent": 25 }] });
    let answer = http.post(&url).json(&bad).send().await?;
    println!("bad cart: {} {}", answer.status(), answer.text().await?);
    // The same order captured again with another cart: its receipt cannot
    // change, and the shop is told so instead of a redelivery loop.
    let changed =
        json!({ "lines": [{ "sku": "sku-1", "name": "Wool socks", "unit_price": "149.00", "quantity": "3", "vat_percent": 25 }] });
    let answer = http.post(&url).json(&changed).send().await?;
    println!("changed cart: {} {}", answer.status(), answer.text().await?);
    Ok(())
}
