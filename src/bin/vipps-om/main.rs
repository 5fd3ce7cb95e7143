//! `vipps-om`: a support tool that shows and changes everything about an
//! order from the command line, without the merchant portal.
//!
//! ```text
//! cargo run --example vipps-om -- --help
//! cargo run --example vipps-om -- --emulator token
//! cargo run --example vipps-om -- get-order ecom order-123
//! ```
//!
//! Configured by the `VIPPS_*` variables of `Client::from_env`, or
//! `--emulator` for a fresh in-process emulator. Output goes to stdout;
//! errors go to stderr with exit code 1 (API and validation errors) or 2
//! (usage errors).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use vipps_order_management::emulator::Emulator;
use vipps_order_management::{Category, CategoryId, CategoryType, Client, Error, ImageUpload, NewCategory, PaymentType, Receipt};

#[derive(Parser)]
#[command(name = "vipps-om", version, about = "Vipps MobilePay Order Management from the command line")]
struct Cli {
    /// Run against a fresh in-process emulator instead of Vipps MobilePay.
    #[arg(long, global = true)]
    emulator: bool,
    /// Act for this merchant serial number (partners); default VIPPS_MSN.
    #[arg(long, global = true, value_name = "MSN")]
    msn: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fetch an access token and print how long it is valid (never the token).
    Token,
    /// Upload a PNG or JPEG image; prints its id.
    UploadImage {
        /// The image file.
        file: PathBuf,
        /// The id to store it under (default: derived from its bytes).
        #[arg(long)]
        id: Option<String>,
    },
    /// Set an order's (v2) category: the link shown on the payment.
    PutCategory(Link),
    /// Post an order's receipt from a file holding the API's Receipt JSON.
    PostReceipt {
        /// ecom or recurring.
        #[arg(value_parser = parse_payment_type)]
        payment_type: PaymentType,
        /// The order id.
        order_id: String,
        /// A file with the Receipt JSON (`orderLines`, `bottomLine`).
        receipt: PathBuf,
    },
    /// Show an order's category and receipt.
    GetOrder {
        /// ecom or recurring.
        #[arg(value_parser = parse_payment_type)]
        payment_type: PaymentType,
        /// The order id.
        order_id: String,
        /// Print the raw JSON instead of the readable view.
        #[arg(long)]
        json: bool,
    },
    /// Add a (v3) category; an order can have several. Prints its id.
    AddCategory(Link),
    /// List an order's (v3) categories.
    ListCategories {
        /// The order id.
        order_id: String,
    },
    /// Show one (v3) category.
    GetCategory {
        /// The category id (a UUID).
        category_id: String,
    },
    /// Delete one (v3) category.
    DeleteCategory {
        /// The category id (a UUID).
        category_id: String,
    },
}

/// The arguments of put-category and add-category.
#[derive(Args)]
struct Link {
    /// ecom or recurring.
    #[arg(value_parser = parse_payment_type)]
    payment_type: PaymentType,
    /// The order id (the charge id for recurring).
    order_id: String,
    /// GENERAL, RECEIPT, ORDER_CONFIRMATION, DELIVERY, TICKET or BOOKING.
    #[arg(value_parser = parse_category)]
    category: CategoryType,
    /// The https link.
    url: String,
    /// An uploaded image's id.
    #[arg(long)]
    image: Option<String>,
}

fn parse_payment_type(s: &str) -> Result<PaymentType, Error> {
    s.parse()
}

fn parse_category(s: &str) -> Result<CategoryType, Error> {
    s.parse()
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse(); // exits with 2 on a usage error
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).expect("API types serialize")
}

async fn run(cli: Cli) -> Result<(), Error> {
    let _emulator;
    let client = if cli.emulator {
        let emulator = Emulator::start().await?;
        eprintln!("(using a fresh in-process emulator at {})", emulator.base_url());
        let client = emulator.client();
        _emulator = emulator;
        client
    } else {
        Client::from_env()?
    };
    let msn = cli.msn;
    let order = |pt: PaymentType, id: String| {
        let o = client.order(pt, id);
        match &msn {
            Some(m) => o.merchant_serial_number(m.clone()),
            None => o,
        }
    };
    let categories = || {
        let c = client.categories();
        match &msn {
            Some(m) => c.merchant_serial_number(m.clone()),
            None => c,
        }
    };
    match cli.command {
        Command::Token => {
            let valid = client.warm_up().await?;
            println!("token OK: valid for {} s ({} min)", valid.as_secs(), valid.as_secs() / 60);
        }
        Command::UploadImage { file, id } => {
            let mut upload = ImageUpload::from_path(&file).await?;
            if let Some(id) = id {
                upload = upload.with_id(id);
            }
            let images = match &msn {
                Some(m) => client.images().merchant_serial_number(m.clone()),
                None => client.images(),
            };
            println!("{}", images.upload(&upload).await?);
        }
        Command::PutCategory(link) => {
            let mut c = Category::new(link.category, link.url);
            c.image_id = link.image.map(Into::into);
            let order_id = link.order_id;
            order(link.payment_type, order_id.clone()).put_category(&c).await?;
            println!("category set for {order_id}");
        }
        Command::PostReceipt {
            payment_type,
            order_id,
            receipt,
        } => {
            let text = std::fs::read_to_string(&receipt).map_err(|e| vipps_order_management::Error::Config {
                reason: format!("cannot read {}: {e}", receipt.display()),
            })?;
            let parsed: Receipt = serde_json::from_str(&text).map_err(|e| vipps_order_management::Error::Config {
                reason: format!("{} is not a Receipt JSON: {e}", receipt.display()),
            })?;
            let posted = order(payment_type, order_id.clone()).post_receipt(&parsed).await?;
            println!(
                "receipt posted for {order_id}{}",
                posted.id.map(|id| format!(" (id {id})")).unwrap_or_default()
            );
        }
        Command::GetOrder {
            payment_type,
            order_id,
            json: raw,
        } => {
            let o = order(payment_type, order_id).get().await?;
            if raw {
                println!("{}", json(&o));
            } else {
                print!("{o}");
            }
        }
        Command::AddCategory(link) => {
            let mut c = NewCategory::new(link.payment_type, link.order_id, link.category, link.url);
            c.image_id = link.image.map(Into::into);
            println!("{}", categories().add(&c).await?);
        }
        Command::ListCategories { order_id } => {
            let list = categories().list(order_id).await?;
            println!("{}", json(&list));
        }
        Command::GetCategory { category_id } => {
            println!("{}", json(&categories().get(&CategoryId::new(category_id)).await?));
        }
        Command::DeleteCategory { category_id } => {
            categories().delete(&CategoryId::new(category_id.clone())).await?;
            println!("deleted {category_id}");
        }
    }
    Ok(())
}
