//! The state file (`--state`): an append-only journal of the store's
//! changes, one JSON line each, after a first line that says what the file
//! is. Opening it replays the lines; every change is appended (one `write`)
//! before it is applied or answered, so nothing is acknowledged that a kill
//! of the emulator could lose (the operating system has it; a power cut is
//! not guarded against, which would cost an fsync per change).
//!
//! A reset compacts the file (`compaction`), so that what was reset does not
//! stay on disk; a start compacts a file that holds a reset (one a kill
//! interrupted compacting, or one from before compaction).
//!
//! The file itself is locked while an emulator uses it (a lock on the file,
//! not its name: a link or another path to it is refused too). A file that
//! is not an emulator's journal, or that is read-only, is refused at start
//! with a message naming it, and nothing is created beside it.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

mod compaction;

pub(super) use compaction::Compaction;

use super::store::{Change, Prepared, Store};

/// The first line of a state file, and the format it names.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Header {
    vipps_om_emulator_state: u32,
}

/// The journal format this emulator writes and reads.
const FORMAT: u32 = 2;

/// A state file in use: locked, open for appending.
#[derive(Debug)]
pub(super) struct Journal {
    /// The path given (as shown in messages).
    pub(super) path: PathBuf,
    /// The file itself (through any link), where a compacted journal is
    /// renamed to.
    real: PathBuf,
    file: File,
    /// Its length after the last whole line: a failed append is cut back
    /// to it, so no torn line stays between two good ones.
    len: u64,
    /// A compaction is under way (its file being written outside the lock).
    compacting: bool,
    /// A reset came while one was under way: compact again after it.
    compact_again: bool,
}

impl Journal {
    /// Opens, locks and replays a state file; a missing one is created and
    /// an empty one (`touch`) is started. Refused with a message naming the
    /// file: a directory, a read-only file, one another emulator holds
    /// (through any path), one that is not an emulator's state.
    pub(super) fn open(path: &Path) -> Result<(Journal, Store), String> {
        let shown = path.display();
        if path.is_dir() {
            return Err(format!("the state file {shown} is a folder; give a file"));
        }
        let mut created = false;
        let file = match OpenOptions::new().read(true).append(true).open(path) {
            Ok(file) => {
                let meta = file.metadata().map_err(|e| format!("the state file {shown} cannot be read: {e}"))?;
                if !meta.is_file() {
                    return Err(format!(
                        "the state file {shown} is not a regular file (a device or a pipe); give a file"
                    ));
                }
                if meta.permissions().readonly() {
                    return Err(format!(
                        "the state file {shown} is read-only, so the emulator could not keep what it is sent; make it writable or give another file"
                    ));
                }
                file
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Ok(target) = std::fs::read_link(path) {
                    return Err(format!(
                        "the state file {shown} is a link to {}, which does not exist; give a file, or a link to one",
                        target.display()
                    ));
                }
                let file = OpenOptions::new()
                    .read(true)
                    .append(true)
                    .create_new(true)
                    .open(path)
                    .map_err(|e| format!("the state file {shown} cannot be created: {e}"))?;
                created = true;
                file
            }
            Err(e) => return Err(format!("the state file {shown} cannot be opened for writing: {e}")),
        };
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(format!(
                "the state file {shown} is in use by another emulator (through this path, a link or another name); give each its own file"
            ))
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(format!("the state file {shown} cannot be locked: {e}")),
        }
        let real = std::fs::canonicalize(path).map_err(|e| format!("the state file {shown} cannot be found: {e}"))?;
        // A compaction a kill interrupted: the journal itself is whole (and
        // holds the reset, so it is compacted again below).
        let _ = std::fs::remove_file(compaction::beside(&real));
        let mut journal = Journal {
            path: path.to_owned(),
            real,
            file,
            len: 0,
            compacting: false,
            compact_again: false,
        };
        match journal.replay() {
            Ok((store, reset_seen)) => {
                if reset_seen {
                    // What was reset leaves the disk before anything else
                    // comes (a compaction that failed says why; the file is
                    // whole either way).
                    if let Err(e) = journal.compact_now(&store) {
                        tracing::warn!(target: "vipps_order_management_emulator", file = %shown, error = %e, "could not compact the state file, which holds a reset; what was reset stays in the file until the next reset");
                    }
                }
                Ok((journal, store))
            }
            Err(e) => {
                // A file this start created (its header could not be
                // written: a full disk) is not left behind.
                if created {
                    let _ = std::fs::remove_file(path);
                }
                Err(e)
            }
        }
    }

    /// Reads every change back. A last line cut short (an append the
    /// emulator was killed in) is dropped; a whole last line without its
    /// newline (a file a script wrote) is kept and its newline added; a
    /// damaged line before it is an error, as is a file that is no
    /// emulator's state.
    fn replay(&mut self) -> Result<(Store, bool), String> {
        let shown = self.path.display().to_string();
        let cannot = |e: std::io::Error| format!("the state file {shown} cannot be read: {e}");
        self.file.seek(SeekFrom::Start(0)).map_err(cannot)?;
        let mut reader = BufReader::new(&self.file);
        let mut store = Store::default();
        let mut reset_seen = false;
        // Bytes, not text: a line cut short inside a character (a kill in
        // the middle of an append of Norwegian or emoji text) is no valid
        // UTF-8, and is a torn line like any other.
        let mut line = Vec::new();
        let mut good: u64 = 0;
        let mut number = 0usize;
        // The last line is whole but lacks its newline (a file written by
        // hand or a script): it is kept, and its newline added.
        let mut unended = false;
        loop {
            line.clear();
            let read = reader.read_until(b'\n', &mut line).map_err(cannot)?;
            if read == 0 {
                break;
            }
            number += 1;
            let whole = line.ends_with(b"\n");
            let text = line.trim_ascii_end();
            if number == 1 {
                match serde_json::from_slice::<Header>(text) {
                    Ok(h) if h.vipps_om_emulator_state == FORMAT => {}
                    Ok(h) => {
                        return Err(format!(
                            "the state file {shown} is in format {} of the emulator; this one reads format {FORMAT}: give another file",
                            h.vipps_om_emulator_state
                        ))
                    }
                    Err(_) => {
                        return Err(format!(
                            "the state file {shown} is not an emulator state (its first line is not the journal's header); it was left as it is: give another file"
                        ))
                    }
                }
            } else {
                match serde_json::from_slice::<Change>(text) {
                    Ok(change) => {
                        reset_seen |= matches!(change, Change::Reset { .. });
                        store.apply(change, read);
                    }
                    // The last line, cut short: the append the emulator was
                    // stopped in never answered anyone.
                    Err(_) if !whole => break,
                    Err(e) => return Err(format!("the state file {shown} is damaged at line {number}: {e}")),
                }
            }
            unended = !whole;
            good += read as u64;
        }
        drop(reader);
        let on_disk = self.file.metadata().map_err(cannot)?.len();
        if number == 0 {
            // A new or empty file: it becomes a journal.
            let mut header = serde_json::to_vec(&Header {
                vipps_om_emulator_state: FORMAT,
            })
            .map_err(|e| e.to_string())?;
            header.push(b'\n');
            self.file
                .write_all(&header)
                .map_err(|e| format!("the state file {shown} cannot be written: {e}"))?;
            good = header.len() as u64;
        } else if unended {
            self.file
                .write_all(b"\n")
                .map_err(|e| format!("the state file {shown} cannot be written: {e}"))?;
            good += 1;
        } else if on_disk > good {
            tracing::warn!(target: "vipps_order_management_emulator", file = %shown, "the state file's last line was cut short (the emulator was stopped while writing it); it is dropped");
            self.file
                .set_len(good)
                .map_err(|e| format!("the state file {shown} cannot be written: {e}"))?;
        }
        self.len = good;
        Ok((store, reset_seen))
    }

    /// A journal on a file that refuses every write (`/dev/full`), for tests
    /// of what a failed write does.
    #[cfg(test)]
    pub(super) fn refusing_writes() -> Journal {
        Journal {
            path: PathBuf::from("/dev/full"),
            real: PathBuf::from("/dev/full"),
            file: OpenOptions::new().append(true).open("/dev/full").expect("/dev/full"),
            len: 0,
            compacting: false,
            compact_again: false,
        }
    }

    /// Appends a change's line, whole, or not at all: on failure the file
    /// is cut back to its last whole line.
    pub(super) fn append(&mut self, prepared: &Prepared) -> std::io::Result<()> {
        let line = &prepared.line;
        match self.file.write_all(line) {
            Ok(()) => {
                self.len += line.len() as u64;
                Ok(())
            }
            Err(e) => {
                // A part may have been written: cut it away, so the next
                // line starts where a line belongs (a compacted file is
                // written at its cursor, not in append mode: it goes back).
                let _ = self.file.set_len(self.len);
                let _ = self.file.seek(SeekFrom::Start(self.len));
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn folder(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("vipps-om-journal-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn receipt(order: &str) -> Prepared {
        Change::Receipt {
            msn: "123456".into(),
            order: format!("ECOM/{order}"),
            receipt: json!({"orderLines": [{"name": "Socks"}]}),
        }
        .prepared()
    }

    #[cfg(unix)]
    #[test]
    fn a_compaction_keeps_what_came_meanwhile_and_the_file_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = folder("compact-meanwhile");
        let path = dir.join("state.jsonl");
        let (mut journal, mut store) = Journal::open(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let keep = |journal: &mut Journal, store: &mut Store, change: Prepared| {
            journal.append(&change).unwrap();
            store.apply(change.change, change.line.len());
        };
        keep(&mut journal, &mut store, receipt("gone-1"));
        keep(&mut journal, &mut store, Change::Reset { msn: None }.prepared());
        keep(&mut journal, &mut store, receipt("kept-2"));
        let compaction = journal.begin_compaction(&store).unwrap();
        // Written outside the lock, while the journal takes more, and
        // another reset asks for a compaction of its own.
        keep(&mut journal, &mut store, receipt("meanwhile-3"));
        assert!(journal.begin_compaction(&store).is_none(), "one at a time");
        let again = journal.finish_compaction(compaction.write()).unwrap();
        assert!(again, "the reset that came meanwhile compacts again");
        assert_eq!(journal.len, std::fs::metadata(&path).unwrap().len(), "what came meanwhile counted");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("gone-1") && text.contains("kept-2") && text.contains("meanwhile-3"),
            "{text}"
        );
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "as private as it was");
        keep(&mut journal, &mut store, receipt("after-4"));
        drop(journal);
        let (_journal, store) = Journal::open(&path).unwrap();
        assert_eq!(store.receipt_count(), 3);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_start_compacts_a_file_that_holds_a_reset() {
        let dir = folder("compact-start");
        let path = dir.join("state.jsonl");
        let (mut journal, _) = Journal::open(&path).unwrap();
        for change in [receipt("gone-1"), Change::Reset { msn: None }.prepared(), receipt("kept-2")] {
            journal.append(&change).unwrap();
        }
        drop(journal);
        // As a kill in the middle of a compaction leaves it.
        std::fs::write(compaction::beside(&std::fs::canonicalize(&path).unwrap()), b"half").unwrap();
        let (_journal, store) = Journal::open(&path).unwrap();
        assert_eq!(store.receipt_count(), 1);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("gone-1") && text.contains("kept-2"), "{text}");
        assert!(!text.contains("reset"), "compacted: {text}");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "nothing left beside it");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_compaction_leaves_only_what_is_stored_and_keeps_the_file_locked() {
        let dir = folder("compact");
        let path = dir.join("state.jsonl");
        let (mut journal, mut store) = Journal::open(&path).unwrap();
        for change in [
            receipt("secret-order-1"),
            receipt("o-2"),
            Change::Reset {
                msn: Some("123456".into()),
            }
            .prepared(),
            Change::Receipt {
                msn: "654321".into(),
                order: "ECOM/o-3".into(),
                receipt: json!({"orderLines": []}),
            }
            .prepared(),
        ] {
            journal.append(&change).unwrap();
            store.apply(change.change, change.line.len());
        }
        let before = std::fs::metadata(&path).unwrap().len();
        journal.compact_now(&store).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("secret-order-1") && text.contains("o-3"), "{text}");
        assert_eq!(journal.len, text.len() as u64, "the journal knows where its last whole line ends");
        assert!(std::fs::metadata(&path).unwrap().len() < before);
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "no temporary file left");
        assert!(Journal::open(&path).unwrap_err().contains("in use"), "the new file is locked");
        journal.append(&receipt("o-4")).unwrap();
        drop(journal);
        let (_journal, store) = Journal::open(&path).unwrap();
        assert_eq!(store.receipt_count(), 2);
        let lines = std::fs::read_to_string(&path).unwrap();
        let kept: usize = lines.lines().skip(1).map(|l| l.len() + 1).sum();
        assert_eq!(store.bytes(), kept, "stored bytes are the lines' bytes");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn changes_are_kept_and_read_back_and_a_torn_last_line_is_dropped() {
        let dir = folder("replay");
        let path = dir.join("state.jsonl");
        let (mut journal, store) = Journal::open(&path).unwrap();
        assert!(store.merchants.is_empty());
        journal.append(&receipt("o-1")).unwrap();
        journal.append(&receipt("o-2")).unwrap();
        drop(journal);
        // An append cut short by a kill.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(br#"{"change":"receipt","msn":"1"#)
            .unwrap();
        let (mut journal, store) = Journal::open(&path).unwrap();
        assert_eq!(store.receipt_count(), 2);
        journal.append(&receipt("o-3")).unwrap();
        drop(journal);
        let (_journal, store) = Journal::open(&path).unwrap();
        assert_eq!(store.receipt_count(), 3, "the torn line was cut away, the next one kept");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "nothing beside the file");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A kill in the middle of an append can cut a character in two: the
    /// torn line is no valid UTF-8, and is dropped like any other torn line.
    #[test]
    fn a_torn_line_cut_inside_a_character_is_dropped() {
        let dir = folder("cut-character");
        let path = dir.join("state.jsonl");
        let (mut journal, _) = Journal::open(&path).unwrap();
        journal.append(&receipt("blåbærsyltetøy-1")).unwrap();
        drop(journal);
        let whole = std::fs::read(&path).unwrap();
        let line = serde_json::to_vec(&receipt("blåbærsyltetøy-2 🧾").change).unwrap();
        let cut = line.iter().position(|&b| b == 0xF0).expect("the emoji's first byte") + 2;
        let mut torn = whole.clone();
        torn.extend_from_slice(&line[..cut]);
        std::fs::write(&path, &torn).unwrap();
        assert!(std::str::from_utf8(&torn).is_err(), "the test cuts a character");
        let (mut journal, store) = Journal::open(&path).expect("starts after a kill");
        assert_eq!(store.receipt_count(), 1);
        assert_eq!(std::fs::read(&path).unwrap(), whole, "the torn line cut away");
        journal.append(&receipt("o-3")).unwrap();
        drop(journal);
        assert_eq!(Journal::open(&path).unwrap().1.receipt_count(), 2);
        // A damaged line that is not the last stays an error, UTF-8 or not.
        let mut damaged = whole.clone();
        damaged.extend_from_slice(&line[..cut]);
        damaged.extend_from_slice(b"\n");
        std::fs::write(&path, &damaged).unwrap();
        assert!(Journal::open(&path).unwrap_err().contains("damaged at line 3"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_whole_last_line_without_its_newline_is_kept() {
        let dir = folder("unended");
        // A header alone, as a script may write it (no newline).
        let path = dir.join("seed.jsonl");
        std::fs::write(&path, r#"{"vippsOmEmulatorState":2}"#).unwrap();
        let (mut journal, store) = Journal::open(&path).unwrap();
        assert_eq!(store.receipt_count(), 0);
        journal.append(&receipt("o-1")).unwrap();
        drop(journal);
        let (_journal, store) = Journal::open(&path).unwrap();
        assert_eq!(store.receipt_count(), 1, "{}", std::fs::read_to_string(&path).unwrap());
        // A last change, whole, without its newline: kept, and the next
        // change starts on a line of its own.
        let path = dir.join("changes.jsonl");
        let change = serde_json::to_string(&receipt("o-2").change).unwrap();
        std::fs::write(&path, format!("{{\"vippsOmEmulatorState\":2}}\n{change}")).unwrap();
        let (mut journal, store) = Journal::open(&path).unwrap();
        assert_eq!(store.receipt_count(), 1);
        journal.append(&receipt("o-3")).unwrap();
        drop(journal);
        let (_journal, store) = Journal::open(&path).unwrap();
        assert_eq!(store.receipt_count(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn foreign_damaged_and_unusable_files_are_refused_and_left_alone() {
        let dir = folder("refuse");
        let foreign = dir.join("package.json");
        std::fs::write(&foreign, "{\"version\": 1, \"name\": \"shop\"}\n").unwrap();
        assert!(Journal::open(&foreign).unwrap_err().contains("not an emulator state"));
        let snapshot = dir.join("old.json");
        std::fs::write(&snapshot, "{\n  \"version\": 1,\n  \"merchants\": {}\n}\n").unwrap();
        assert!(Journal::open(&snapshot).unwrap_err().contains("not an emulator state"));
        let text = dir.join("notes.txt");
        std::fs::write(&text, "hello\n").unwrap();
        assert!(Journal::open(&text).unwrap_err().contains("not an emulator state"));
        let damaged = dir.join("damaged.jsonl");
        std::fs::write(
            &damaged,
            format!(
                "{{\"vippsOmEmulatorState\":2}}\n{{\"change\":\"nonsense\"}}\n{}\n",
                serde_json::to_string(&receipt("o").change).unwrap()
            ),
        )
        .unwrap();
        assert!(Journal::open(&damaged).unwrap_err().contains("damaged at line 2"));
        assert!(Journal::open(&dir).unwrap_err().contains("is a folder"));
        #[cfg(unix)]
        assert!(Journal::open(Path::new("/dev/null")).unwrap_err().contains("not a regular file"));
        assert_eq!(
            std::fs::read(&foreign).unwrap(),
            b"{\"version\": 1, \"name\": \"shop\"}\n",
            "left as it was"
        );
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 4, "nothing created beside them");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_read_only_file_and_a_file_in_use_through_any_path_are_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = folder("lock");
        let path = dir.join("state.jsonl");
        let (journal, _) = Journal::open(&path).unwrap();
        let link = dir.join("hard-link.jsonl");
        std::fs::hard_link(&path, &link).unwrap();
        let symlink = dir.join("symlink.jsonl");
        std::os::unix::fs::symlink(&path, &symlink).unwrap();
        for other in [&path, &link, &symlink] {
            let err = Journal::open(other).unwrap_err();
            assert!(err.contains("in use by another emulator"), "{err}");
        }
        drop(journal);
        assert!(Journal::open(&symlink).is_ok(), "free once the first is gone");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        assert!(Journal::open(&path).unwrap_err().contains("read-only"));
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 3, "no lock file, nothing else beside it");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
