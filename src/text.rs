//! Text from a server or a stored order, made safe to show: in one line on
//! a terminal, in a log or on a page, and short.

/// Text from a server made safe to print in one line on a terminal or in a
/// log: control characters (line breaks, escape sequences) and the Unicode
/// marks that reorder text are shown escaped (`\u{1b}`) instead of acting.
///
/// ```
/// use vipps_order_management::text::printable;
/// assert_eq!(printable("Socks"), "Socks");
/// assert_eq!(printable("Socks\u{202e}skcoS"), "Socks\\u{202e}skcoS");
/// assert_eq!(printable("two\nlines"), "two\\u{a}lines");
/// ```
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    fn acts(c: char) -> bool {
        c.is_control() || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }
    if !text.chars().any(acts) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if acts(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Shortens `text` to at most `max` bytes on a character boundary.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}
