//! Named staff tokens (the console's "access tokens", unrelated to the
//! API's OAuth access token): for a shop without single sign-on, each member of
//! staff has a token of their own, so the audit log says who looked. Held
//! as SHA-256 digests only, compared in constant time.

use std::path::Path;

use subtle::ConstantTimeEq as _;

/// The shortest token taken: guessing must not pay.
pub const MIN_TOKEN_LEN: usize = 16;

/// The staff and their tokens (as digests).
#[derive(Default)]
pub struct StaffTokens {
    staff: Vec<(String, [u8; 32])>,
}

impl std::fmt::Debug for StaffTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.staff.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("StaffTokens").field("names", &names).finish_non_exhaustive()
    }
}

/// A SHA-256 digest: what the console keeps of a token or session id, so
/// that comparing them takes no time that depends on the secret.
pub(super) fn digest(text: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, text.as_bytes()).as_ref());
    out
}

/// Why a name or token is not taken.
fn name_problem(name: &str) -> Option<String> {
    if name.is_empty() || name.chars().count() > 100 {
        return Some("a name is 1 to 100 characters".to_owned());
    }
    if name.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Some(format!("the name {:?} has spaces or control characters", name));
    }
    None
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

    /// Adds `name` with `token`: refused when the token is short, or when
    /// the name or the token is taken.
    pub fn add(&mut self, name: &str, token: &str) -> Result<(), String> {
        if let Some(problem) = name_problem(name) {
            return Err(problem);
        }
        let length = token.chars().count();
        if length < MIN_TOKEN_LEN {
            return Err(format!(
                "the token of {name} is {length} characters long; it must be at least {MIN_TOKEN_LEN} (for example 32 random letters and digits)"
            ));
        }
        if self.staff.iter().any(|(n, _)| n == name) {
            return Err(format!("{name} is named twice"));
        }
        let digest = digest(token);
        if self.staff.iter().any(|(_, d)| *d == digest) {
            return Err(format!("the token of {name} is another's too: each person needs their own"));
        }
        self.staff.push((name.to_owned(), digest));
        Ok(())
    }

    /// Reads a staff file: one person a line, `name token` (a name without
    /// spaces, such as an e-mail address), `#` starts a comment. The error
    /// names the line, never a token.
    pub fn read(path: &Path) -> Result<StaffTokens, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("the staff file {} cannot be read: {e}", path.display()))?;
        let mut staff = StaffTokens::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let at = format!("{} line {}", path.display(), number + 1);
            let mut words = line.split_whitespace();
            let (Some(name), Some(token), None) = (words.next(), words.next(), words.next()) else {
                return Err(format!("{at}: write each person as `name token` (two words)"));
            };
            staff.add(name, token).map_err(|e| format!("{at}: {e}"))?;
        }
        if staff.is_empty() {
            return Err(format!("the staff file {} names no one (one `name token` a line)", path.display()));
        }
        Ok(staff)
    }

    /// Whose token `candidate` is. Every digest is compared, in constant
    /// time, so the time taken does not tell how close a guess was.
    pub fn holder(&self, candidate: &str) -> Option<&str> {
        let candidate = digest(candidate);
        let mut found = None;
        for (name, digest) in &self.staff {
            if bool::from(digest.ct_eq(&candidate)) {
                found = Some(name.as_str());
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holders_and_refusals() {
        let mut staff = StaffTokens::new();
        staff.add("kari@shop.example", "kari-token-0123456789").unwrap();
        staff.add("ola", "ola-token-0123456789ab").unwrap();
        assert_eq!(staff.holder("kari-token-0123456789"), Some("kari@shop.example"));
        assert_eq!(staff.holder("ola-token-0123456789ab"), Some("ola"));
        assert_eq!(staff.holder("ola-token-0123456789a"), None);
        assert_eq!(staff.holder(""), None);
        assert!(staff.add("short", "too-short").unwrap_err().contains("at least 16"));
        assert!(staff.add("ola", "another-token-0123456789").unwrap_err().contains("twice"));
        assert!(staff.add("per", "ola-token-0123456789ab").unwrap_err().contains("their own"));
        assert!(staff.add("per hansen", "per-token-0123456789ab").is_err());
        assert_eq!(format!("{staff:?}"), r#"StaffTokens { names: ["kari@shop.example", "ola"], .. }"#);
        // A name is 1 to 100 characters.
        let mut names = StaffTokens::new();
        assert!(names.add("", "empty-token-0123456789").unwrap_err().contains("1 to 100"));
        assert!(names
            .add(&"n".repeat(101), "long-token-0123456789")
            .unwrap_err()
            .contains("1 to 100"));
        names.add(&"n".repeat(100), "longest-token-0123456789").unwrap();
        names.add("p", "sixteen-chars-16").unwrap();
        assert!(names.add("q", "fifteen-chars15").unwrap_err().contains("at least 16"));
        assert_eq!(names.len(), 2);
    }

    #[test]
    fn the_file_names_the_bad_line_not_the_token() {
        let dir = std::env::temp_dir().join(format!("vipps-om-staff-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("staff");
        std::fs::write(&path, "# staff\n\nkari kari-token-0123456789\nola short-secret\n").unwrap();
        let error = StaffTokens::read(&path).unwrap_err();
        assert!(error.contains("line 4") && !error.contains("short-secret"), "{error}");
        std::fs::write(&path, "kari kari-token-0123456789\n  ola   ola-token-0123456789ab  \n").unwrap();
        assert_eq!(StaffTokens::read(&path).unwrap().len(), 2);
        std::fs::write(&path, "# nobody\n").unwrap();
        assert!(StaffTokens::read(&path).unwrap_err().contains("names no one"));
        std::fs::write(&path, "kari kari-token-0123456789 extra\n").unwrap();
        assert!(StaffTokens::read(&path).unwrap_err().contains("two words"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
