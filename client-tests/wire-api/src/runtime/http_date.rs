//! Parsing of HTTP dates (RFC 9110 section 5.6.7), for `retry-after`.
//!
//! Written here rather than pulling in a date crate: the three formats are fixed and
//! only whole seconds matter.

/// Seconds since the Unix epoch of an HTTP date in any of the three formats RFC 9110
/// requires recipients to accept:
///
/// - IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`
/// - RFC 850: `Sunday, 06-Nov-94 08:49:37 GMT`
/// - asctime: `Sun Nov  6 08:49:37 1994`
///
/// The weekday is not checked against the date. Returns `None` for anything else.
pub(crate) fn parse(text: &str) -> Option<i64> {
    let tokens: Vec<&str> = text.split_ascii_whitespace().collect();
    let (day, month, year, time) = match tokens.as_slice() {
        [weekday, day, month, year, time, "GMT"] if weekday.ends_with(',') => {
            (*day, *month, parse_number(year, 4)?, *time)
        }
        [weekday, date, time, "GMT"] if weekday.ends_with(',') => {
            let mut parts = date.split('-');
            let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
            if parts.next().is_some() {
                return None;
            }
            // RFC 9110: a two-digit year more than 50 years ahead is in the past
            // century; for a retry delay only recent dates matter anyway.
            let year = parse_number(year, 2)?;
            (
                day,
                month,
                if year < 70 { 2000 + year } else { 1900 + year },
                *time,
            )
        }
        [_weekday, month, day, time, year] => (*day, *month, parse_number(year, 4)?, *time),
        _ => return None,
    };
    let month = month_number(month)?;
    let day = parse_number(day, 1).or_else(|| parse_number(day, 2))?;
    if day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let (hour, minute, second) = parse_time(time)?;
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3_600 + minute * 60 + second)
}

/// A decimal number of exactly `digits` ASCII digits.
fn parse_number(text: &str, digits: usize) -> Option<i64> {
    if text.len() != digits || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn parse_time(text: &str) -> Option<(i64, i64, i64)> {
    let mut parts = text.split(':');
    let hour = parse_number(parts.next()?, 2)?;
    let minute = parse_number(parts.next()?, 2)?;
    let second = parse_number(parts.next()?, 2)?;
    // 60 allows a leap second.
    (parts.next().is_none() && hour < 24 && minute < 60 && second <= 60)
        .then_some((hour, minute, second))
}

fn month_number(name: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let index = MONTHS.iter().position(|month| *month == name)?;
    i64::try_from(index + 1).ok()
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_EXAMPLE: i64 = 784_111_777;

    #[test]
    fn parses_the_three_formats() {
        assert_eq!(parse("Sun, 06 Nov 1994 08:49:37 GMT"), Some(RFC_EXAMPLE));
        assert_eq!(parse("Sunday, 06-Nov-94 08:49:37 GMT"), Some(RFC_EXAMPLE));
        assert_eq!(parse("Sun Nov  6 08:49:37 1994"), Some(RFC_EXAMPLE));
    }

    #[test]
    fn known_dates() {
        assert_eq!(parse("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(parse("Tue, 29 Feb 2000 12:00:00 GMT"), Some(951_825_600));
        assert_eq!(parse("Fri, 31 Dec 2038 23:59:59 GMT"), Some(2_177_452_799));
        assert_eq!(parse("Wed, 01-Jan-30 00:00:00 GMT"), Some(1_893_456_000));
    }

    #[test]
    fn rejects_garbage() {
        for text in [
            "",
            "soon",
            "120",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 29 Feb 1900 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
            "Sun, 06 Nov 94 08:49:37 GMT",
            "Sun, +6 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94-1 08:49:37 GMT",
        ] {
            assert_eq!(parse(text), None, "{text:?}");
        }
    }
}
