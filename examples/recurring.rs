//! A receipt for a Recurring API charge: the order id is the charge id, and
//! the payment type is `RECURRING`. Runs offline against the emulator.
//!
//! ```text
//! cargo run --example recurring
//! ```

use vipps_order_management::{Category, CategoryType, Currency, Error, LineItem, Money, Quantity, ReceiptBuilder, TaxRate};
use vipps_order_management_emulator::Emulator;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let emulator = Emulator::start().await?;
    let client = emulator.client();

    // The charge the Recurring API created for this month's subscription.
    let charge_id = "chr-5DCnVDbo2Kp7";
    let month = "2026-11";

    // A monthly subscription at 249.00 NOK, 50.00 off this month, 25 % VAT.
    let nok = |s| Money::parse(s, Currency::Nok);
    let receipt = ReceiptBuilder::new(Currency::Nok)
        .line(
            LineItem::new(
                "sub-monthly",
                format!("Subscription {month}"),
                nok("249.00")?,
                Quantity::from(1),
                TaxRate::percent(25),
            )
            .discount(nok("50.00")?),
        )
        .receipt_number(format!("R-{month}-0042"))
        .build()?;

    let charge = client.recurring(charge_id);
    charge
        .put_category(&Category::new(
            CategoryType::Receipt,
            format!("https://magazine.example/account/receipts/{month}"),
        ))
        .await?;
    let posted = charge.post_receipt(&receipt).await?;
    println!("receipt posted for charge {charge_id} (id {:?})", posted.id);

    // Support looks the charge up as a RECURRING order.
    print!("{}", charge.get().await?);
    Ok(())
}
