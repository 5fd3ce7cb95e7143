//! A partner or platform acting for several merchants with one client: the
//! partner's keys, and each merchant's serial number per call. Runs offline
//! against the emulator, which keeps each merchant's orders apart.
//!
//! ```text
//! cargo run --example partner
//! ```

use vipps_order_management::{Amount, Category, CategoryType, Client, Currency, Error, OrderLine, Receipt, TaxRate};
use vipps_order_management_emulator::Emulator;

/// The merchants this platform serves, by merchant serial number.
const MERCHANTS: [(&str, &str); 2] = [("212121", "Bakery Bergen"), ("343434", "Bikes Oslo")];

/// What the platform does for each captured payment, for any merchant.
async fn enrich(client: &Client, msn: &str, order_id: &str, receipt: &Receipt) -> Result<(), Error> {
    let order = client.ecom(order_id).merchant_serial_number(msn);
    order
        .put_category(&Category::new(
            CategoryType::Receipt,
            format!("https://platform.example/{msn}/orders/{order_id}"),
        ))
        .await?;
    order.post_receipt(receipt).await?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let emulator = Emulator::start().await?;
    // One client for the platform; its own serial number is only the
    // default for calls that set none.
    let client = emulator.client();
    for (msn, name) in MERCHANTS {
        let line = OrderLine::new(
            "item-1",
            format!("Order at {name}"),
            Amount::from_minor(10_000),
            Amount::from_minor(8_000),
            TaxRate::percent(25),
        );
        enrich(&client, msn, "order-1", &Receipt::new(Currency::Nok, vec![line])).await?;
        println!("{name} ({msn}): category and receipt posted for order-1");
    }
    // The same order id at two merchants is two orders.
    for (msn, name) in MERCHANTS {
        let order = client.ecom("order-1").merchant_serial_number(msn).get().await?;
        let receipt = order.receipt.as_ref().map(|r| r.order_lines[0].name.clone()).unwrap_or_default();
        println!("{name} ({msn}) sees: {receipt}");
    }
    // A merchant the platform posted nothing for has no such order.
    let err = client.ecom("order-1").merchant_serial_number("565656").get().await.unwrap_err();
    println!("565656 sees: {}", if err.is_not_found() { "nothing (404)" } else { "an error" });
    Ok(())
}
