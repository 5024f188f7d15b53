//! Exact comparison of unbounded decimal digit strings.
//!
//! Several tools compare numeric parts of any length (dpkg, rpm, apk with care, Python ints,
//! Ruby Integers, Java BigInteger), so numbers are never narrowed to a machine integer here.

use std::cmp::Ordering;

/// Compares two ASCII digit strings by numeric value, ignoring leading zeros.
pub(crate) fn cmp(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// `digits` without leading zeros, `"0"` for zero.
pub(crate) fn canonical(digits: &str) -> &str {
    let t = digits.trim_start_matches('0');
    if t.is_empty() && !digits.is_empty() {
        "0"
    } else {
        t
    }
}

/// Adds one to a digit string (used by tilde/caret expansions).
pub(crate) fn succ(digits: &str) -> String {
    let mut bytes: Vec<u8> = canonical(digits).bytes().collect();
    let mut i = bytes.len();
    loop {
        if i == 0 {
            bytes.insert(0, b'1');
            break;
        }
        i -= 1;
        if bytes[i] == b'9' {
            bytes[i] = b'0';
        } else {
            bytes[i] += 1;
            break;
        }
    }
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_by_value() {
        assert_eq!(cmp("010", "9"), Ordering::Greater);
        assert_eq!(cmp("000", ""), Ordering::Equal);
        assert_eq!(
            cmp(
                "123456789012345678901234567890",
                "123456789012345678901234567891"
            ),
            Ordering::Less
        );
        assert_eq!(succ("199"), "200");
        assert_eq!(succ("0"), "1");
        assert_eq!(succ("999"), "1000");
        assert_eq!(canonical("000"), "0");
    }
}
