//! What the emulator stores, per merchant serial number, and its state
//! file: orders (category and receipt as sent, every field kept), images
//! and v3 categories. Written atomically (a temporary file renamed over
//! the old one), so a crash never leaves a half-written file.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::PaymentType;

/// Everything stored, by merchant serial number.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct Store {
    /// The format of the state file.
    version: u32,
    #[serde(default)]
    pub(super) merchants: BTreeMap<String, Merchant>,
}

/// What one merchant stored.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Merchant {
    /// Images by id: their bytes in base64, as uploaded.
    #[serde(default)]
    pub(super) images: BTreeMap<String, String>,
    /// Orders by `PAYMENTTYPE/orderId`.
    #[serde(default)]
    pub(super) orders: BTreeMap<String, StoredOrder>,
    /// The v3 categories, oldest first, each as the spec's `Category`.
    #[serde(default)]
    pub(super) categories_v3: Vec<Value>,
}

/// One order's enrichment, as sent.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub(super) struct StoredOrder {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) category: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) receipt: Option<Value>,
}

/// The key of an order: `ECOM/order-1`.
pub(super) fn order_key(payment_type: &PaymentType, order_id: &str) -> String {
    format!("{}/{order_id}", payment_type.as_str())
}

const VERSION: u32 = 1;

impl Store {
    pub(super) fn merchant(&self, msn: &str) -> Option<&Merchant> {
        self.merchants.get(msn)
    }

    pub(super) fn merchant_mut(&mut self, msn: &str) -> &mut Merchant {
        self.merchants.entry(msn.to_owned()).or_default()
    }

    /// Reads a state file; a missing file is an empty store.
    pub(super) fn load(path: &Path) -> Result<Store, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Store::default()),
            Err(e) => return Err(format!("cannot read the state file {}: {e}", path.display())),
        };
        if text.trim().is_empty() {
            // A file made with `touch` starts an empty emulator.
            return Ok(Store::default());
        }
        let store: Store = serde_json::from_str(&text).map_err(|e| {
            format!(
                "the state file {} is not an emulator state (line {}, column {}): {e}",
                path.display(),
                e.line(),
                e.column()
            )
        })?;
        if store.version > VERSION {
            return Err(format!(
                "the state file {} was written by a newer version (format {}); this one reads format {VERSION}",
                path.display(),
                store.version
            ));
        }
        Ok(store)
    }

    /// Writes the state file atomically: a temporary file next to it,
    /// flushed to disk, given the old file's permissions, then renamed over
    /// it. `path` is the file itself (a symlink resolved: see [`StateFile`]).
    pub(super) fn save(&mut self, path: &Path) -> std::io::Result<()> {
        self.version = VERSION;
        let bytes = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        let tmp = temporary_path(path);
        let result = (|| {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
            if let Ok(meta) = std::fs::metadata(path) {
                std::fs::set_permissions(&tmp, meta.permissions())?;
            }
            std::fs::rename(&tmp, path)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }
}

/// A state file in use: the file itself (a symlink followed, so that saving
/// replaces the target, not the link), and a lock that keeps a second
/// emulator from writing it at the same time.
#[derive(Debug)]
pub(super) struct StateFile {
    pub(super) path: PathBuf,
    _lock: std::fs::File,
}

impl StateFile {
    /// Opens a state file for one emulator: resolves it, locks it, loads it
    /// (a missing file is an empty store), and writes it once, so that a
    /// file it cannot write is refused at start, not at the first change.
    pub(super) fn open(given: &Path) -> Result<(StateFile, Store), String> {
        let path = resolve(given).map_err(|e| format!("the state file {} cannot be used: {e}", given.display()))?;
        let mut lock_name = path.file_name().map(|n| n.to_os_string()).unwrap_or_else(|| "state".into());
        lock_name.push(".lock");
        let lock_path = path.with_file_name(lock_name);
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| format!("the state file's lock {} cannot be created: {e}", lock_path.display()))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(format!(
                    "the state file {} is in use by another emulator (it holds {}); give each its own file",
                    path.display(),
                    lock_path.display()
                ))
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(format!("the state file {} cannot be locked: {e}", path.display())),
        }
        let mut store = Store::load(&path)?;
        store
            .save(&path)
            .map_err(|e| format!("the state file {} cannot be written: {e}", path.display()))?;
        Ok((StateFile { path, _lock: lock }, store))
    }
}

/// The file a path names, symlinks followed; for a file that does not
/// exist yet, its folder resolved.
fn resolve(path: &Path) -> std::io::Result<PathBuf> {
    match std::fs::canonicalize(path) {
        Ok(p) => Ok(p),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let name = path.file_name().ok_or_else(|| std::io::Error::other("it names no file"))?;
            let parent = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            Ok(std::fs::canonicalize(parent)?.join(name))
        }
        Err(e) => Err(e),
    }
}

fn temporary_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_else(|| "state".into());
    name.push(format!(".tmp-{}", std::process::id()));
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_atomically_and_loads_back() {
        let dir = std::env::temp_dir().join(format!("vipps-om-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.json");
        assert!(Store::load(&path).unwrap().merchants.is_empty(), "a missing file is empty");
        let mut store = Store::default();
        store.merchant_mut("123456").orders.insert(
            order_key(&PaymentType::Ecom, "o-1"),
            StoredOrder {
                category: Some(serde_json::json!({"category": "RECEIPT"})),
                receipt: None,
            },
        );
        store.save(&path).unwrap();
        let leftovers: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left");
        let back = Store::load(&path).unwrap();
        assert!(back.merchant("123456").unwrap().orders.contains_key("ECOM/o-1"));
        std::fs::write(&path, "{ not json").unwrap();
        assert!(Store::load(&path).unwrap_err().contains("line 1, column 3"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_state_file_is_locked_written_through_links_and_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("vipps-om-statefile-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("state.json");
        let link = dir.join("link.json");
        std::fs::write(&target, "").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let (file, mut store) = StateFile::open(&link).unwrap();
        assert_eq!(file.path, std::fs::canonicalize(&target).unwrap());
        // A second emulator on the same file is refused.
        assert!(StateFile::open(&target).unwrap_err().contains("in use by another emulator"));
        store.merchant_mut("1").images.insert("x".into(), "eA==".into());
        store.save(&file.path).unwrap();
        assert!(
            std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(),
            "the link stays a link"
        );
        assert!(std::fs::read_to_string(&target).unwrap().contains("eA=="));
        assert_eq!(std::fs::metadata(&target).unwrap().permissions().mode() & 0o777, 0o600);
        drop(file);
        assert!(StateFile::open(&target).is_ok(), "free again once the first is gone");
        // A file that cannot be written is refused at start.
        assert!(StateFile::open(&dir.join("no-such-dir/state.json")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
