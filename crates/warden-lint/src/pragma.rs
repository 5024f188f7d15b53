//! Inline pragmas: `# hadolint ignore=`, `# hadolint global ignore=`, `# hadolint stage ignore=`,
//! `# hadolint shell=` and `# warden ignore=ID reason="…"`.

use crate::ast::Dockerfile;

/// A recognised pragma comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pragma {
    /// Ignore codes on the next line.
    Ignore {
        /// Rule codes.
        codes: Vec<String>,
        /// Why (warden pragmas only).
        reason: Option<String>,
    },
    /// Ignore codes in the whole file.
    GlobalIgnore {
        /// Rule codes.
        codes: Vec<String>,
    },
    /// Ignore codes in the stage started by the next FROM.
    StageIgnore {
        /// Rule codes.
        codes: Vec<String>,
    },
    /// The shell RUN uses (`powershell` disables shell rules).
    Shell(String),
}

fn codes(list: &str, warden: bool) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for c in list.split(',') {
        let c = c.trim();
        let ok = !c.is_empty()
            && if warden {
                c.chars()
                    .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit())
            } else {
                c.chars()
                    .all(|ch| matches!(ch, 'D' | 'L' | 'S' | 'C' | '0'..='9'))
            };
        if !ok {
            return None;
        }
        out.push(c.to_string());
    }
    Some(out)
}

/// Parses the text of a comment (after `#`).
pub fn parse(comment: &str) -> Option<Pragma> {
    let t = comment.trim_start();
    if let Some(rest) = t.strip_prefix("warden") {
        if !rest.starts_with([' ', '\t']) {
            return None;
        }
        let rest = rest
            .trim_start()
            .strip_prefix("ignore")?
            .trim_start()
            .strip_prefix('=')?
            .trim_start();
        let (list, tail) = match rest.find(" reason=") {
            Some(p) => (&rest[..p], Some(rest[p + 8..].trim())),
            None => (rest.split('#').next().unwrap_or(rest), None),
        };
        let reason = tail.map(|r| r.trim_matches('"').to_string());
        let compact: String = list.split_whitespace().collect::<Vec<_>>().join("");
        return Some(Pragma::Ignore {
            codes: codes(&compact, true)?,
            reason,
        });
    }
    let rest = t.strip_prefix("hadolint")?;
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let rest = rest.trim_start();
    let body = rest.split('#').next().unwrap_or(rest).trim_end();
    let (kind, value) = body.split_once('=')?;
    let kind: Vec<&str> = kind.split_whitespace().collect();
    let value = value.trim();
    match kind.as_slice() {
        ["shell"] => Some(Pragma::Shell(value.to_string())),
        ["ignore"] => Some(Pragma::Ignore {
            codes: codes(&value.replace([' ', '\t'], ""), false)?,
            reason: None,
        }),
        ["global", "ignore"] => Some(Pragma::GlobalIgnore {
            codes: codes(&value.replace([' ', '\t'], ""), false)?,
        }),
        ["stage", "ignore"] => Some(Pragma::StageIgnore {
            codes: codes(&value.replace([' ', '\t'], ""), false)?,
        }),
        _ => None,
    }
}

/// The shell named by the last `# hadolint shell=` pragma, if any.
pub fn shell_pragma(df: &Dockerfile) -> Option<String> {
    df.comments.iter().rev().find_map(|c| match parse(&c.text) {
        Some(Pragma::Shell(s)) => Some(s.to_ascii_lowercase()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar() {
        assert_eq!(
            parse(" hadolint ignore=DL3002 # why"),
            Some(Pragma::Ignore {
                codes: vec!["DL3002".into()],
                reason: None
            })
        );
        assert_eq!(
            parse(" hadolint ignore = DL3001 , SC2086 "),
            Some(Pragma::Ignore {
                codes: vec!["DL3001".into(), "SC2086".into()],
                reason: None
            })
        );
        assert_eq!(parse(" hadolint ignore=crazy,DL3002"), None);
        assert_eq!(parse(" hadolintignore=DL3002"), None);
        assert_eq!(
            parse(" hadolint global ignore=DL3002"),
            Some(Pragma::GlobalIgnore {
                codes: vec!["DL3002".into()]
            })
        );
        assert_eq!(
            parse(" hadolint shell=powershell"),
            Some(Pragma::Shell("powershell".into()))
        );
        assert_eq!(
            parse(" warden ignore=WD1001 reason=\"runs as root by design\""),
            Some(Pragma::Ignore {
                codes: vec!["WD1001".into()],
                reason: Some("runs as root by design".into())
            })
        );
    }
}
