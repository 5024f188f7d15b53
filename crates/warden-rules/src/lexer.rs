//! Token scanners for the condition language.
//!
//! libsinsp lexes on demand with anchored POSIX regexes rather than a token stream, because
//! what a token is depends on where the parser is (`a.b` is a field on the left and a bare
//! string on the right). These scanners reproduce those regexes by hand, each returning the
//! length of the longest match at the cursor.

fn is_alpha(b: u8) -> bool {
    b.is_ascii_alphabetic()
}

fn is_ident_tail(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// POSIX `[:space:]`.
pub fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// The blanks the parser skips between tokens (libsinsp also skips `\b`).
pub fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x08)
}

/// `[a-zA-Z]+[a-zA-Z0-9_]*`
pub fn identifier(s: &[u8]) -> usize {
    if s.first().is_some_and(|b| is_alpha(*b)) {
        1 + s[1..].iter().take_while(|b| is_ident_tail(**b)).count()
    } else {
        0
    }
}

/// `[a-zA-Z]+[a-zA-Z0-9_]*(\.[a-zA-Z]+[a-zA-Z0-9_]*)+`
pub fn field_name(s: &[u8]) -> usize {
    let mut n = identifier(s);
    if n == 0 {
        return 0;
    }
    let mut parts = 0;
    while s.get(n) == Some(&b'.') {
        let m = identifier(&s[n + 1..]);
        if m == 0 {
            break;
        }
        n += 1 + m;
        parts += 1;
    }
    if parts == 0 {
        0
    } else {
        n
    }
}

/// `[^][\"'[:space:]]+`
pub fn field_arg_bare(s: &[u8]) -> usize {
    s.iter()
        .take_while(|b| !matches!(**b, b'[' | b']' | b'"' | b'\'') && !is_space(**b))
        .count()
}

/// `[^()\"'[:space:]=,]+`
pub fn bare_str(s: &[u8]) -> usize {
    s.iter()
        .take_while(|b| !matches!(**b, b'(' | b')' | b'"' | b'\'' | b'=' | b',') && !is_space(**b))
        .count()
}

/// `0[xX][0-9a-zA-Z]+`
pub fn hex_num(s: &[u8]) -> usize {
    if s.len() >= 3 && s[0] == b'0' && (s[1] == b'x' || s[1] == b'X') {
        let n = s[2..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if n > 0 {
            return 2 + n;
        }
    }
    0
}

/// `[+\-]?[0-9]+[\.]?[0-9]*([eE][+\-][0-9]+)?`
pub fn number(s: &[u8]) -> usize {
    let mut i = 0;
    if matches!(s.first(), Some(b'+' | b'-')) {
        i = 1;
    }
    let d = s[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    if d == 0 {
        return 0;
    }
    i += d;
    if s.get(i) == Some(&b'.') {
        i += 1;
    }
    i += s[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    if matches!(s.get(i), Some(b'e' | b'E')) && matches!(s.get(i + 1), Some(b'+' | b'-')) {
        let e = s[i + 2..].iter().take_while(|b| b.is_ascii_digit()).count();
        if e > 0 {
            i += 2 + e;
        }
    }
    i
}

/// A quoted string at the start of `s`: returns its length including the quotes. The closing
/// quote is the first delimiter not preceded by a backslash, exactly as libsinsp scans it
/// (so `'a\\'` does not end at the last quote).
pub fn quoted(s: &[u8]) -> usize {
    let Some(&delim) = s.first() else { return 0 };
    if delim != b'"' && delim != b'\'' {
        return 0;
    }
    let mut prev = b'\\';
    for (i, &c) in s.iter().enumerate() {
        if c == 0 {
            return 0;
        }
        if i > 0 && c == delim && prev != b'\\' {
            return i + 1;
        }
        prev = c;
    }
    0
}

/// Decodes the escapes of a quoted string (delimiters included in `raw`). Escaping the other
/// quote character is an error, as in libsinsp.
pub fn unescape(raw: &str) -> Option<String> {
    let delim = raw.as_bytes().first().copied().unwrap_or(b'"');
    let inner = &raw[1..raw.len().saturating_sub(1).max(1)];
    let b = inner.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            let c = b[i + 1];
            i += 2;
            match c {
                b'b' => out.push(8),
                b'f' => out.push(12),
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b't' => out.push(b'\t'),
                b' ' => out.push(b' '),
                b'"' | b'\'' if c != delim => return None,
                b'x' => {
                    let h: String = b[i..].iter().take(2).map(|x| *x as char).collect();
                    if h.len() == 2 && h.chars().all(|c| c.is_ascii_hexdigit()) {
                        out.push(u8::from_str_radix(&h, 16).unwrap_or(0));
                        i += 2;
                    } else {
                        out.push(b'x');
                    }
                }
                other => out.push(other),
            }
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}
