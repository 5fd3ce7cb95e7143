//! Compacting the state file after a reset, so that what was reset leaves
//! the disk, without holding the state's lock while the file is written:
//!
//! 1. under the lock, [`Journal::begin_compaction`] takes a snapshot of the
//!    store (its values shared, nothing copied) and notes where the journal
//!    stands;
//! 2. outside it, [`Compaction::write`] writes the snapshot to
//!    `FILE.compacting`, with the file's permissions, and syncs it;
//! 3. under the lock again, [`Journal::finish_compaction`] appends what the
//!    journal took meanwhile, syncs, takes the file's lock, and renames it
//!    over the file.
//!
//! A kill at any moment leaves the old journal or the new one whole; a
//! `.compacting` file left behind is removed at the next start, which
//! compacts again (the journal it kept holds the reset).

use std::fs::{File, OpenOptions, Permissions};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::{Header, Journal, FORMAT};
use crate::store::{Snapshot, Store};

/// A compaction begun: what to write, and from where the journal took more.
#[derive(Debug)]
pub(crate) struct Compaction {
    snapshot: Vec<Snapshot>,
    /// The journal's length when the snapshot was taken.
    from: u64,
    temporary: PathBuf,
    permissions: Permissions,
}

/// The snapshot written, not yet in place.
#[derive(Debug)]
pub(crate) struct Written {
    file: File,
    len: u64,
    from: u64,
    temporary: PathBuf,
}

/// Where a compaction writes the new journal before it replaces the file.
pub(super) fn beside(real: &Path) -> PathBuf {
    let mut name = real.as_os_str().to_owned();
    name.push(".compacting");
    PathBuf::from(name)
}

impl Journal {
    /// Begins a compaction of the journal into `store` as it is; `None`
    /// when one is under way (it compacts again when it ends).
    pub(crate) fn begin_compaction(&mut self, store: &Store) -> Option<Compaction> {
        if self.compacting {
            self.compact_again = true;
            return None;
        }
        let permissions = match self.file.metadata() {
            Ok(meta) => meta.permissions(),
            Err(e) => {
                tracing::warn!(target: "vipps_order_management_emulator", file = %self.path.display(), error = %e, "could not read the state file's permissions; it is not compacted");
                return None;
            }
        };
        self.compacting = true;
        self.compact_again = false;
        Some(Compaction {
            snapshot: store.snapshot(),
            from: self.len,
            temporary: beside(&self.real),
            permissions,
        })
    }

    /// Puts a written compaction in place: what the journal took since its
    /// snapshot appended, synced, locked and renamed over the file. Whether
    /// a reset came meanwhile (compact again). On failure the file is left
    /// as it was (whole) and the error says why.
    pub(crate) fn finish_compaction(&mut self, written: std::io::Result<Written>) -> std::io::Result<bool> {
        self.compacting = false;
        let again = std::mem::take(&mut self.compact_again);
        let Written {
            mut file,
            len,
            from,
            temporary,
        } = written?;
        let placed = (|| {
            let meanwhile = self.len.saturating_sub(from);
            let mut old = File::open(&self.real)?;
            old.seek(SeekFrom::Start(from))?;
            let copied = std::io::copy(&mut old.take(meanwhile), &mut file)?;
            if copied != meanwhile {
                return Err(std::io::Error::other(format!(
                    "the state file holds {copied} bytes past the compaction's start, not {meanwhile}"
                )));
            }
            file.sync_data()?;
            file.try_lock().map_err(|e| std::io::Error::other(e.to_string()))?;
            std::fs::rename(&temporary, &self.real)?;
            Ok(len + copied)
        })();
        match placed {
            Ok(new_len) => {
                // The old file's lock goes with its handle.
                self.file = file;
                self.len = new_len;
                Ok(again)
            }
            Err(e) => {
                let _ = std::fs::remove_file(&temporary);
                Err(e)
            }
        }
    }

    /// Compacts at once (at start, and in tests): the three steps in one.
    pub(crate) fn compact_now(&mut self, store: &Store) -> std::io::Result<()> {
        let Some(compaction) = self.begin_compaction(store) else {
            return Ok(());
        };
        let written = compaction.write();
        self.finish_compaction(written).map(drop)
    }
}

impl Compaction {
    /// Writes the snapshot to the file beside the journal, with the
    /// journal's permissions, and syncs it (outside the state's lock; long
    /// for a large store). On failure nothing is left beside the journal.
    pub(crate) fn write(self) -> std::io::Result<Written> {
        let written = (|| {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(true)
                .open(&self.temporary)?;
            // As private as the journal, before anything is written to it.
            file.set_permissions(self.permissions.clone())?;
            let mut out = BufWriter::new(&file);
            let mut header = serde_json::to_vec(&Header {
                vipps_om_emulator_state: FORMAT,
            })
            .map_err(std::io::Error::other)?;
            header.push(b'\n');
            out.write_all(&header)?;
            let mut len = header.len() as u64;
            for stored in &self.snapshot {
                let line = stored.line();
                out.write_all(&line)?;
                len += line.len() as u64;
            }
            out.flush()?;
            drop(out);
            file.sync_data()?;
            Ok((file, len))
        })();
        match written {
            Ok((file, len)) => Ok(Written {
                file,
                len,
                from: self.from,
                temporary: self.temporary,
            }),
            Err(e) => {
                let _ = std::fs::remove_file(&self.temporary);
                Err(e)
            }
        }
    }
}
