//! Counts in messages as people write them ("1 day", "2 days"), never "day(s)".

/// `n` and the noun in the right number: `count(1, "day", "days")` is "1 day".
pub fn count(n: impl Into<i64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 || n == -1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn one_is_singular_and_every_other_count_is_plural() {
        assert_eq!(count(1, "day", "days"), "1 day");
        assert_eq!(count(0, "day", "days"), "0 days");
        assert_eq!(count(2, "line holds", "lines hold"), "2 lines hold");
        assert_eq!(count(-1, "day", "days"), "-1 day");
    }
}
