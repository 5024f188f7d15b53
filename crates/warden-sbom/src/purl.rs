//! Package URLs back into the core model's (ecosystem, name, version).

use std::collections::BTreeMap;
use std::str::FromStr;

use warden_core::Ecosystem;

/// A purl taken apart, with the name rejoined the way [`warden_core::Package::name`] spells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Parsed {
    pub ecosystem: Ecosystem,
    pub name: String,
    pub version: Option<String>,
    pub qualifiers: BTreeMap<String, String>,
}

/// Parses `purl`. The ecosystem comes from the purl type; types warden has no ecosystem for
/// (`oci`, `github`, Trivy's `none`...) become [`Ecosystem::Generic`].
pub(crate) fn parse(purl: &str) -> Result<Parsed, String> {
    let p = packageurl::PackageUrl::from_str(purl)
        .map_err(|e| format!("invalid purl '{purl}': {e}"))?;
    let ty = p.ty().to_ascii_lowercase();
    let ecosystem = ecosystem_of(&ty);
    let ns = p.namespace().filter(|n| !n.is_empty());
    let short = p.name();
    let name = match (ecosystem, ns) {
        // OS purls carry the distro vendor (`debian`, `alpine`) as namespace, not part of the name.
        (Ecosystem::Deb | Ecosystem::Apk | Ecosystem::Rpm, _) => short.to_string(),
        (Ecosystem::Maven, Some(g)) => format!("{g}:{short}"),
        (_, Some(ns)) => format!("{ns}/{short}"),
        (_, None) => short.to_string(),
    };
    let qualifiers: BTreeMap<String, String> = p
        .qualifiers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut version = p.version().filter(|v| !v.is_empty()).map(str::to_string);
    // Trivy moves a dpkg/rpm epoch into a qualifier; the core model keeps it in the version.
    if let (Ecosystem::Deb | Ecosystem::Rpm, Some(v), Some(epoch)) =
        (ecosystem, version.as_ref(), qualifiers.get("epoch"))
    {
        if !v.contains(':') && !epoch.is_empty() && epoch != "0" {
            version = Some(format!("{epoch}:{v}"));
        }
    }
    Ok(Parsed {
        ecosystem,
        name,
        version,
        qualifiers,
    })
}

pub(crate) fn ecosystem_of(purl_type: &str) -> Ecosystem {
    Ecosystem::ALL
        .into_iter()
        .find(|e| e.purl_type() == purl_type)
        .unwrap_or(Ecosystem::Generic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_rejoined_per_type() {
        let p = parse("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1").unwrap();
        assert_eq!(
            (p.ecosystem, p.name.as_str()),
            (Ecosystem::Maven, "org.apache.logging.log4j:log4j-core")
        );
        let p = parse("pkg:npm/%40babel/helper-plugin-utils@7.24.0").unwrap();
        assert_eq!(p.name, "@babel/helper-plugin-utils");
        let p = parse("pkg:golang/github.com/warden-fixtures/gohello@(devel)").unwrap();
        assert_eq!(
            (p.name.as_str(), p.version.as_deref()),
            ("github.com/warden-fixtures/gohello", Some("(devel)"))
        );
        let p = parse("pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12").unwrap();
        assert_eq!(
            (p.ecosystem, p.name.as_str(), p.version.as_deref()),
            (Ecosystem::Deb, "libc6", Some("2.36-9+deb12u4"))
        );
        assert_eq!(p.qualifiers.get("arch").map(String::as_str), Some("amd64"));
    }

    #[test]
    fn trivy_epoch_qualifier_goes_back_into_the_version() {
        let p = parse("pkg:deb/debian/zlib1g@1.2.13.dfsg-1?arch=amd64&epoch=1&distro=debian-12.5")
            .unwrap();
        assert_eq!(p.version.as_deref(), Some("1:1.2.13.dfsg-1"));
        let p = parse("pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64").unwrap();
        assert_eq!(p.version.as_deref(), Some("1:1.2.13.dfsg-1"));
    }

    #[test]
    fn unknown_types_are_generic_and_garbage_is_an_error() {
        assert_eq!(
            parse("pkg:none/base-files@12.4").unwrap().ecosystem,
            Ecosystem::Generic
        );
        assert!(parse("not a purl").is_err());
    }
}
