//! The rules: one file per rule, all listed in [`RULES`].

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::ast::{Instruction, Span};
use crate::context::Ctx;

mod dl1001;
mod dl3000;
mod dl3001;
mod dl3002;
mod dl3003;
mod dl3004;
mod dl3006;
mod dl3007;
mod dl3008;
mod dl3009;
mod dl3010;
mod dl3011;
mod dl3012;
mod dl3013;
mod dl3014;
mod dl3015;
mod dl3016;
mod dl3018;
mod dl3019;
mod dl3020;
mod dl3021;
mod dl3022;
mod dl3023;
mod dl3024;
mod dl3025;
mod dl3026;
mod dl3027;
mod dl3028;
mod dl3029;
mod dl3030;
mod dl3032;
mod dl3033;
mod dl3034;
mod dl3035;
mod dl3036;
mod dl3037;
mod dl3038;
mod dl3040;
mod dl3041;
mod dl3042;
mod dl3043;
mod dl3044;
mod dl3045;
mod dl3046;
mod dl3047;
mod dl3048;
mod dl3049;
mod dl3050;
mod dl3051;
mod dl3052;
mod dl3053;
mod dl3054;
mod dl3055;
mod dl3056;
mod dl3057;
mod dl3058;
mod dl3059;
mod dl3060;
mod dl3061;
mod dl3062;
mod dl3063;
mod dl3064;
mod dl3065;
mod dl3066;
mod dl3067;
mod dl4000;
mod dl4001;
mod dl4003;
mod dl4004;
mod dl4005;
mod dl4006;
pub(crate) mod helpers;
mod labels;
mod wd1001;
mod wd1002;
mod wd1003;
mod wd1004;
pub(crate) mod wd1005;
mod wd1006;
mod wd1007;
mod wd1008;
mod wd1009;
mod wd1010;

/// hadolint's levels, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Error.
    Error,
    /// Warning.
    Warning,
    /// Info.
    Info,
    /// Style.
    Style,
    /// Off unless re-levelled.
    Ignore,
}

impl Level {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info => "info",
            Level::Style => "style",
            Level::Ignore => "ignore",
        }
    }

    /// Whether `self` is at least as severe as `threshold`.
    pub fn reaches(self, threshold: Level) -> bool {
        self <= threshold
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "error" => Level::Error,
            "warning" => Level::Warning,
            "info" => Level::Info,
            "style" => Level::Style,
            "ignore" => Level::Ignore,
            other => {
                return Err(format!(
                    "unknown level '{other}' (expected error, warning, info, style or ignore)"
                ))
            }
        })
    }
}

/// Who defined a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Family {
    /// A hadolint rule, same ID, level and message.
    Hadolint,
    /// One of warden's security rules.
    Warden,
    /// A check of a built image (`warden lint --image`), see [`crate::image`].
    Image,
}

/// A rule: its code, default level, message, documentation and check.
pub struct Rule {
    /// `DL3006`, `WD1001`.
    pub code: &'static str,
    /// Default level.
    pub level: Level,
    /// The message findings carry (label rules template the label name in).
    pub message: &'static str,
    /// Markdown: what it does, why, an example (printed by `--explain`).
    pub doc: &'static str,
    /// Who defined it.
    pub family: Family,
    /// The check.
    pub check: fn(&Ctx, &mut Out),
}

/// Every rule, in code order. The registry: `--explain`, docs and SARIF `rules` come from here.
pub static RULES: &[&Rule] = &[
    &dl1001::RULE,
    &dl3000::RULE,
    &dl3001::RULE,
    &dl3002::RULE,
    &dl3003::RULE,
    &dl3004::RULE,
    &dl3006::RULE,
    &dl3007::RULE,
    &dl3008::RULE,
    &dl3009::RULE,
    &dl3010::RULE,
    &dl3011::RULE,
    &dl3012::RULE,
    &dl3013::RULE,
    &dl3014::RULE,
    &dl3015::RULE,
    &dl3016::RULE,
    &dl3018::RULE,
    &dl3019::RULE,
    &dl3020::RULE,
    &dl3021::RULE,
    &dl3022::RULE,
    &dl3023::RULE,
    &dl3024::RULE,
    &dl3025::RULE,
    &dl3026::RULE,
    &dl3027::RULE,
    &dl3028::RULE,
    &dl3029::RULE,
    &dl3030::RULE,
    &dl3032::RULE,
    &dl3033::RULE,
    &dl3034::RULE,
    &dl3035::RULE,
    &dl3036::RULE,
    &dl3037::RULE,
    &dl3038::RULE,
    &dl3040::RULE,
    &dl3041::RULE,
    &dl3042::RULE,
    &dl3043::RULE,
    &dl3044::RULE,
    &dl3045::RULE,
    &dl3046::RULE,
    &dl3047::RULE,
    &dl3048::RULE,
    &dl3049::RULE,
    &dl3050::RULE,
    &dl3051::RULE,
    &dl3052::RULE,
    &dl3053::RULE,
    &dl3054::RULE,
    &dl3055::RULE,
    &dl3056::RULE,
    &dl3057::RULE,
    &dl3058::RULE,
    &dl3059::RULE,
    &dl3060::RULE,
    &dl3061::RULE,
    &dl3062::RULE,
    &dl3063::RULE,
    &dl3064::RULE,
    &dl3065::RULE,
    &dl3066::RULE,
    &dl3067::RULE,
    &dl4000::RULE,
    &dl4001::RULE,
    &dl4003::RULE,
    &dl4004::RULE,
    &dl4005::RULE,
    &dl4006::RULE,
    &wd1001::RULE,
    &wd1002::RULE,
    &wd1003::RULE,
    &wd1004::RULE,
    &wd1005::RULE,
    &wd1006::RULE,
    &wd1007::RULE,
    &wd1008::RULE,
    &wd1009::RULE,
    &wd1010::RULE,
];

/// The rule with this code (case-insensitive), Dockerfile or image rule.
pub fn find(code: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .chain(crate::image::rules())
        .find(|r| r.code.eq_ignore_ascii_case(code))
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Rule code (`DL3006`, `SC2086`, `WD1001`, `DL1000` for parse errors).
    pub code: String,
    /// Level after overrides.
    pub level: Level,
    /// Message.
    pub message: String,
    /// Where: hadolint reports the instruction's first line; `span` carries the exact range.
    pub span: Span,
}

/// Where rules put findings.
pub struct Out {
    pub(crate) code: &'static str,
    pub(crate) message: &'static str,
    pub(crate) found: Vec<(Span, Option<String>)>,
}

impl Out {
    /// Reports the rule's message at an instruction.
    pub fn at(&mut self, inst: &Instruction) {
        self.found.push((inst.span, None));
    }

    /// Reports a custom message at an instruction.
    pub fn msg(&mut self, inst: &Instruction, message: String) {
        self.found.push((inst.span, Some(message)));
    }

    /// Reports at an explicit span.
    pub fn span(&mut self, span: Span, message: Option<String>) {
        self.found.push((span, message));
    }

    /// The rule's default message.
    pub fn default_message(&self) -> &'static str {
        self.message
    }

    /// The rule's code.
    pub fn code(&self) -> &'static str {
        self.code
    }
}

/// Shared imports for rule files.
pub(crate) mod prelude {
    pub use super::helpers::*;
    pub use super::{Family, Level, Out, Rule};
    pub use crate::ast::{Arguments, Healthcheck, Instruction, Kind};
    pub use crate::context::Ctx;
}

/// The Markdown page of a rule (what `docs/rules/CODE.md` holds).
pub fn markdown(r: &Rule) -> String {
    let origin = match r.family {
        Family::Hadolint => "hadolint-compatible (same ID, level and message)",
        Family::Warden => "warden security rule",
        Family::Image => "warden image check (`warden lint --image`)",
    };
    format!(
        "# {}\n\n**Level:** {} · **Origin:** {}\n\n**Message:** {}\n\n{}\n",
        r.code, r.level, origin, r.message, r.doc
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_complete_and_documented() {
        let hadolint = RULES
            .iter()
            .filter(|r| r.family == Family::Hadolint)
            .count();
        assert_eq!(hadolint, 71, "hadolint's 71 DL rules");
        let mut codes: Vec<&str> = RULES.iter().map(|r| r.code).collect();
        let n = codes.len();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), n, "codes are unique");
        for r in RULES {
            for section in ["## What it does", "## Why", "## Example"] {
                assert!(r.doc.contains(section), "{} lacks {section}", r.code);
            }
        }
    }

    #[test]
    fn messages_match_hadolint_2_15_1() {
        let tsv = include_str!("../../tests/fixtures/hadolint-rules.tsv");
        let mut checked = 0;
        for line in tsv.lines().skip(1) {
            let cols: Vec<&str> = line.splitn(3, '\t').collect();
            let [code, level, message] = cols[..] else {
                continue;
            };
            let Some(r) = find(code) else {
                assert_eq!(code, "DL1000", "missing rule {code}");
                continue;
            };
            assert_eq!(r.level.as_str(), level, "{code} level");
            // Label rules template the label name; compare with it substituted.
            let ours = if message.contains('`') && r.message.contains("<label>") {
                let name = message.split('`').nth(1).unwrap_or("");
                r.message.replace("<label>", name)
            } else {
                r.message.to_string()
            };
            assert_eq!(ours, message, "{code} message");
            checked += 1;
        }
        assert_eq!(checked, 71);
    }
}
