//! The whole Order Management checklist flow in one command:
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! With no `VIPPS_*` variables set it runs against the emulator (the
//! `vipps-order-management-emulator` dev-dependency), offline. With `VIPPS_CLIENT_ID`, `VIPPS_CLIENT_SECRET`,
//! `VIPPS_SUBSCRIPTION_KEY` and `VIPPS_MSN` set it talks to Vipps MobilePay
//! (the test environment unless `VIPPS_ENV` or `VIPPS_BASE_URL` says
//! otherwise) with a fresh order id.

use std::process::ExitCode;

use vipps_order_management::{
    Barcode, BarcodeFormat, Category, CategoryType, Client, Currency, Error, ImageUpload, LineItem, Money, Quantity, QuantityUnit,
    ReceiptBuilder, TaxRate,
};
use vipps_order_management_emulator::Emulator;

/// A 200 x 200 PNG: the image shown with the link in the app.
const LOGO_PNG: &[u8] = include_bytes!("assets/receipt-logo.png");

const CREDENTIAL_VARS: [&str; 4] = ["VIPPS_CLIENT_ID", "VIPPS_CLIENT_SECRET", "VIPPS_SUBSCRIPTION_KEY", "VIPPS_MSN"];

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Error> {
    // Keep the emulator alive for the whole run when it is used.
    let mut _emulator = None;
    let client = if CREDENTIAL_VARS.iter().any(|v| std::env::var_os(v).is_some()) {
        let client = Client::from_env()?;
        println!(
            "Using Vipps MobilePay at {} (credentials from VIPPS_* variables)",
            client.base_url()
        );
        client
    } else {
        let emulator = Emulator::start().await?;
        println!(
            "No VIPPS_* variables set: running offline against the emulator at {}",
            emulator.base_url()
        );
        let client = emulator.client();
        _emulator = Some(emulator);
        client
    };

    let order_id = format!("quickstart-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);

    // 1. An access token (fetched, cached and refreshed by the client).
    let valid_for = client.warm_up().await?;
    println!("1. Access token fetched; valid for {} more minutes", valid_for.as_secs() / 60);

    // 2. An image for the link. Its id is derived from its bytes, so the
    //    same picture is stored once: a conflict means it is already there.
    let upload = ImageUpload::from_bytes(LOGO_PNG)?;
    let image_id = match client.images().upload(&upload).await {
        Ok(id) => {
            println!("2. Image uploaded ({} px high) as {}…", upload.info().height, &id.as_str()[..16]);
            id
        }
        Err(e) if e.is_conflict() => {
            println!("2. Image already uploaded earlier; reusing {}…", &upload.id().as_str()[..16]);
            upload.id().clone()
        }
        Err(e) => return Err(e),
    };

    // 3. The category: a RECEIPT link to the merchant's order page.
    let order = client.ecom(order_id.as_str());
    let link = format!("https://shop.example.com/orders/{order_id}");
    order
        .put_category(&Category::new(CategoryType::Receipt, &link).with_image(image_id))
        .await?;
    println!("3. Category RECEIPT set for order {order_id}");

    // 4. The receipt, built from unit prices (tax included), quantities and
    //    tax rates: the builder computes each line's amounts so they add up.
    let nok = |amount| Money::parse(amount, Currency::Nok);
    let vat = TaxRate::percent(25);
    let receipt = ReceiptBuilder::new(Currency::Nok)
        .line(LineItem::new("sku-socks", "Wool socks", nok("149.00")?, Quantity::from(2), vat))
        .line(LineItem::new("sku-coffee", "Coffee beans", nok("320.00")?, "0.5".parse()?, TaxRate::percent(15)).unit(QuantityUnit::Kg))
        .line(LineItem::new("shipping", "Home delivery", nok("99.00")?, Quantity::from(1), vat).shipping())
        .line(LineItem::new("sku-scarf", "Cotton scarf", nok("199.00")?, Quantity::from(1), vat).returned())
        .receipt_number("100042")
        .barcode(Barcode::new(BarcodeFormat::Code128, "100042"))
        .build()?;
    let posted = order.post_receipt(&receipt).await?;
    println!(
        "4. Receipt posted ({} lines){}",
        receipt.order_lines.len(),
        posted.id.map(|id| format!(", id {id}")).unwrap_or_default()
    );

    // 5. Read it all back, as customer support would.
    let stored = order.get().await?;
    println!("5. Order {order_id} as stored:\n\n{stored}");
    Ok(())
}
