//! The staff file, read again while the console runs: on SIGHUP (what
//! operators send first to make a service reload; `service` listens for
//! it) and whenever the file changes. Watched through its folder, so an
//! editor's save, a configuration tool's rename or a container's swapped
//! mount all count, and, when it is a link, through the folder of the file
//! it names. A change is taken once the file has been quiet for a moment
//! (a file written in several writes is never read half written); SIGHUP
//! reads it at once. People join and leave without a restart: the new
//! file takes effect, and whoever left, or was given a new token, has
//! every sign-in ended in the shared store and their old token refused. A
//! file that names no one signs everyone out. A file that cannot be read,
//! or holds a mistake, changes nothing and is said in the log.

use std::path::{Path, PathBuf};
use std::time::Duration;

use notify::Watcher as _;
use tokio::sync::mpsc;

use crate::console::access::entry::{Entry, Event};
use crate::console::access::staff::{Person, StaffTokens};
use crate::console::access::store::StoreError;
use crate::console::access::visitor::Via;
use crate::console::Console;

/// How long the file must be quiet after a change before it is read.
const QUIET: Duration = Duration::from_secs(1);

/// Why the file is read again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Why {
    Hangup,
    Changed,
}

impl std::fmt::Display for Why {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Why::Hangup => "on SIGHUP",
            Why::Changed => "as it changed",
        })
    }
}

/// Reads the staff file again when asked (SIGHUP: see `service`).
#[derive(Debug, Clone)]
pub struct Reload(mpsc::Sender<Why>);

impl Reload {
    /// Reads the file again, as SIGHUP asks: each SIGHUP is one reading,
    /// said in the log, even when a change queued one already.
    pub fn hangup(&self) {
        let queue = self.0.clone();
        tokio::spawn(async move {
            let _ = queue.send(Why::Hangup).await;
        });
    }
}

/// The folders to watch for `path`: its own, and the one of the file it
/// names when it is a link.
fn folders(path: &Path) -> Vec<PathBuf> {
    let own = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_owned();
    let mut all = vec![own];
    if let Some(target) = std::fs::canonicalize(path).ok().and_then(|t| t.parent().map(Path::to_owned)) {
        if !all
            .iter()
            .any(|f| std::fs::canonicalize(f).ok().as_deref() == Some(target.as_path()))
        {
            all.push(target);
        }
    }
    all
}

/// Starts reading `path` again whenever it changes, and when asked
/// through the returned [`Reload`], for as long as the console runs;
/// `keep` (the shared `--staff-token`) stays whatever the file says.
/// `Err` when the file's folder cannot be watched.
pub fn watch(console: Console, path: PathBuf, keep: Option<Person>) -> Result<Reload, String> {
    let (tx, mut rx) = mpsc::channel::<Why>(16);
    let changed = tx.clone();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        // Any change in the folders may be this file's (a swapped symlink
        // names another entry): reading it again tells.
        if event.is_ok_and(|e| !e.kind.is_access()) {
            let _ = changed.try_send(Why::Changed);
        }
    })
    .map_err(|e| format!("the staff file {} cannot be watched: {e}", path.display()))?;
    for folder in folders(&path) {
        watcher
            .watch(&folder, notify::RecursiveMode::NonRecursive)
            .map_err(|e| format!("the staff file's folder {} cannot be watched: {e}", folder.display()))?;
    }
    tokio::spawn(async move {
        // Kept as long as the task: dropping it would stop the watching.
        let _watcher = watcher;
        let mut last = std::fs::read(&path).ok().map(|bytes| digest(&bytes));
        while let Some(mut why) = rx.recv().await {
            // A change is read once the file is quiet; SIGHUP at once.
            while why == Why::Changed {
                match tokio::time::timeout(QUIET, rx.recv()).await {
                    Ok(Some(next)) => why = next,
                    Ok(None) => return,
                    Err(_) => break,
                }
            }
            let bytes = match std::fs::read(&path) {
                Ok(bytes) => bytes,
                Err(e) => {
                    tracing::warn!(target: "vipps_om::console", "the staff file {} cannot be read {why} ({e}): the staff stay as they were", path.display());
                    continue;
                }
            };
            let seen = digest(&bytes);
            if why == Why::Changed && last == Some(seen) {
                continue;
            }
            last = Some(seen);
            let parsed = StaffTokens::parse(&String::from_utf8_lossy(&bytes), &path.display().to_string());
            let staff = match parsed.and_then(|mut staff| {
                if let Some(person) = &keep {
                    staff.keep(person.clone())?;
                }
                Ok(staff)
            }) {
                Ok(staff) => staff,
                Err(e) => {
                    tracing::error!(target: "vipps_om::console", "the staff file was read again {why}, and not taken: {e}; the staff stay as they were");
                    continue;
                }
            };
            if let Err(e) = take(&console, staff, &path, why).await {
                tracing::error!(target: "vipps_om::console", "{e}: the sign-ins of those who left end when they are next used");
            }
        }
    });
    Ok(Reload(tx))
}

/// A digest of the file's bytes, to tell a change from a touch.
fn digest(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref());
    out
}

/// Takes `staff` as the staff: whoever left or has a new token has their
/// sign-ins ended, recorded in the trail once (by the instance that ended
/// them); then the log says what changed.
async fn take(console: &Console, staff: StaffTokens, path: &Path, why: Why) -> Result<(), StoreError> {
    let credentials: Vec<(String, String)> = staff.people().iter().map(|p| (p.name().to_owned(), p.credential())).collect();
    let count = staff.len();
    let changes = console.access.replace_staff(staff);
    let sessions = &console.access.sessions;
    let mut ended = 0;
    for who in &changes.left {
        let n = sessions.end_all_of(who, None).await?;
        if n > 0 {
            let entry = Entry::new(Event::SignOut, who, Via::Console, None).outcome("left-staff");
            console.audit.record(entry).await?;
        }
        ended += n;
    }
    for who in &changes.new_token {
        let keep = credentials.iter().find(|(name, _)| name == who).map(|(_, c)| c.as_str());
        let n = sessions.end_all_of(who, keep).await?;
        if n > 0 {
            let entry = Entry::new(Event::SignOut, who, Via::Console, None).outcome("new-token");
            console.audit.record(entry).await?;
        }
        ended += n;
    }
    if count == 0 {
        tracing::warn!(target: "vipps_om::console", "the staff file {} names no one: nobody can sign in with a staff token until it does", path.display());
    }
    tracing::info!(
        target: "vipps_om::console",
        "the staff file {} was read again {why}: {count} people; left: {:?}; new tokens: {:?}; joined: {:?}; {ended} sign-ins ended",
        path.display(),
        changes.left,
        changes.new_token,
        changes.joined
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_link_is_watched_where_it_points_too() {
        let dir = std::env::temp_dir().join(format!("vipps-om-folders-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("etc")).unwrap();
        std::fs::create_dir_all(dir.join("srv")).unwrap();
        std::fs::write(dir.join("srv/staff.txt"), "").unwrap();
        std::os::unix::fs::symlink(dir.join("srv/staff.txt"), dir.join("etc/staff.txt")).unwrap();
        let watched = folders(&dir.join("etc/staff.txt"));
        assert_eq!(watched, [dir.join("etc"), std::fs::canonicalize(dir.join("srv")).unwrap()]);
        assert_eq!(
            folders(&dir.join("srv/staff.txt")),
            [dir.join("srv")],
            "a file is watched in its folder only"
        );
        assert_eq!(folders(Path::new("staff.txt")), [PathBuf::from(".")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
