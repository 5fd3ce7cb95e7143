//! Named staff tokens (the console's staff tokens, unrelated to the API's
//! OAuth access token): for a shop without single sign-on, each member of
//! staff has a token of their own, so the audit trail says who looked,
//! and a role or none (`auditor`: may read the audit trail). Tokens are
//! long random secrets (at least 32 characters, not a pattern): guessing
//! one does not pay, so a wrong try from a colleague's network never
//! keeps a right one out. Held as SHA-256 digests only, compared in
//! constant time.

use std::path::Path;

use subtle::ConstantTimeEq as _;

use crate::console::access::store::{digest_hex, hex};
use crate::console::marks::{unseen, visible};

/// The shortest token taken.
pub const MIN_TOKEN_LEN: usize = 32;
/// The fewest different characters a token has: `aaaa…` or `abab…` is no
/// secret, whatever its length.
const MIN_DIFFERENT: usize = 8;
/// The role that may read the audit trail.
pub const AUDITOR: &str = "auditor";

/// One member of staff.
#[derive(Clone)]
pub struct Person {
    name: String,
    digest: [u8; 32],
    auditor: bool,
}

impl std::fmt::Debug for Person {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Person")
            .field("name", &self.name)
            .field("auditor", &self.auditor)
            .finish_non_exhaustive()
    }
}

impl Person {
    /// Their name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `true` when they may read the audit trail.
    pub fn auditor(&self) -> bool {
        self.auditor
    }

    /// Which token they have, as the sign-ins keep it: a digest of its
    /// digest, which says whether it changed and nothing of the token.
    pub fn credential(&self) -> String {
        digest_hex(&hex(&self.digest))
    }
}

/// The staff and their tokens (as digests).
#[derive(Default, Clone)]
pub struct StaffTokens {
    staff: Vec<Person>,
}

impl std::fmt::Debug for StaffTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.staff.iter().map(|p| p.name.as_str()).collect();
        f.debug_struct("StaffTokens").field("names", &names).finish_non_exhaustive()
    }
}

/// A SHA-256 digest: what the console keeps of a token, so that comparing
/// them takes no time that depends on the secret.
fn digest(text: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, text.as_bytes()).as_ref());
    out
}

/// Why a name is not taken: it is what the audit trail says and what an
/// auditor searches for, so nothing in it may be unseen.
fn name_problem(name: &str) -> Option<String> {
    if name.is_empty() || name.chars().count() > 100 {
        return Some("a name is 1 to 100 characters".to_owned());
    }
    if name.chars().any(|c| c.is_whitespace() || unseen(c)) {
        return Some(format!(
            "the name {:?} has spaces, control or invisible characters",
            visible(name, unseen)
        ));
    }
    None
}

/// Why a token is not taken (never quoting it).
fn token_problem(name: &str, token: &str) -> Option<String> {
    let length = token.chars().count();
    let make_one = "make one with `vipps-om staff-token`";
    if length < MIN_TOKEN_LEN {
        return Some(format!(
            "the token of {name} is {length} characters long; staff tokens are at least {MIN_TOKEN_LEN} random characters ({make_one})"
        ));
    }
    let mut different: Vec<char> = token.chars().collect();
    different.sort_unstable();
    different.dedup();
    if different.len() < MIN_DIFFERENT {
        return Some(format!(
            "the token of {name} repeats a few characters ({} different); staff tokens are random ({make_one})",
            different.len()
        ));
    }
    None
}

/// A new staff token: 256 random bits, 43 characters of URL-safe base64.
pub fn new_token() -> Result<String, String> {
    use ring::rand::SecureRandom as _;
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bytes = [0u8; 43];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| "no random numbers to make a token with".to_owned())?;
    // Each character takes 6 random bits (of 8): 258 bits in all.
    Ok(bytes.iter().map(|b| char::from(ALPHABET[usize::from(b & 63)])).collect())
}

impl StaffTokens {
    /// No one.
    pub fn new() -> StaffTokens {
        StaffTokens::default()
    }

    /// `true` when there is no one.
    pub fn is_empty(&self) -> bool {
        self.staff.is_empty()
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.staff.len()
    }

    /// Everyone, in the file's order.
    pub fn people(&self) -> &[Person] {
        &self.staff
    }

    /// Adds `name` with `token`, an auditor when `auditor`: refused when
    /// the token is short or a pattern, or when the name or the token is
    /// taken.
    pub fn add(&mut self, name: &str, token: &str, auditor: bool) -> Result<(), String> {
        if let Some(problem) = name_problem(name).or_else(|| token_problem(name, token)) {
            return Err(problem);
        }
        if self.staff.iter().any(|p| p.name == name) {
            return Err(format!("{name} is named twice"));
        }
        let digest = digest(token);
        if self.staff.iter().any(|p| p.digest == digest) {
            return Err(format!("the token of {name} is another's too: each person needs their own"));
        }
        self.staff.push(Person {
            name: name.to_owned(),
            digest,
            auditor,
        });
        Ok(())
    }

    /// Reads a staff file: one person a line, `name token` (a name without
    /// spaces, such as an e-mail address) and, for whoever may read the
    /// audit trail, a third word `auditor`; `#` starts a comment. The
    /// error names the line, never a token.
    pub fn read(path: &Path) -> Result<StaffTokens, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("the staff file {} cannot be read: {e}", path.display()))?;
        StaffTokens::parse(&text, &path.display().to_string())
    }

    /// Reads a staff file's text; `source` names it in errors. A file that
    /// names no one (every line a comment) is taken: nobody may sign in.
    /// A byte-order mark (Windows Notepad's) is not part of the first name.
    pub fn parse(text: &str, source: &str) -> Result<StaffTokens, String> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut staff = StaffTokens::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let at = format!("{source} line {}", number + 1);
            let words: Vec<&str> = line.split_whitespace().collect();
            let auditor = match words.get(2) {
                None => false,
                Some(&AUDITOR) => true,
                Some(other) => {
                    return Err(format!(
                        "{at}: the role {other:?} is not one the console knows (`{AUDITOR}`, or none)"
                    ))
                }
            };
            let (Some(name), Some(token), true) = (words.first(), words.get(1), words.len() <= 3) else {
                return Err(format!("{at}: write each person as `name token` or `name token {AUDITOR}`"));
            };
            staff.add(name, token, auditor).map_err(|e| format!("{at}: {e}"))?;
        }
        Ok(staff)
    }

    /// Adds `person`, as known already (the shared `--staff-token`, kept
    /// whatever the staff file says): refused when the name or the token
    /// is taken.
    pub fn keep(&mut self, person: Person) -> Result<(), String> {
        if self.staff.iter().any(|p| p.name == person.name) {
            return Err(format!("{} is named twice", person.name));
        }
        if self.staff.iter().any(|p| p.digest == person.digest) {
            return Err(format!(
                "the token of {} is another's too: each person needs their own",
                person.name
            ));
        }
        self.staff.push(person);
        Ok(())
    }

    /// Whose token `candidate` is. Every digest is compared, in constant
    /// time, so the time taken does not tell how close a guess was.
    pub fn holder(&self, candidate: &str) -> Option<&Person> {
        let candidate = digest(candidate);
        let mut found = None;
        for person in &self.staff {
            if bool::from(person.digest.ct_eq(&candidate)) {
                found = Some(person);
            }
        }
        found
    }

    /// The person named `name`.
    pub fn person(&self, name: &str) -> Option<&Person> {
        self.staff.iter().find(|p| p.name == name)
    }

    /// What changed from `self` to `new`: who left, and who has a new
    /// token (their sign-ins end either way).
    pub fn changes(&self, new: &StaffTokens) -> Changes {
        let mut changes = Changes::default();
        for person in &self.staff {
            match new.person(&person.name) {
                None => changes.left.push(person.name.clone()),
                Some(now) if now.digest != person.digest => changes.new_token.push(person.name.clone()),
                Some(_) => {}
            }
        }
        changes.joined = new
            .staff
            .iter()
            .filter(|p| self.person(&p.name).is_none())
            .map(|p| p.name.clone())
            .collect();
        changes
    }
}

/// What a new staff file changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// Named no more.
    pub left: Vec<String>,
    /// Named with another token.
    pub new_token: Vec<String>,
    /// Named for the first time.
    pub joined: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const KARI: &str = "kari-7f3a9kq2x1-LmN4pQ8rS2tV6wY0";
    const OLA: &str = "ola-2b8c4m1zY2-HjK5nP9qR3sU7vX1zz";

    #[test]
    fn holders_and_refusals() {
        let mut staff = StaffTokens::new();
        staff.add("kari@shop.example", KARI, false).unwrap();
        staff.add("ola", OLA, true).unwrap();
        assert_eq!(staff.holder(KARI).map(Person::name), Some("kari@shop.example"));
        assert_eq!(staff.holder(OLA).map(|p| (p.name(), p.auditor())), Some(("ola", true)));
        assert!(staff.holder(&OLA[..OLA.len() - 1]).is_none());
        assert!(staff.holder("").is_none());
        assert!(staff
            .add("short", "too-short-0123456789", false)
            .unwrap_err()
            .contains("at least 32"));
        assert!(staff
            .add("ola", "another-token-0123456789abcdefghij", false)
            .unwrap_err()
            .contains("twice"));
        assert!(staff.add("per", OLA, false).unwrap_err().contains("their own"));
        assert!(staff.add("per hansen", "per-token-0123456789abcdefghijklm", false).is_err());
        // A person kept as known (the shared token) is checked the same.
        let shared = staff.people()[0].clone();
        assert!(staff.keep(shared.clone()).unwrap_err().contains("twice"));
        let mut fresh = StaffTokens::new();
        fresh.add("ola", OLA, false).unwrap();
        fresh.keep(shared.clone()).unwrap();
        assert_eq!(fresh.holder(KARI).map(Person::name), Some("kari@shop.example"));
        assert_eq!(fresh.len(), 2, "kept beside another");
        // Under another name with a token already held: refused.
        let mut twin = StaffTokens::new();
        twin.add("per", KARI, false).unwrap();
        assert!(twin.keep(shared).unwrap_err().contains("their own"));
        assert_eq!(format!("{staff:?}"), r#"StaffTokens { names: ["kari@shop.example", "ola"], .. }"#);
        assert_eq!(
            format!("{:?}", staff.people()[0]),
            r#"Person { name: "kari@shop.example", auditor: false, .. }"#
        );
        // A name is 1 to 100 characters; a token 32 characters or more,
        // of at least 8 different ones.
        let mut names = StaffTokens::new();
        assert!(names
            .add("", "empty-token-0123456789abcdefghijk", false)
            .unwrap_err()
            .contains("1 to 100"));
        assert!(names
            .add(&"n".repeat(101), "long-token-0123456789abcdefghijkl", false)
            .unwrap_err()
            .contains("1 to 100"));
        names.add(&"n".repeat(100), "longest-token-0123456789abcdefghij", false).unwrap();
        names.add("p", "abcdefgh".repeat(4).as_str(), false).unwrap();
        assert!(names
            .add("q", &"abcdefgh".repeat(4)[1..], false)
            .unwrap_err()
            .contains("at least 32"));
        let pattern = names.add("r", &"abcdefg".repeat(5), false).unwrap_err();
        assert!(pattern.contains("7 different") && !pattern.contains("abcdefg"), "{pattern}");
        assert_eq!(names.len(), 2);
    }

    #[test]
    fn new_tokens_are_taken_and_never_repeat() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        let mut staff = StaffTokens::new();
        staff.add("kari", &a, false).unwrap();
    }

    #[test]
    fn the_file_names_the_bad_line_not_the_token() {
        let error = StaffTokens::parse(&format!("# staff\n\nkari {KARI}\nola short-secret\n"), "staff.txt").unwrap_err();
        assert!(error.starts_with("staff.txt line 4:") && !error.contains("short-secret"), "{error}");
        let staff = StaffTokens::parse(&format!("kari {KARI}\n  ola   {OLA}  auditor \n"), "staff.txt").unwrap();
        assert_eq!(staff.len(), 2);
        assert!(!staff.people()[0].auditor() && staff.people()[1].auditor());
        // A file emptied (every line a comment): nobody, taken.
        assert!(StaffTokens::parse("# nobody\n# kari (left)\n", "staff.txt").unwrap().is_empty());
        // Windows Notepad's byte-order mark and line ends.
        let notepad = StaffTokens::parse(&format!("\u{feff}kari {KARI}\r\nola {OLA}\r\n"), "staff.txt").unwrap();
        assert_eq!(notepad.people().iter().map(Person::name).collect::<Vec<_>>(), ["kari", "ola"]);
        let hidden = StaffTokens::parse(&format!("ka\u{200b}ri {KARI}\n"), "staff.txt").unwrap_err();
        assert!(hidden.contains("invisible") && hidden.contains("⟨U+200B⟩"), "{hidden}");
        let role = StaffTokens::parse(&format!("kari {KARI} admin\n"), "staff.txt").unwrap_err();
        assert!(role.contains("\"admin\"") && role.contains("line 1"), "{role}");
        assert!(StaffTokens::parse(&format!("kari {KARI} auditor extra\n"), "s")
            .unwrap_err()
            .contains("`name token`"));
        assert!(StaffTokens::parse("kari\n", "s").unwrap_err().contains("`name token`"));
        let missing = StaffTokens::read(Path::new("/nonexistent/staff.txt")).unwrap_err();
        assert!(missing.contains("cannot be read"), "{missing}");
    }

    #[test]
    fn changes_name_who_left_and_who_has_a_new_token() {
        let old = StaffTokens::parse(&format!("kari {KARI}\nola {OLA}\n"), "s").unwrap();
        let per = "per-4d5e6f7g8h-AbCdEfGhIjKlMnOpQr";
        let new = StaffTokens::parse(&format!("kari {OLA}x\nper {per}\n"), "s").unwrap();
        let changes = old.changes(&new);
        assert_eq!(changes.left, ["ola"]);
        assert_eq!(changes.new_token, ["kari"]);
        assert_eq!(changes.joined, ["per"]);
        assert_eq!(old.changes(&old.clone()), Changes::default());
        // The credential says which token, not what it is.
        let kari = old.person("kari").unwrap();
        assert_eq!(kari.credential().len(), 64);
        assert_ne!(kari.credential(), new.person("kari").unwrap().credential());
        assert!(!kari.credential().contains(&hex(&digest(KARI))));
    }
}
