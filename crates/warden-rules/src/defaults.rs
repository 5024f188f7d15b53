//! The rules warden loads when given none: Falco's stable ruleset, byte-identical to
//! falcosecurity/rules `falco_rules.yaml` 5.1.0, then warden's own ruleset.

use crate::loader::{LoadReport, Loader};

/// Falco's stable rules, unchanged.
pub const FALCO_RULES: &str = include_str!("../rules/falco_rules.yaml");
/// warden's rules for the seed's detections.
pub const WARDEN_RULES: &str = include_str!("../rules/warden_rules.yaml");

/// Loads both default rulesets, in that order.
pub fn load() -> LoadReport {
    let mut l = Loader::new();
    l.add_str("falco_rules.yaml", FALCO_RULES);
    l.add_str("warden_rules.yaml", WARDEN_RULES);
    l.finish()
}
