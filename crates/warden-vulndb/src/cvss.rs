//! CVSS base scores from vectors. v3.x and v4.0 go through the `cvss` crate; v2, which that crate
//! does not score and which the Ubuntu tracker and old advisories still carry, is computed here
//! from the v2 specification's base equation.

/// The base score of a CVSS v2, v3.x or v4.0 vector.
pub(crate) fn base_score(vector: &str) -> Result<f64, String> {
    if vector.starts_with("CVSS:3.") || vector.starts_with("CVSS:4.") {
        let parsed: cvss::Cvss = vector
            .parse()
            .map_err(|e| format!("invalid CVSS vector '{vector}': {e}"))?;
        return Ok(parsed.score());
    }
    let v2 = vector.strip_prefix("CVSS:2.0/").unwrap_or(vector);
    v2_base(v2).ok_or_else(|| format!("invalid CVSS vector '{vector}'"))
}

fn v2_base(v: &str) -> Option<f64> {
    let (mut av, mut ac, mut au, mut c, mut i, mut a) = (None, None, None, None, None, None);
    for part in v.trim_start_matches('(').trim_end_matches(')').split('/') {
        let (k, val) = part.split_once(':')?;
        match k {
            "AV" => {
                av = Some(match val {
                    "L" => 0.395,
                    "A" => 0.646,
                    "N" => 1.0,
                    _ => return None,
                })
            }
            "AC" => {
                ac = Some(match val {
                    "H" => 0.35,
                    "M" => 0.61,
                    "L" => 0.71,
                    _ => return None,
                })
            }
            "Au" => {
                au = Some(match val {
                    "M" => 0.45,
                    "S" => 0.56,
                    "N" => 0.704,
                    _ => return None,
                })
            }
            "C" => c = Some(impact(val)?),
            "I" => i = Some(impact(val)?),
            "A" => a = Some(impact(val)?),
            // Temporal and environmental metrics do not change the base score.
            _ => {}
        }
    }
    let (av, ac, au, c, i, a) = (av?, ac?, au?, c?, i?, a?);
    let imp = 10.41 * (1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a));
    let exploit = 20.0 * av * ac * au;
    let f = if imp == 0.0 { 0.0 } else { 1.176 };
    let score = ((0.6 * imp) + (0.4 * exploit) - 1.5) * f;
    Some((score * 10.0).round() / 10.0)
}

fn impact(v: &str) -> Option<f64> {
    Some(match v {
        "N" => 0.0,
        "P" => 0.275,
        "C" => 0.660,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::base_score;

    #[test]
    fn scores_match_the_published_ones() {
        // Log4Shell as NVD scores it: 10.0 (v3.1) and 9.3 (v2).
        assert_eq!(
            base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H").unwrap(),
            10.0
        );
        assert_eq!(base_score("AV:N/AC:M/Au:N/C:C/I:C/A:C").unwrap(), 9.3);
        // CVE-2023-32681 (requests), NVD v3.1 6.1.
        assert_eq!(
            base_score("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N").unwrap(),
            6.1
        );
        assert!(base_score("CVSS:3.1/AV:X").is_err());
        assert!(base_score("AV:N/AC:L").is_err());
    }
}
