//! Amounts, quantities, rates and times in the staff's language, with
//! ICU4X's CLDR data: "1 337,20 kr" in Norwegian, "1.337,20 kr." in
//! Danish, "1 337,20 €" in Finnish, "NOK 1,337.20" in English. ICU4X
//! formats the number; the language's Fluent message places the currency.

use icu_datetime::fieldsets::YMDT;
use icu_datetime::input::{Date, DateTime, Time};
use icu_datetime::DateTimeFormatter;
use icu_decimal::input::Decimal;
use icu_decimal::DecimalFormatter;
use icu_locale_core::Locale;
use vipps_order_management::{Amount, Currency, Quantity, QuantityUnit, TaxRate};

use crate::console::pages::language::{Arg, Lang, Words};

/// One language's number and date formatters.
struct Formatters {
    decimal: Option<DecimalFormatter>,
    date_time: Option<DateTimeFormatter<YMDT>>,
}

impl Formatters {
    fn new(lang: Lang) -> Formatters {
        // English dates as British English writes them (7 Dec 2026,
        // 14:05:09), not as American English does (Dec 7, 2026, 2:05 PM):
        // the staff are in Europe.
        let dates = match lang {
            Lang::En => "en-GB",
            other => other.code(),
        };
        Formatters {
            decimal: lang
                .code()
                .parse::<Locale>()
                .ok()
                .and_then(|locale| DecimalFormatter::try_new((&locale).into(), Default::default()).ok()),
            date_time: dates
                .parse::<Locale>()
                .ok()
                .and_then(|locale| DateTimeFormatter::try_new((&locale).into(), YMDT::medium()).ok()),
        }
    }
}

thread_local! {
    /// Each thread's formatters (ICU4X's are not shared between threads),
    /// made once per language.
    static FORMATTERS: Vec<(Lang, Formatters)> = Lang::ALL.into_iter().map(|l| (l, Formatters::new(l))).collect();
}

/// `f` with the formatters of `lang`.
fn with_formatters<T>(lang: Lang, f: impl FnOnce(&Formatters) -> T) -> Option<T> {
    FORMATTERS.with(|all| all.iter().find(|(l, _)| *l == lang).map(|(_, formatters)| f(formatters)))
}

impl Words {
    /// A decimal number in the language's form; as plain digits should the
    /// formatter be missing (it is compiled in: it is not).
    fn number(&self, value: &Decimal) -> String {
        with_formatters(self.lang(), |f| f.decimal.as_ref().map(|d| d.format(value).to_string()))
            .flatten()
            .unwrap_or_else(|| value.to_string())
    }

    /// An amount in minor units with its currency: "1 337,20 kr".
    pub fn money(&self, amount: Amount, currency: &Currency) -> String {
        self.money_minor(i128::from(amount.minor()), currency)
    }

    /// An exact number of minor units with its currency (a line's amount
    /// as the receipt counts it, `OrderLine::counted`, which may be beyond
    /// 64 bits when a return's negation is).
    pub fn money_minor(&self, minor: i128, currency: &Currency) -> String {
        // Minor units shifted two places: always two decimals ("1.00",
        // "0.05", "0.00"), as the integer's digits go along.
        let mut value = Decimal::from(minor);
        value.multiply_pow10(-2);
        let amount = self.number(&value);
        match currency {
            Currency::Nok => self.with("money-nok", [("amount", Arg::Text(amount))]),
            Currency::Dkk => self.with("money-dkk", [("amount", Arg::Text(amount))]),
            Currency::Eur => self.with("money-eur", [("amount", Arg::Text(amount))]),
            other => self.with(
                "money-other",
                [("amount", Arg::Text(amount)), ("currency", Arg::Data(other.as_str().to_owned()))],
            ),
        }
    }

    /// A VAT rate: "25 %", "12,5 %".
    pub fn rate(&self, rate: TaxRate) -> String {
        let mut value = Decimal::from(rate.as_basis_points());
        value.multiply_pow10(-2);
        value.absolute.trim_end();
        self.with("percent", [("value", Arg::Text(self.number(&value)))])
    }

    /// A quantity with its unit: "0,5 kg", "2 stk.". A quantity that is not
    /// a decimal number (the service does not check) is shown as stored.
    pub fn quantity(&self, quantity: &Quantity, unit: Option<&QuantityUnit>) -> String {
        let shown = match Decimal::try_from_str(quantity.as_str()) {
            Ok(value) => Arg::Text(self.number(&value)),
            Err(_) => Arg::Data(quantity.as_str().to_owned()),
        };
        let unit = match unit {
            None => return self.with("quantity-pieces", [("quantity", shown)]),
            Some(QuantityUnit::Pcs) => "quantity-pieces",
            Some(QuantityUnit::Kg) => "quantity-kg",
            Some(QuantityUnit::Km) => "quantity-km",
            Some(QuantityUnit::Minute) => "quantity-minutes",
            Some(QuantityUnit::Litre) => "quantity-litres",
            Some(QuantityUnit::Kwh) => "quantity-kwh",
            Some(other) => {
                return self.with(
                    "quantity-other",
                    [("quantity", shown), ("unit", Arg::Data(other.as_str().to_owned()))],
                )
            }
        };
        self.with(unit, [("quantity", shown)])
    }

    /// A moment in the console's time zone: "28. nov. 2026, 12:51 (UTC+01:00)".
    pub fn moment(&self, at: &jiff::Zoned) -> String {
        let civil = at.datetime();
        let input = Date::try_new_iso(i32::from(civil.year()), civil.month() as u8, civil.day() as u8)
            .ok()
            .zip(Time::try_new(civil.hour() as u8, civil.minute() as u8, civil.second() as u8, 0).ok())
            .map(|(date, time)| DateTime { date, time });
        let local = input
            .and_then(|input| with_formatters(self.lang(), |f| f.date_time.as_ref().map(|d| d.format(&input).to_string())).flatten())
            .unwrap_or_else(|| civil.strftime("%Y-%m-%d %H:%M").to_string());
        let offset = at.strftime("%:z").to_string();
        self.with("moment", [("local", Arg::Text(local)), ("offset", Arg::Text(offset))])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NBSP: char = '\u{a0}';

    #[test]
    fn amounts_in_each_language() {
        let a = Amount::from_minor(133_720);
        assert_eq!(Words::new(Lang::Nb).money(a, &Currency::Nok), format!("1{NBSP}337,20{NBSP}kr"));
        assert_eq!(Words::new(Lang::Da).money(a, &Currency::Dkk), format!("1.337,20{NBSP}kr."));
        assert_eq!(Words::new(Lang::Fi).money(a, &Currency::Eur), format!("1{NBSP}337,20{NBSP}€"));
        assert_eq!(Words::new(Lang::En).money(a, &Currency::Nok), format!("NOK{NBSP}1,337.20"));
        assert_eq!(
            Words::new(Lang::Nb).money(Amount::from_minor(5), &Currency::Eur),
            format!("0,05{NBSP}€")
        );
        assert_eq!(Words::new(Lang::Nb).money(Amount::ZERO, &Currency::Nok), format!("0,00{NBSP}kr"));
        assert_eq!(
            Words::new(Lang::Nb).money(Amount::from_minor(-19_900), &Currency::Nok),
            format!("−199,00{NBSP}kr")
        );
        assert_eq!(
            Words::new(Lang::En).money(Amount::from_minor(100), &Currency::Unknown("SEK".into())),
            format!("\u{2068}SEK\u{2069}{NBSP}1.00")
        );
        // The extremes of the API's range format exactly.
        assert!(Words::new(Lang::En)
            .money(Amount::MIN, &Currency::Nok)
            .ends_with("92,233,720,368,547,758.08"));
        // A returned line of the lowest amount counts positive, exactly
        // (its negation is beyond 64 bits), never shown as the amount sent.
        let returned = vipps_order_management::OrderLine::new("1", "x", Amount::MIN, Amount::MIN, TaxRate::percent(0)).returned();
        let shown = Words::new(Lang::En).money_minor(returned.counted(returned.total_amount), &Currency::Nok);
        assert_eq!(shown, format!("NOK{NBSP}92,233,720,368,547,758.08"));
    }

    #[test]
    fn rates_quantities_and_times() {
        let nb = Words::new(Lang::Nb);
        assert_eq!(nb.rate(TaxRate::percent(25)), format!("25{NBSP}%"));
        assert_eq!(nb.rate(TaxRate::basis_points(1250)), format!("12,5{NBSP}%"));
        assert_eq!(Words::new(Lang::En).rate(TaxRate::percent(15)), "15%");
        let half: Quantity = "0.5".parse().unwrap();
        assert_eq!(nb.quantity(&half, Some(&QuantityUnit::Kg)), format!("0,5{NBSP}kg"));
        assert_eq!(nb.quantity(&Quantity::from(1200), None), format!("1{NBSP}200{NBSP}stk."));
        assert_eq!(
            Words::new(Lang::En).quantity(&Quantity::from(2), Some(&QuantityUnit::Pcs)),
            format!("2{NBSP}pcs")
        );
        let at: jiff::Zoned = "2026-11-28T12:51:07+01:00[Europe/Oslo]".parse().unwrap();
        let shown = nb.moment(&at);
        assert!(
            shown.contains("2026") && shown.contains("12:51") && shown.contains("+01:00"),
            "{shown}"
        );
        assert!(Words::new(Lang::Fi).moment(&at).contains("2026"));
        // English as written in Europe: day before month, a 24-hour clock.
        let en = Words::new(Lang::En).moment(&at);
        assert!(
            en.starts_with("28 Nov 2026") && en.contains("12:51:07") && !en.contains("PM"),
            "{en}"
        );
    }
}
