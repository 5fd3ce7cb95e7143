//! `vipps-om outbox`: the durable outbox from the command line, for staff,
//! scripts and shops not written in Rust. Add deliveries (a receipt, a
//! category, an image, or many as JSON lines), see the pending and the
//! dead, retry or discard one, and run a worker until a stop.

use std::io::Read as _;
use std::path::Path;
use std::time::{Duration, SystemTime};

use serde_json::{json, Value};
use vipps_order_management::validate::IMAGE_MAX_BYTES;
use vipps_order_management::{ImageUpload, NewCategory};
use vipps_order_management_outbox::{Clients, Delivery, Enqueued, Filter, Job, JobState, Outbox, OutboxError, Schedule, Worker};

use crate::args::{Cli, OutboxAction, OutboxArgs, OutboxState, WorkArgs};
use crate::failure::Failure;
use crate::files::{category_of, read_file, read_receipt};
use crate::output::{Output, Printer};

/// The most JSON lines `outbox add` reads: far beyond any batch.
const LINES_MAX: usize = 256 * 1024 * 1024;

/// Runs an `outbox` action; `None` when it printed its own output (the
/// worker's banner).
pub async fn run(cli: &Cli, args: &OutboxArgs, printer: Printer) -> Result<Option<Output>, Failure> {
    if args.database_url.trim().is_empty() {
        return Err(Failure::Config(
            "--database-url (or DATABASE_URL) is empty: name the outbox's database, postgres://… or sqlite://FILE".to_owned(),
        ));
    }
    if let OutboxAction::Work(work) = &args.action {
        // The client first: missing keys are said before the database is
        // touched.
        let client = crate::config::client(cli, false)?;
        let outbox = Outbox::open(&args.database_url).await?;
        return run_worker(client, outbox, work, printer).await.map(|()| None);
    }
    // What adds deliveries makes the outbox; what reads or acts on them
    // needs one that is there (a mistyped SQLite path is no empty outbox).
    let adds = matches!(
        args.action,
        OutboxAction::PostReceipt { .. }
            | OutboxAction::PutCategory(_)
            | OutboxAction::AddCategory(_)
            | OutboxAction::UploadImage { .. }
            | OutboxAction::Add { .. }
    );
    let outbox = if adds {
        Outbox::open(&args.database_url).await?
    } else {
        Outbox::open_existing(&args.database_url).await?
    };
    let msn = || -> Result<String, Failure> {
        cli.msn
            .clone()
            .or_else(|| std::env::var("VIPPS_MSN").ok())
            .filter(|m| !m.trim().is_empty())
            .ok_or_else(|| Failure::Config("the merchant serial number is missing: give --msn or set VIPPS_MSN".to_owned()))
    };
    let output = match &args.action {
        OutboxAction::PostReceipt {
            payment_type,
            order_id,
            receipt,
        } => {
            let receipt = read_receipt(receipt)?;
            added(
                &outbox,
                Delivery::receipt(msn()?, payment_type.clone(), order_id.as_str(), receipt)?,
            )
            .await?
        }
        OutboxAction::PutCategory(link) => {
            let delivery = Delivery::category(msn()?, link.payment_type.clone(), link.order_id.as_str(), category_of(link))?;
            added(&outbox, delivery).await?
        }
        OutboxAction::AddCategory(link) => {
            let mut category = NewCategory::new(link.payment_type.clone(), &link.order_id, link.category.clone(), &link.url);
            if let Some(image) = &link.image {
                category = category.with_image(image.as_str());
            }
            added(&outbox, Delivery::category_v3(msn()?, category)?).await?
        }
        OutboxAction::UploadImage { file } => {
            let bytes = read_file(file, IMAGE_MAX_BYTES, "the most the API accepts for an image (2 MB)")?;
            let image = ImageUpload::from_bytes(bytes)?;
            let id = image.id().to_string();
            let mut output = added(&outbox, Delivery::image(msn()?, image)?).await?;
            output.text = format!("{} (image id {id})", output.text);
            output
        }
        OutboxAction::Add { file } => add_lines(&outbox, file.as_deref()).await?,
        OutboxAction::List { states, order, limit } => {
            let mut filter = match order {
                Some(order) => Filter::order(order.as_str()),
                None => Filter::undelivered(),
            }
            .limit(*limit);
            if !states.is_empty() {
                filter = filter.states(states.iter().map(|s| state(*s)));
            }
            if let Some(msn) = &cli.msn {
                filter = filter.merchant_serial_number(msn.as_str());
            }
            let jobs = outbox.list(&filter).await?;
            let total = outbox.count(&filter).await?;
            let mut text = if jobs.is_empty() {
                "no deliveries".to_owned()
            } else {
                jobs.iter().map(line).collect::<Vec<_>>().join("\n")
            };
            if total > jobs.len() as u64 {
                text.push_str(&format!(
                    "\n{} of {total} shown, the oldest first: --limit shows more, --state and --order fewer",
                    jobs.len()
                ));
            }
            Output::new(
                text,
                json!({ "deliveries": jobs.iter().map(job_json).collect::<Vec<_>>(), "total": total }),
            )
        }
        OutboxAction::Show { id } => {
            let job = outbox.job(*id).await?;
            Output::new(details(&job), job_json(&job))
        }
        OutboxAction::Retry { id: Some(id), .. } => {
            let job = outbox.retry(*id).await?;
            Output::new(format!("delivery {id} will be tried now"), job_json(&job))
        }
        OutboxAction::Retry { id: None, .. } => {
            let n = outbox.retry_dead(cli.msn.as_deref()).await?;
            Output::new(format!("{n} dead deliveries will be tried now"), json!({ "retried": n }))
        }
        OutboxAction::Discard { id, reason } => {
            let job = outbox.discard(*id, reason).await?;
            Output::new(
                format!("delivery {id} discarded: {}", vipps_order_management::text::printable(reason)),
                job_json(&job),
            )
        }
        OutboxAction::Status => {
            let summary = outbox.summary().await?;
            let oldest = summary
                .oldest_pending
                .map(|at| SystemTime::now().duration_since(at).unwrap_or_default().as_secs());
            let text = format!(
                "{} pending, {} dead{}",
                summary.pending,
                summary.dead,
                oldest
                    .map(|s| format!("; the oldest pending waits {}", waited(s)))
                    .unwrap_or_default()
            );
            Output::new(
                text,
                json!({ "pending": summary.pending, "dead": summary.dead, "oldestPendingAgeSeconds": oldest }),
            )
        }
        OutboxAction::Work(_) => return Ok(None),
    };
    Ok(Some(output))
}

fn state(s: OutboxState) -> JobState {
    match s {
        OutboxState::Pending => JobState::Pending,
        OutboxState::Delivered => JobState::Delivered,
        OutboxState::Dead => JobState::Dead,
        OutboxState::Discarded => JobState::Discarded,
    }
}

/// One delivery enqueued: what happened, in words and JSON.
async fn added(outbox: &Outbox, delivery: Delivery) -> Result<Output, Failure> {
    let enqueued = outbox.enqueue(&delivery).await?;
    Ok(Output::new(said(&delivery, enqueued), enqueued_json(enqueued)))
}

fn said(delivery: &Delivery, enqueued: Enqueued) -> String {
    let what = delivery.kind();
    match enqueued {
        Enqueued::Added(id) => format!("{what} added to the outbox as delivery {id}"),
        Enqueued::AlreadyThere(id, state) => format!("the same {what} is in the outbox already (delivery {id}, {state}): nothing to do"),
        Enqueued::Replaced(id) => format!("{what} replaced the older one in delivery {id}, pending again"),
        _ => format!("{what} enqueued as delivery {}", enqueued.id()),
    }
}

fn enqueued_json(enqueued: Enqueued) -> Value {
    let result = match enqueued {
        Enqueued::Added(_) => "added",
        Enqueued::AlreadyThere(..) => "already there",
        Enqueued::Replaced(_) => "replaced",
        _ => "enqueued",
    };
    json!({ "id": enqueued.id(), "result": result })
}

/// Many deliveries as JSON lines, added in one transaction; every refused
/// line is named, and then none is added.
async fn add_lines(outbox: &Outbox, file: Option<&Path>) -> Result<Output, Failure> {
    let (bytes, shown) = match file.filter(|f| f.as_os_str() != "-") {
        Some(path) => (read_file(path, LINES_MAX, "far more than any batch")?, path.to_owned()),
        None => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .lock()
                .take(LINES_MAX as u64 + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| Failure::file(Path::new("stdin"), e))?;
            if bytes.len() > LINES_MAX {
                return Err(Failure::Content {
                    path: "stdin".into(),
                    reason: format!("is larger than {LINES_MAX} bytes, far more than any batch"),
                });
            }
            (bytes, "stdin".into())
        }
    };
    let mut deliveries = Vec::new();
    // The line each delivery came from, for what the batch refuses.
    let mut lines = Vec::new();
    let mut refused = Vec::new();
    for (n, line) in bytes.split(|b| *b == b'\n').enumerate() {
        let line = match std::str::from_utf8(line) {
            Ok(text) => text.trim().trim_start_matches('\u{feff}'),
            Err(e) => {
                refused.push(format!("line {}: not UTF-8 text ({e})", n + 1));
                continue;
            }
        };
        if line.is_empty() {
            continue;
        }
        match Delivery::from_json(line) {
            Ok(d) => {
                deliveries.push(d);
                lines.push(n + 1);
            }
            Err(why) => refused.push(format!("line {}: {why}", n + 1)),
        }
    }
    if !refused.is_empty() {
        const SAID: usize = 20;
        let more = refused.len().saturating_sub(SAID);
        refused.truncate(SAID);
        if more > 0 {
            refused.push(format!("and {more} more lines"));
        }
        return Err(Failure::Content {
            path: shown,
            reason: format!("was not added (nothing was): {}", refused.join("; ")),
        });
    }
    let done = match outbox.enqueue_all(&deliveries).await {
        Ok(done) => done,
        Err(OutboxError::InBatch { index, error, .. }) => {
            let line = lines.get(index).copied().unwrap_or(index + 1);
            return Err(Failure::Content {
                path: shown,
                reason: format!("was not added (nothing was): line {line}: {error}"),
            });
        }
        Err(e) => return Err(e.into()),
    };
    let added = done.iter().filter(|e| matches!(e, Enqueued::Added(_))).count();
    let text = format!(
        "{} deliveries: {added} added, {} already in the outbox or replacing an older category",
        done.len(),
        done.len() - added
    );
    Ok(Output::new(
        text,
        json!({ "deliveries": done.iter().map(|e| enqueued_json(*e)).collect::<Vec<_>>() }),
    ))
}

/// A moment as RFC 3339, in UTC.
fn at(moment: SystemTime) -> String {
    jiff::Timestamp::try_from(moment)
        .map(|t| t.round(jiff::Unit::Second).unwrap_or(t).to_string())
        .unwrap_or_default()
}

/// A wait in words.
fn waited(seconds: u64) -> String {
    match seconds {
        s if s < 120 => format!("{s} s"),
        s if s < 2 * 3600 => format!("{} min", s / 60),
        s => format!("{} h", s / 3600),
    }
}

fn job_json(job: &Job) -> Value {
    let mut value = serde_json::to_value(job).unwrap_or(Value::Null);
    // The body as JSON, not a string of it.
    if let Ok(body) = serde_json::from_str::<Value>(&job.body) {
        value["body"] = body;
    }
    for (key, moment) in [
        ("createdAt", Some(job.created_at)),
        ("nextTryAt", Some(job.next_try_at)),
        ("lastErrorAt", job.last_error_at),
        ("finishedAt", job.finished_at),
    ] {
        value[key] = moment.map(at).map_or(Value::Null, Value::String);
    }
    value
}

/// What it is about: kind, order, merchant.
fn subject(job: &Job) -> String {
    if job.order_id.is_empty() {
        format!("{} {} (msn {})", job.kind, job.item, job.merchant_serial_number)
    } else {
        format!(
            "{} {} {} (msn {})",
            job.kind, job.payment_type, job.order_id, job.merchant_serial_number
        )
    }
}

/// One line of a listing.
fn line(job: &Job) -> String {
    let mut line = format!("{:>6}  {:<9}  {}  tries {}", job.id, job.state, subject(job), job.attempts);
    match job.state {
        JobState::Pending => line.push_str(&format!("  next {}", at(job.next_try_at))),
        JobState::Discarded => line.push_str(&format!(
            "  ({})",
            vipps_order_management::text::printable(job.outcome.as_deref().unwrap_or_default())
        )),
        _ => {}
    }
    if let (Some(error), JobState::Pending | JobState::Dead) = (&job.last_error, job.state) {
        line.push_str(&format!("\n        last error: {}", vipps_order_management::text::printable(error)));
    }
    line
}

/// One delivery in full.
fn details(job: &Job) -> String {
    let mut out = format!(
        "delivery {}: {}\nstate: {}\ntries: {}\nenqueued: {}\n",
        job.id,
        subject(job),
        job.state,
        job.attempts,
        at(job.created_at)
    );
    if job.state == JobState::Pending {
        out.push_str(&format!("next try: {}\n", at(job.next_try_at)));
    }
    if let Some(owner) = &job.lease_owner {
        out.push_str(&format!("held by: {owner}\n"));
    }
    if let Some(error) = &job.last_error {
        let when = job.last_error_at.map(at).unwrap_or_default();
        out.push_str(&format!(
            "last error ({when}): {}\n",
            vipps_order_management::text::printable(error)
        ));
    }
    if let Some(outcome) = &job.outcome {
        out.push_str(&format!("outcome: {}\n", vipps_order_management::text::printable(outcome)));
    }
    if let Some(finished) = job.finished_at {
        out.push_str(&format!("ended: {}\n", at(finished)));
    }
    out.push_str(&format!("body: {}", vipps_order_management::text::printable(&job.body)));
    out
}

/// `vipps-om outbox work`: the banner, then deliveries until a stop.
async fn run_worker(client: vipps_order_management::Client, outbox: Outbox, args: &WorkArgs, printer: Printer) -> Result<(), Failure> {
    let msn = client.merchant_serial_number().to_owned();
    let clients = if args.partner {
        Clients::new().partner(client)
    } else {
        Clients::new().merchant(client)
    };
    let worker = Worker::new(outbox.clone(), clients)
        .concurrency(args.concurrency as usize)
        .lease(Duration::from_secs(args.lease))
        .poll_interval(Duration::from_millis(args.poll_ms))
        .grace(Duration::from_secs(args.grace))
        .schedule(
            Schedule::default()
                .first_wait(Duration::from_millis(args.first_wait_ms))
                .longest_wait(Duration::from_millis(args.longest_wait_ms))
                .give_up_after(Duration::from_secs(args.give_up_hours * 3600)),
        )
        .keep_delivered((args.keep_delivered_days > 0).then(|| Duration::from_secs(u64::from(args.keep_delivered_days) * 86_400)));
    if args.once {
        let report = worker.drain().await?;
        outbox.close().await;
        let output = Output::new(
            format!(
                "{} delivered, {} to be tried again, {} dead",
                report.delivered, report.retried, report.dead
            ),
            json!({ "delivered": report.delivered, "retried": report.retried, "dead": report.dead }),
        );
        return printer.success(&output);
    }
    // Listening for the stop before the banner: a stop sent right after it
    // stops the worker cleanly.
    let stop = crate::signal::shutdown();
    let serves = if args.partner { "any".to_owned() } else { msn };
    let banner = Output::new(
        format!(
            "outbox worker {} delivering from {} for merchant serial number {serves}; stops on Ctrl-C or SIGTERM",
            worker.id(),
            outbox.shown()
        ),
        json!({ "worker": worker.id(), "database": outbox.shown(), "merchantSerialNumbers": serves }),
    );
    printer.success(&banner)?;
    let report = worker.run(stop).await?;
    tracing::info!(
        delivered = report.delivered,
        retried = report.retried,
        dead = report.dead,
        released = report.released,
        "outbox worker stopped"
    );
    outbox.close().await;
    Ok(())
}
