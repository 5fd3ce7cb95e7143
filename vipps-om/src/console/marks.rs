//! Characters nobody sees, shown as marks staff can see: a line break in a
//! name as `␊`, a right-to-left override as `⟨U+202E⟩`, never acting and
//! never as programmers' `\u{a}`. One classification for the pages, the
//! messages and the audit trail's JSON.

use std::borrow::Cow;

use icu_properties::props::{DefaultIgnorableCodePoint, WhiteSpace};
use icu_properties::CodePointSetData;
use maud::{html, Markup};

/// `true` for a character nobody sees: white space, Unicode's
/// default-ignorable code points (zero-width spaces, direction marks and
/// overrides, soft hyphens) and control characters.
pub fn unseen(c: char) -> bool {
    CodePointSetData::new::<WhiteSpace>().contains(c) || CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c) || c.is_control()
}

/// `true` for a character of typed text to show as a mark: anything
/// unseen but the plain space (what staff pasted: a no-break space or a
/// zero-width space is why an id did not match).
pub fn hidden(c: char) -> bool {
    c != ' ' && unseen(c)
}

/// `true` for a character of stored data (a line's name, a link) to show
/// as a mark: one that would act rather than show (control characters,
/// and the marks that reorder text), as the SDK's `printable` escapes.
pub fn acting(c: char) -> bool {
    c.is_control() || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The mark a character is shown as: a C0 control character as its
/// Unicode control picture (`␊` for a line break, `␉` for a tab), delete
/// as `␡`, anything else as its code point (`⟨U+202E⟩`).
pub fn mark(c: char) -> Cow<'static, str> {
    let code = c as u32;
    match code {
        0..=0x1f => char::from_u32(0x2400 + code).map_or(Cow::Borrowed("␦"), |p| Cow::Owned(p.to_string())),
        0x7f => Cow::Borrowed("␡"),
        _ => Cow::Owned(format!("⟨U+{code:04X}⟩")),
    }
}

/// `text` with each character for which `shown` holds as its mark.
pub fn visible(text: &str, shown: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(&shown) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if shown(c) {
            out.push_str(&mark(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` as markup, each character for which `shown` holds as its mark
/// in a `span.mark` (styled apart from the text, named by its code point
/// for whoever hovers).
pub fn marked(text: &str, shown: impl Fn(char) -> bool) -> Markup {
    if !text.chars().any(&shown) {
        return html! { (text) };
    }
    let mut parts: Vec<(bool, String)> = Vec::new();
    for c in text.chars() {
        match (shown(c), parts.last_mut()) {
            (true, _) => parts.push((true, c.to_string())),
            (false, Some((false, run))) => run.push(c),
            (false, _) => parts.push((false, c.to_string())),
        }
    }
    html! {
        @for (is_mark, part) in &parts {
            @if *is_mark {
                @let c = part.chars().next().unwrap_or_default();
                span.mark title=(format!("U+{:04X}", c as u32)) { (mark(c)) }
            } @else {
                (part)
            }
        }
    }
}

/// A JSON formatter that writes each hidden character as a `\uXXXX`
/// escape: the audit trail's lines stay valid JSON, and a direction
/// override or a line separator in what someone typed cannot reorder or
/// break a terminal, a log viewer or a SIEM that shows them.
#[derive(Debug, Clone, Copy, Default)]
pub struct EscapingJson;

impl serde_json::ser::Formatter for EscapingJson {
    fn write_string_fragment<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, fragment: &str) -> std::io::Result<()> {
        let mut start = 0;
        for (at, c) in fragment.char_indices() {
            if hidden(c) || acting(c) {
                writer.write_all(&fragment.as_bytes()[start..at])?;
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
                start = at + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

/// `value` as one line of JSON, hidden characters escaped.
pub fn json_line(value: &impl serde::Serialize) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, EscapingJson);
    value.serialize(&mut serializer)?;
    out.push(b'\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_for_what_nobody_sees() {
        assert_eq!(visible("Votter\nrøde", acting), "Votter␊røde");
        assert_eq!(visible("a\tb\u{7f}", acting), "a␉b␡");
        assert_eq!(visible("abc\u{202e}cba", acting), "abc⟨U+202E⟩cba");
        assert_eq!(visible("plain", acting), "plain");
        // Typed text: every hidden character, but not the plain space.
        assert_eq!(visible(" #order\u{200b}\u{a0}1\n", hidden), " #order⟨U+200B⟩⟨U+00A0⟩1␊");
        // Stored data keeps its no-break spaces and zero-width joiners
        // (names and emoji use them); only what acts is marked.
        assert_eq!(visible("1\u{a0}kg \u{200d}", acting), "1\u{a0}kg \u{200d}");
        assert_eq!(mark('\0'), "␀");
        assert_eq!(mark('\u{1f}'), "␟");
        assert_eq!(mark('\u{85}'), "⟨U+0085⟩");
    }

    #[test]
    fn marks_in_markup_are_spans() {
        let shown = marked("<b>\n</b>\u{202e}", acting).into_string();
        assert_eq!(
            shown,
            "&lt;b&gt;<span class=\"mark\" title=\"U+000A\">␊</span>&lt;/b&gt;<span class=\"mark\" title=\"U+202E\">⟨U+202E⟩</span>"
        );
        assert_eq!(marked("plain & simple", acting).into_string(), "plain &amp; simple");
    }

    #[test]
    fn json_lines_escape_what_nobody_sees() {
        let line = json_line(&serde_json::json!({"who": "kari\u{202e}\n\u{2028}😀", "plain": "æøå"})).unwrap();
        let text = String::from_utf8(line).unwrap();
        assert!(text.ends_with('\n') && text.lines().count() == 1);
        assert!(text.contains(r"kari\u202e\n\u2028😀"), "{text}");
        assert!(text.contains("æøå"));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["who"], "kari\u{202e}\n\u{2028}😀");
    }
}
