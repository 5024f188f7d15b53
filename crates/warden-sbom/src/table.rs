//! The human table: NAME, VERSION, TYPE, like `syft -o table`.

use comfy_table::{presets, Table};
use warden_core::{Ecosystem, Inventory, Package};

/// The type column, in Syft's vocabulary so users comparing the two see the same words.
pub(crate) fn type_name(p: &Package) -> &'static str {
    match p.ecosystem {
        Ecosystem::Deb => "deb",
        Ecosystem::Apk => "apk",
        Ecosystem::Rpm => "rpm",
        Ecosystem::Pypi => "python",
        Ecosystem::Npm => "npm",
        Ecosystem::Maven => "java-archive",
        Ecosystem::Golang => "go-module",
        Ecosystem::Cargo => "rust-crate",
        Ecosystem::Gem => "gem",
        Ecosystem::Composer => "php-composer",
        Ecosystem::Nuget => "dotnet",
        Ecosystem::Generic => "binary",
    }
}

pub(crate) fn render(inv: &Inventory) -> String {
    if inv.packages.is_empty() {
        return "No packages discovered\n".to_string();
    }
    let mut rows: Vec<[&str; 3]> = inv
        .packages
        .iter()
        .map(|p| [p.name.as_str(), p.version.as_str(), type_name(p)])
        .collect();
    // Syft sorts by name then version then type; duplicates (same package in two places) show once.
    rows.sort();
    rows.dedup();
    let mut t = Table::new();
    t.load_preset(presets::NOTHING);
    t.set_header(["NAME", "VERSION", "TYPE"]);
    for r in rows {
        t.add_row(r);
    }
    // Syft's layout: flush left, columns two spaces apart.
    for c in t.column_iter_mut() {
        c.set_padding((0, 2));
    }
    let mut out = String::new();
    for line in t.to_string().lines() {
        // comfy-table pads the last column; trailing blanks only make diffs noisy.
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lists_each_package_once_sorted() {
        let mut inv = Inventory::default();
        inv.packages
            .push(Package::new(Ecosystem::Npm, "lodash", "4.17.15"));
        inv.packages
            .push(Package::new(Ecosystem::Deb, "libc6", "2.36-9"));
        inv.packages
            .push(Package::new(Ecosystem::Npm, "lodash", "4.17.15"));
        inv.normalize();
        let out = render(&inv);
        let lines: Vec<Vec<&str>> = out
            .lines()
            .map(|l| l.split_whitespace().collect())
            .collect();
        assert_eq!(
            lines,
            vec![
                vec!["NAME", "VERSION", "TYPE"],
                vec!["libc6", "2.36-9", "deb"],
                vec!["lodash", "4.17.15", "npm"]
            ]
        );
        assert_eq!(render(&Inventory::default()), "No packages discovered\n");
    }
}
