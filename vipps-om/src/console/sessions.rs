//! Sign-ins, kept on the server: the cookie holds a random 256-bit id and
//! nothing else; the console knows whose it is, until when. Signing out
//! ends it here, so a copied cookie is refused after. Held as digests of
//! the ids (a memory dump does not yield a working cookie), bounded in
//! number, forgotten on restart.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ring::rand::SecureRandom as _;

use super::staff::digest;
use super::visitor::Via;

/// How long a sign-in lasts: a working day.
pub const LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);
/// The most sign-ins kept at once; beyond it the oldest is ended.
pub const MAX_SESSIONS: usize = 10_000;
/// The most sign-ins of one person (browsers, devices); beyond it their
/// own oldest is ended, so that nobody's sign-ins push out another's.
pub const MAX_PER_PERSON: usize = 20;

#[derive(Debug, Clone)]
struct Session {
    who: String,
    via: Via,
    until: Instant,
}

/// The sign-ins under way.
pub struct Sessions {
    open: Mutex<HashMap<[u8; 32], Session>>,
    random: ring::rand::SystemRandom,
    max: usize,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions").field("open", &self.len()).finish_non_exhaustive()
    }
}

impl Sessions {
    /// No sign-ins, at most `max` at once.
    pub fn new(max: usize) -> Sessions {
        Sessions {
            open: Mutex::new(HashMap::new()),
            random: ring::rand::SystemRandom::new(),
            max: max.max(1),
        }
    }

    fn open(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], Session>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many sign-ins are kept.
    pub fn len(&self) -> usize {
        self.open().len()
    }

    /// Starts a sign-in for `who`; the id for the cookie, or why none
    /// could be made (no random numbers).
    pub fn start(&self, who: &str, via: Via) -> Result<String, String> {
        self.start_at(who, via, Instant::now())
    }

    fn start_at(&self, who: &str, via: Via, now: Instant) -> Result<String, String> {
        let mut id = [0u8; 32];
        self.random
            .fill(&mut id)
            .map_err(|_| "no random numbers to make a sign-in with".to_owned())?;
        let id: String = id.iter().map(|b| format!("{b:02x}")).collect();
        let mut open = self.open();
        let theirs: Vec<([u8; 32], Instant)> = open.iter().filter(|(_, s)| s.who == who).map(|(k, s)| (*k, s.until)).collect();
        if theirs.len() >= MAX_PER_PERSON {
            if let Some((oldest, _)) = theirs.iter().min_by_key(|(_, until)| *until) {
                open.remove(oldest);
            }
        }
        if open.len() >= self.max {
            open.retain(|_, s| s.until > now);
        }
        if open.len() >= self.max {
            if let Some(oldest) = open.iter().min_by_key(|(_, s)| s.until).map(|(k, _)| *k) {
                open.remove(&oldest);
            }
        }
        open.insert(
            digest(&id),
            Session {
                who: who.to_owned(),
                via,
                until: now + LIFETIME,
            },
        );
        Ok(id)
    }

    /// Whose sign-in `id` is, while it lasts.
    pub fn find(&self, id: &str) -> Option<(String, Via)> {
        self.find_at(id, Instant::now())
    }

    fn find_at(&self, id: &str, now: Instant) -> Option<(String, Via)> {
        let key = digest(id);
        let mut open = self.open();
        match open.get(&key) {
            Some(s) if s.until > now => Some((s.who.clone(), s.via)),
            Some(_) => {
                open.remove(&key);
                None
            }
            None => None,
        }
    }

    /// Ends the sign-in `id`; `true` when there was one.
    pub fn end(&self, id: &str) -> bool {
        self.open().remove(&digest(id)).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_sign_in_is_its_own_and_ends() {
        let sessions = Sessions::new(10);
        let kari = sessions.start("kari", Via::Token).unwrap();
        let kari_again = sessions.start("kari", Via::Token).unwrap();
        assert_ne!(kari, kari_again);
        assert_eq!(kari.len(), 64);
        assert_eq!(sessions.find(&kari).map(|(who, _)| who).as_deref(), Some("kari"));
        assert!(sessions.end(&kari));
        assert_eq!(sessions.find(&kari), None);
        assert!(!sessions.end(&kari));
        assert!(sessions.find(&kari_again).is_some());
        assert_eq!(sessions.find(""), None);
        // Debug output (in logs of a panic, say) counts, and shows no id.
        let shown = format!("{sessions:?}");
        assert_eq!(shown, "Sessions { open: 1, .. }");
        assert!(!shown.contains(&kari_again));
    }

    #[test]
    fn one_persons_sign_ins_never_push_out_anothers() {
        let sessions = Sessions::new(100);
        let ola = sessions.start("ola", Via::Token).unwrap();
        let karis: Vec<String> = (0..MAX_PER_PERSON + 5)
            .map(|_| sessions.start("kari", Via::Token).unwrap())
            .collect();
        assert!(sessions.find(&ola).is_some(), "Ola is still signed in");
        assert_eq!(sessions.len(), MAX_PER_PERSON + 1);
        assert_eq!(sessions.find(&karis[0]), None, "Kari's own oldest ended");
        assert!(sessions.find(karis.last().unwrap()).is_some());
    }

    #[test]
    fn ended_sign_ins_make_room_before_a_live_one_is_pushed_out() {
        let sessions = Sessions::new(3);
        let start = Instant::now();
        let ended: Vec<String> = (0..2)
            .map(|i| sessions.start_at(&format!("p{i}"), Via::Token, start).unwrap())
            .collect();
        let kari = sessions.start_at("kari", Via::Token, start + LIFETIME / 2).unwrap();
        // The first two end at this instant (as `find` has it).
        let later = start + LIFETIME;
        let ola = sessions.start_at("ola", Via::Token, later).unwrap();
        assert_eq!(sessions.len(), 2, "both ended sign-ins went, and only they");
        assert!(sessions.find_at(&kari, later).is_some() && sessions.find_at(&ola, later).is_some());
        assert!(ended.iter().all(|id| sessions.find_at(id, later).is_none()));
        // A sign-in lasts its lifetime, to the instant.
        assert!(sessions.find_at(&ola, later + LIFETIME - Duration::from_nanos(1)).is_some());
        assert!(sessions.find_at(&ola, later + LIFETIME).is_none());
    }

    #[test]
    fn bounded_the_oldest_ends_first() {
        let sessions = Sessions::new(3);
        let ids: Vec<String> = (0..4).map(|i| sessions.start(&format!("p{i}"), Via::Token).unwrap()).collect();
        assert_eq!(sessions.len(), 3);
        assert_eq!(sessions.find(&ids[0]), None);
        assert!(ids[1..].iter().all(|id| sessions.find(id).is_some()));
    }
}
