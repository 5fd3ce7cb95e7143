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
    escape_chars(text, |c| {
        c.is_control() || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    })
}

/// `text` with each character for which `escaped` holds written as its
/// code point (`\u{200b}`), borrowed when there is none: the one way this
/// crate and its tool show a character that would act or not be seen.
///
/// ```
/// use vipps_order_management::text::escape_chars;
/// assert_eq!(escape_chars("a\u{200b}b", |c| c == '\u{200b}'), "a\\u{200b}b");
/// assert_eq!(escape_chars("plain", |c| c.is_control()), "plain");
/// ```
pub fn escape_chars(text: &str, escaped: impl Fn(char) -> bool) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(&escaped) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if escaped(c) {
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
