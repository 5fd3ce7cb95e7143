//! The audit log: one JSON line per lookup, sign-in and sign-out, saying
//! when, who, from where, which order and what came of it; what merchants
//! owe their customers for personal data. Written (and synced) before the
//! page is shown: a lookup that cannot be recorded is not shown. It never
//! holds a token, a cookie or a secret.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;
use vipps_order_management::PaymentType;

use super::visitor::Via;

/// The longest text kept from what a person typed.
const MAX_SEARCHED: usize = 256;

/// One line of the audit log.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    time: String,
    event: &'static str,
    who: String,
    via: Via,
    client: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    order_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    searched: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    what: Option<&'static str>,
    outcome: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    also_checked: Vec<String>,
}

impl Entry {
    /// An event (`lookup`, `sign-in`, `sign-out`) by `who`, now.
    pub fn new(event: &'static str, who: &str, via: Via, address: IpAddr) -> Entry {
        Entry {
            time: jiff::Timestamp::now().to_string(),
            event,
            who: who.to_owned(),
            via,
            client: address.to_string(),
            payment_type: None,
            order_id: None,
            searched: None,
            what: None,
            outcome: "",
            also_checked: Vec::new(),
        }
    }

    /// The order looked up (as typed, when it could not be one: at most
    /// 256 characters of it).
    pub fn order(mut self, payment_type: &PaymentType, order_id: &str) -> Entry {
        self.payment_type = Some(payment_type.as_str().to_owned());
        self.order_id = Some(order_id.chars().take(MAX_SEARCHED).collect());
        self
    }

    /// An order id that could not be looked up with a payment type (the
    /// form's, as typed: at most 256 characters).
    pub fn order_id(mut self, order_id: &str) -> Entry {
        self.order_id = Some(order_id.chars().take(MAX_SEARCHED).collect());
        self
    }

    /// What the person typed, when it was cleaned into another id.
    pub fn searched(mut self, searched: Option<&str>) -> Entry {
        self.searched = searched.map(|s| s.chars().take(MAX_SEARCHED).collect());
        self
    }

    /// What was asked for: `page` or `json`.
    pub fn what(mut self, what: &'static str) -> Entry {
        self.what = Some(what);
        self
    }

    /// What came of it.
    pub fn outcome(mut self, outcome: &'static str) -> Entry {
        self.outcome = outcome;
        self
    }

    /// Other orders looked at to offer one (`RECURRING/order-1`).
    pub fn also_checked(mut self, checked: Vec<String>) -> Entry {
        self.also_checked = checked;
        self
    }
}

/// Where the audit log goes.
#[derive(Debug)]
pub struct Audit {
    file: Mutex<File>,
    path: PathBuf,
}

impl Audit {
    /// Appends to the file at `path` (made when missing; readable by its
    /// owner only).
    pub fn open(path: &Path) -> Result<Audit, String> {
        Ok(Audit {
            file: Mutex::new(Audit::open_file(path)?),
            path: path.to_owned(),
        })
    }

    fn open_file(path: &Path) -> Result<File, String> {
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let file = options
            .open(path)
            .map_err(|e| format!("the audit log {} cannot be written: {e}", path.display()))?;
        let meta = file
            .metadata()
            .map_err(|e| format!("the audit log {} cannot be read: {e}", path.display()))?;
        if !meta.is_file() {
            return Err(format!("the audit log {} is not a regular file", path.display()));
        }
        Ok(file)
    }

    /// `true` when the path still names the file held open: not moved away
    /// by log rotation, not deleted.
    fn still_there(&self, file: &File) -> bool {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt as _;
            match (std::fs::metadata(&self.path), file.metadata()) {
                (Ok(named), Ok(held)) => named.dev() == held.dev() && named.ino() == held.ino(),
                _ => false,
            }
        }
        #[cfg(not(unix))]
        {
            let _ = file;
            true
        }
    }

    /// Where it is written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `entry` as one line and syncs it to disk. A line that could
    /// not be written whole is taken back, so the log holds whole lines
    /// only, and the next entry starts on its own.
    pub fn record(&self, entry: &Entry) -> Result<(), String> {
        let mut line = serde_json::to_vec(entry).map_err(|e| format!("an audit entry could not be written: {e}"))?;
        line.push(b'\n');
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        // Rotated or deleted: write to the file the path names now (made
        // anew), not to one nobody will read.
        if !self.still_there(&file) {
            *file = Audit::open_file(&self.path)?;
            tracing::info!(target: "vipps_om::console", "the audit log {} was moved or deleted: writing to a new file there", self.path.display());
        }
        let failed = |e: std::io::Error| format!("the audit log {} cannot be written: {e}", self.path.display());
        let before = file.metadata().map_err(failed)?.len();
        let written = (&*file).write_all(&line).and_then(|()| file.sync_data());
        if let Err(e) = written {
            if let Err(undo) = file.set_len(before) {
                tracing::error!(target: "vipps_om::console", "a torn line in the audit log {} could not be taken back: {undo}", self.path.display());
            }
            return Err(failed(e));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_json_line_per_entry() {
        let dir = std::env::temp_dir().join(format!("vipps-om-audit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("audit.jsonl");
        let audit = Audit::open(&path).unwrap();
        let client: IpAddr = "127.0.0.1".parse().unwrap();
        audit
            .record(
                &Entry::new("lookup", "kari\n{\"who\":\"x\"}", Via::Proxy, client)
                    .order(&PaymentType::Ecom, "order-1")
                    .searched(Some("#order-1\u{200b}"))
                    .what("page")
                    .outcome("shown"),
            )
            .unwrap();
        audit
            .record(&Entry::new("sign-in", "", Via::Token, client).outcome("wrong-token"))
            .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["who"], "kari\n{\"who\":\"x\"}");
        assert_eq!(lines[0]["paymentType"], "ECOM");
        assert_eq!(lines[0]["searched"], "#order-1\u{200b}");
        assert_eq!(lines[0]["via"], "proxy");
        assert!(lines[0]["time"].as_str().unwrap().parse::<jiff::Timestamp>().is_ok());
        assert_eq!(lines[1]["outcome"], "wrong-token");
        assert!(lines[1].get("orderId").is_none());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert!(Audit::open(&dir).is_err());
        // Rotated away, then deleted: each entry goes to the file the path
        // names, made anew.
        std::fs::rename(&path, dir.join("audit.jsonl.1")).unwrap();
        audit
            .record(&Entry::new("sign-out", "kari", Via::Token, client).outcome("signed-out"))
            .unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 1);
        // Rotated with a new empty file made in its place (logrotate's
        // `create`): the entry goes to the new file, not the rotated one.
        std::fs::rename(&path, dir.join("audit.jsonl.2")).unwrap();
        std::fs::File::create(&path).unwrap();
        audit
            .record(&Entry::new("sign-out", "per", Via::Token, client).outcome("signed-out"))
            .unwrap();
        assert!(std::fs::read_to_string(&path).unwrap().contains("\"per\""));
        assert!(!std::fs::read_to_string(dir.join("audit.jsonl.2")).unwrap().contains("\"per\""));
        std::fs::remove_file(&path).unwrap();
        audit
            .record(&Entry::new("sign-out", "ola", Via::Token, client).outcome("signed-out"))
            .unwrap();
        assert!(std::fs::read_to_string(&path).unwrap().contains("\"ola\""));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
