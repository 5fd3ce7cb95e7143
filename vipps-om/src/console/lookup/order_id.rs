//! What staff paste as an order id: cleaned of what surrounds it in a mail
//! or a page and of what nobody sees, and why it cannot be an order id
//! when it cannot.

use vipps_order_management::validate::id_char;

use crate::console::marks::unseen;

/// An order id as pasted, cleaned: without spaces, line breaks, invisible
/// characters (zero-width spaces, direction marks, soft hyphens: Unicode's
/// default-ignorable code points) and control characters anywhere, and
/// without what surrounds an id in a mail or a shop's page (`#`, quotes,
/// brackets, a trailing comma).
pub fn clean_order_id(pasted: &str) -> String {
    let kept: String = pasted.chars().filter(|c| !unseen(*c)).collect();
    // Punctuation and symbols around it go; a letter never does (`ordré`
    // stays, to be refused, not looked up as another order).
    kept.trim_matches(|c: char| !id_char(c) && !c.is_alphanumeric()).to_owned()
}

/// Why a text cannot be an order id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdProblem {
    /// Nothing (or nothing once cleaned).
    Empty,
    /// The address holds bytes that are not text (`%FF`).
    NotText,
    /// `.` or `..`.
    Dots,
    /// Longer than the API takes.
    TooLong {
        /// The most characters an order id has.
        max: usize,
    },
    /// Characters an order id cannot hold, each once, in order.
    Characters(String),
}

/// Why `typed`, cleaned into `cleaned`, cannot be an order id; `None`
/// when it can. When cleaning leaves nothing of a text that had visible
/// characters (`😀`), those characters are the problem, not emptiness.
pub fn problem_of(typed: &str, cleaned: &str) -> Option<IdProblem> {
    match order_id_problem(cleaned)? {
        IdProblem::Empty => {
            let mut odd = String::new();
            for c in typed.chars() {
                if !unseen(c) && !id_char(c) && c != '#' && !odd.contains(c) {
                    odd.push(c);
                }
            }
            Some(if odd.is_empty() {
                IdProblem::Empty
            } else {
                IdProblem::Characters(odd)
            })
        }
        other => Some(other),
    }
}

/// Why `id` cannot be an order id; `None` when it can (by the SDK's rule,
/// which decides; this only says which part of it failed).
pub fn order_id_problem(id: &str) -> Option<IdProblem> {
    vipps_order_management::validate::order_id("orderId", id).first()?;
    let max = vipps_order_management::validate::ORDER_ID_MAX_LEN;
    Some(if id.is_empty() {
        IdProblem::Empty
    } else if id == "." || id == ".." {
        IdProblem::Dots
    } else if id.len() > max {
        IdProblem::TooLong { max }
    } else {
        let mut odd = String::new();
        for c in id.chars().filter(|c| !id_char(*c)) {
            if !odd.contains(c) {
                odd.push(c);
            }
        }
        IdProblem::Characters(odd)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_ids_are_cleaned() {
        for (pasted, clean) in [
            ("order-1042", "order-1042"),
            ("  order-1042\n", "order-1042"),
            ("#order-1042", "order-1042"),
            ("##order-1042", "order-1042"),
            ("order-1042\u{200b}", "order-1042"),
            ("\u{feff}order\u{200d}-1042\u{00ad}", "order-1042"),
            ("order - 1042", "order-1042"),
            ("\u{202e}order-1042\u{202c}", "order-1042"),
            ("\u{a0}order-1042\u{2009}", "order-1042"),
            ("“order-1042”,", "order-1042"),
            ("(order-1042)", "order-1042"),
            ("order.1042.", "order.1042."),
            ("#", ""),
            ("ordré-1042", "ordré-1042"),
            ("1042æ", "1042æ"),
        ] {
            assert_eq!(clean_order_id(pasted), clean, "{pasted:?}");
        }
        assert_eq!(order_id_problem("ordré-1042"), Some(IdProblem::Characters("é".into())));
        assert_eq!(order_id_problem("a b/a"), Some(IdProblem::Characters(" /".into())));
        assert_eq!(problem_of("😀", &clean_order_id("😀")), Some(IdProblem::Characters("😀".into())));
        assert_eq!(problem_of(" \u{200b} ", &clean_order_id(" \u{200b} ")), Some(IdProblem::Empty));
        assert_eq!(problem_of("#", &clean_order_id("#")), Some(IdProblem::Empty));
        assert_eq!(order_id_problem(".."), Some(IdProblem::Dots));
        assert_eq!(order_id_problem(""), Some(IdProblem::Empty));
        assert_eq!(order_id_problem(&"a".repeat(129)), Some(IdProblem::TooLong { max: 128 }));
        assert!(order_id_problem("order-1042").is_none());
        assert_eq!(order_id_problem("."), Some(IdProblem::Dots));
        assert_eq!(order_id_problem(".a"), None);
        // At the most characters, what is wrong is a character, not length.
        assert_eq!(
            order_id_problem(&format!("{}/", "a".repeat(127))),
            Some(IdProblem::Characters("/".into()))
        );
        assert_eq!(clean_order_id("\u{7}order-1042\u{1b}"), "order-1042");
    }
}
