//! Lockfile catalogers over real lockfiles (see tests/fixtures/lockfiles/README.md for where
//! each came from): exact package sets, purls, versions, dev marks, relationships, malformed
//! input and the union over a tree.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use warden_catalog::catalog_lockfiles;
use warden_core::{Inventory, Package};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lockfiles")
}

fn catalog(sub: &str) -> Inventory {
    catalog_lockfiles(&fixtures().join(sub)).unwrap_or_else(|e| panic!("{sub}: {e}"))
}

fn purls(inv: &Inventory) -> BTreeSet<String> {
    inv.packages.iter().map(|p| p.purl.clone()).collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn find<'a>(inv: &'a Inventory, purl: &str) -> &'a Package {
    inv.packages
        .iter()
        .find(|p| p.purl == purl)
        .unwrap_or_else(|| panic!("{purl} not in {:?}", purls(inv)))
}

fn dev(inv: &Inventory) -> BTreeSet<String> {
    inv.packages
        .iter()
        .filter(|p| p.metadata.get("dev").map(String::as_str) == Some("true"))
        .map(|p| p.purl.clone())
        .collect()
}

/// Relationships as `from-purl -> to-purl` (ids carry the path; purls read better).
fn edges(inv: &Inventory) -> BTreeSet<String> {
    let purl = |id: &str| {
        inv.packages
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.purl.clone())
            .unwrap_or_else(|| panic!("dangling id {id}"))
    };
    inv.relationships
        .iter()
        .map(|r| format!("{} -> {}", purl(&r.from), purl(&r.to)))
        .collect()
}

fn assert_common(inv: &Inventory, path: &str, found_by: &str) {
    assert!(!inv.packages.is_empty(), "{path}: no packages");
    for p in &inv.packages {
        assert_eq!(p.found_by, found_by, "{}", p.purl);
        assert_eq!(p.locations.len(), 1, "{}", p.purl);
        assert_eq!(p.locations[0].path, path, "{}", p.purl);
        assert_eq!(p.locations[0].layer, None);
    }
}

const NPM_SET: [&str; 4] = [
    "pkg:npm/%40isaacs/string-locale-compare@1.1.0",
    "pkg:npm/debug@2.6.9",
    "pkg:npm/ms@2.0.0",
    "pkg:npm/ms@2.1.3",
];

#[test]
fn npm_package_lock_v1_v2_v3() {
    for v in 1..=3 {
        let dir = format!("npm-v{v}");
        let inv = catalog(&dir);
        assert_common(&inv, "package-lock.json", "npm-lock");
        assert_eq!(purls(&inv), set(&NPM_SET), "v{v}");
        assert_eq!(dev(&inv), set(&["pkg:npm/ms@2.1.3"]), "v{v}");
        assert_eq!(
            edges(&inv),
            set(&["pkg:npm/debug@2.6.9 -> pkg:npm/ms@2.0.0"]),
            "v{v}"
        );
        let scoped = find(&inv, NPM_SET[0]);
        assert_eq!(scoped.name, "@isaacs/string-locale-compare");
        assert_eq!(scoped.version, "1.1.0");
        assert!(inv.skipped.is_empty(), "{:?}", inv.skipped);
    }
    // Lines point at the entry: v3 lists `"node_modules/debug": {` on line 23.
    let inv = catalog("npm-v3");
    assert_eq!(find(&inv, "pkg:npm/debug@2.6.9").metadata["line"], "23");
}

#[test]
fn yarn_classic_and_berry() {
    for dir in ["yarn-v1", "yarn-berry"] {
        let inv = catalog(dir);
        assert_common(&inv, "yarn.lock", "yarn-lock");
        assert_eq!(purls(&inv), set(&NPM_SET), "{dir}");
        // Dev marks come from the package.json beside the lockfile.
        assert_eq!(dev(&inv), set(&["pkg:npm/ms@2.1.3"]), "{dir}");
        assert_eq!(
            edges(&inv),
            set(&["pkg:npm/debug@2.6.9 -> pkg:npm/ms@2.0.0"]),
            "{dir}"
        );
        assert!(inv.skipped.is_empty(), "{dir}: {:?}", inv.skipped);
    }
    assert_eq!(
        find(&catalog("yarn-v1"), "pkg:npm/debug@2.6.9").metadata["line"],
        "10"
    );
    assert_eq!(
        find(&catalog("yarn-berry"), "pkg:npm/ms@2.0.0").metadata["line"],
        "24"
    );
}

#[test]
fn pnpm_v5_v6_v9() {
    for (dir, debug_line) in [("pnpm-v5", "21"), ("pnpm-v6", "26"), ("pnpm-v9", "27")] {
        let inv = catalog(dir);
        assert_common(&inv, "pnpm-lock.yaml", "pnpm-lock");
        assert_eq!(purls(&inv), set(&NPM_SET), "{dir}");
        assert_eq!(dev(&inv), set(&["pkg:npm/ms@2.1.3"]), "{dir}");
        assert_eq!(
            edges(&inv),
            set(&["pkg:npm/debug@2.6.9 -> pkg:npm/ms@2.0.0"]),
            "{dir}"
        );
        assert_eq!(
            find(&inv, "pkg:npm/debug@2.6.9").metadata["line"],
            debug_line,
            "{dir}"
        );
        assert!(inv.skipped.is_empty(), "{dir}: {:?}", inv.skipped);
    }
}

#[test]
fn cargo_lock_from_this_workspace() {
    let inv = catalog("cargo");
    assert_common(&inv, "Cargo.lock", "cargo-lock");
    let expected = [
        "aho-corasick@1.1.5",
        "allocator-api2@0.2.21",
        "equivalent@1.0.3",
        "foldhash@0.2.0",
        "hashbrown@0.17.2",
        "indexmap@2.14.2",
        "itoa@1.0.19",
        "memchr@2.8.3",
        "packageurl@0.4.2",
        "percent-encoding@2.3.2",
        "proc-macro2@1.0.107",
        "quote@1.0.47",
        "regex@1.13.2",
        "regex-automata@0.4.19",
        "regex-syntax@0.8.12",
        "semver@1.0.28",
        "serde@1.0.229",
        "serde_core@1.0.229",
        "serde_derive@1.0.229",
        "serde_json@1.0.154",
        "syn@2.0.119",
        "syn@3.0.10",
        "thiserror@1.0.69",
        "thiserror@2.0.21",
        "thiserror-impl@1.0.69",
        "thiserror-impl@2.0.21",
        "unicode-ident@1.0.27",
        "warden-core@0.1.0",
        "warden-version@0.1.0",
        "zmij@1.0.23",
    ]
    .map(|s| format!("pkg:cargo/{s}"));
    assert_eq!(purls(&inv), expected.iter().cloned().collect());
    let e = edges(&inv);
    // `thiserror 2.0.21` (two versions locked) resolves to the exact one.
    assert!(e.contains("pkg:cargo/warden-version@0.1.0 -> pkg:cargo/thiserror@2.0.21"));
    assert!(!e.contains("pkg:cargo/warden-version@0.1.0 -> pkg:cargo/thiserror@1.0.69"));
    assert!(e.contains("pkg:cargo/regex@1.13.2 -> pkg:cargo/aho-corasick@1.1.5"));
    let local = find(&inv, "pkg:cargo/warden-core@0.1.0");
    assert_eq!(local.metadata["source"], "local");
    let regex = find(&inv, "pkg:cargo/regex@1.13.2");
    assert_eq!(regex.metadata["line"], "99");
    assert_eq!(
        regex.metadata["checksum"],
        "sha256:9807af0e638c12e753aa1b4e601791bf2a8f71274023c8bbeec12fc149950857"
    );
    assert!(inv.skipped.is_empty(), "{:?}", inv.skipped);
}

#[test]
fn poetry_lock() {
    let inv = catalog("poetry");
    assert_common(&inv, "poetry.lock", "poetry-lock");
    assert_eq!(
        purls(&inv),
        set(&[
            "pkg:pypi/certifi@2024.8.30",
            "pkg:pypi/charset-normalizer@3.3.2",
            "pkg:pypi/idna@3.10",
            "pkg:pypi/iniconfig@2.0.0",
            "pkg:pypi/requests@2.31.0",
            "pkg:pypi/typing-extensions@4.12.2",
            "pkg:pypi/urllib3@2.2.3",
        ])
    );
    assert_eq!(dev(&inv), set(&["pkg:pypi/iniconfig@2.0.0"]));
    assert_eq!(
        edges(&inv),
        set(&[
            "pkg:pypi/requests@2.31.0 -> pkg:pypi/certifi@2024.8.30",
            "pkg:pypi/requests@2.31.0 -> pkg:pypi/charset-normalizer@3.3.2",
            "pkg:pypi/requests@2.31.0 -> pkg:pypi/idna@3.10",
            "pkg:pypi/requests@2.31.0 -> pkg:pypi/urllib3@2.2.3",
        ])
    );
}

#[test]
fn uv_lock_with_marker_split_versions() {
    let inv = catalog("uv");
    assert_common(&inv, "uv.lock", "uv-lock");
    // The project itself (`source = { virtual = "." }`) is not a dependency.
    assert_eq!(
        purls(&inv),
        set(&[
            "pkg:pypi/certifi@2026.10.19.post1",
            "pkg:pypi/charset-normalizer@3.5.3",
            "pkg:pypi/idna@3.20",
            "pkg:pypi/iniconfig@2.0.0",
            "pkg:pypi/requests@2.31.0",
            "pkg:pypi/typing-extensions@4.12.2",
            "pkg:pypi/urllib3@2.6.3",
            "pkg:pypi/urllib3@2.8.0",
        ])
    );
    assert_eq!(dev(&inv), set(&["pkg:pypi/iniconfig@2.0.0"]));
    let e = edges(&inv);
    assert!(e.contains("pkg:pypi/requests@2.31.0 -> pkg:pypi/urllib3@2.6.3"));
    assert!(e.contains("pkg:pypi/requests@2.31.0 -> pkg:pypi/urllib3@2.8.0"));
    assert_eq!(e.len(), 5);
    assert_eq!(
        find(&inv, "pkg:pypi/requests@2.31.0").metadata["line"],
        "214"
    );
}

#[test]
fn requirements_pinned_only_and_unpinned_reported() {
    let inv = catalog("requirements");
    let by_file = |f: &str| -> BTreeSet<String> {
        inv.packages
            .iter()
            .filter(|p| p.locations[0].path == f)
            .map(|p| p.purl.clone())
            .collect()
    };
    // uv pip compile --generate-hashes output: continuation lines and hashes.
    assert_eq!(
        by_file("requirements.txt"),
        set(&[
            "pkg:pypi/certifi@2026.10.19.post1",
            "pkg:pypi/charset-normalizer@3.5.3",
            "pkg:pypi/idna@3.20",
            "pkg:pypi/requests@2.31.0",
            "pkg:pypi/typing-extensions@4.12.2",
            "pkg:pypi/urllib3@2.8.0",
        ])
    );
    // Names are PEP 503 normalised; extras and markers dropped.
    assert_eq!(
        by_file("requirements-dev.txt"),
        set(&[
            "pkg:pypi/flask@3.0.3",
            "pkg:pypi/iniconfig@2.0.0",
            "pkg:pypi/packaging@24.1",
            "pkg:pypi/pyyaml@6.0.1",
            "pkg:pypi/zope-interface@6.4.post2",
        ])
    );
    assert!(inv
        .packages
        .iter()
        .all(|p| p.found_by == "python-requirements"));
    let skipped: BTreeSet<&str> = inv.skipped.iter().map(|s| s.at.as_str()).collect();
    assert_eq!(
        skipped,
        [2, 6, 7, 8, 10, 13]
            .iter()
            .map(|l| format!("requirements-dev.txt:{l}"))
            .collect::<BTreeSet<_>>()
            .iter()
            .map(String::as_str)
            .collect()
    );
    let pytest = inv
        .skipped
        .iter()
        .find(|s| s.at == "requirements-dev.txt:6")
        .expect("pytest line");
    assert!(pytest.reason.contains("pytest") && pytest.reason.contains(">=8.0"));
    assert_eq!(find(&inv, "pkg:pypi/packaging@24.1").metadata["line"], "11");
}

#[test]
fn go_mod_with_go_sum_indirect_and_replace() {
    let inv = catalog("go");
    assert_common(&inv, "go.mod", "go-mod");
    assert_eq!(
        purls(&inv),
        set(&[
            "pkg:golang/cmd",
            "pkg:golang/github.com/google/pprof@v0.0.0-20220729232143-a41b82acbcb1",
            "pkg:golang/github.com/ianlancetaylor/demangle@v0.0.0-20220319035150-800ac71e25c2",
            "pkg:golang/golang.org/x/arch@v0.0.0-20220412001346-fc48f9fe4c15",
            "pkg:golang/golang.org/x/crypto@v0.0.0-20220516162934-403b01795ae8",
            "pkg:golang/golang.org/x/mod@v0.6.0-dev.0.20220419223038-86c51ed26bb4",
            "pkg:golang/golang.org/x/sync@v0.0.0-20220513210516-0976fa681c29",
            "pkg:golang/golang.org/x/sys@v0.0.0-20220614162138-6c1b26c55098",
            "pkg:golang/golang.org/x/term@v0.0.0-20220411215600-e5f449aeb171",
            "pkg:golang/golang.org/x/tools@v0.1.11-0.20220516163903-1e55371df567",
        ])
    );
    let main = find(&inv, "pkg:golang/cmd");
    assert_eq!(main.version, "");
    assert_eq!(main.metadata["mainModule"], "true");
    assert_eq!(main.metadata["goSum"], "present");
    assert_eq!(main.metadata["goVersion"], "1.19");
    let indirect: BTreeSet<&str> = inv
        .packages
        .iter()
        .filter(|p| p.metadata.contains_key("indirect"))
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(
        indirect,
        BTreeSet::from(["github.com/ianlancetaylor/demangle", "golang.org/x/crypto"])
    );
    let crypto = find(
        &inv,
        "pkg:golang/golang.org/x/crypto@v0.0.0-20220516162934-403b01795ae8",
    );
    assert_eq!(crypto.metadata["line"], "17");
    assert_eq!(
        crypto.metadata["checksum"],
        "h1:y+mHpWoQJNAHt26Nhh6JP7hvM71IRZureyvZhoVALIs="
    );
    assert_eq!(edges(&inv).len(), 9);
    assert!(edges(&inv)
        .iter()
        .all(|e| e.starts_with("pkg:golang/cmd -> ")));

    // `go mod edit -replace`: a module replacement takes the new path and version; a local
    // directory has no version and is reported as skipped. No go.sum here.
    let inv = catalog("go-replace");
    assert_eq!(
        purls(&inv),
        set(&[
            "pkg:golang/example.com/new/lib@v1.3.1",
            "pkg:golang/example.com/warden/fixture",
            "pkg:golang/github.com/pkg/errors@v0.9.1",
            "pkg:golang/golang.org/x/text@v0.3.7",
        ])
    );
    assert_eq!(
        find(&inv, "pkg:golang/example.com/new/lib@v1.3.1").metadata["replaces"],
        "example.com/old/lib v1.2.0"
    );
    assert_eq!(
        find(&inv, "pkg:golang/example.com/warden/fixture").metadata["goSum"],
        "absent"
    );
    assert_eq!(inv.skipped.len(), 1);
    assert_eq!(inv.skipped[0].at, "go.mod:6");
    assert!(inv.skipped[0].reason.contains("../helper"));

    // A one-line `require` with a trailing comment (x/mod's own go.mod).
    let inv = catalog("go-xmod");
    assert_eq!(
        purls(&inv),
        set(&[
            "pkg:golang/golang.org/x/mod",
            "pkg:golang/golang.org/x/tools@v0.1.12"
        ])
    );
    assert!(!find(&inv, "pkg:golang/golang.org/x/tools@v0.1.12")
        .metadata
        .contains_key("indirect"));
}

#[test]
fn gemfile_lock() {
    let inv = catalog("ruby");
    assert_common(&inv, "Gemfile.lock", "gemfile-lock");
    assert_eq!(
        purls(&inv),
        set(&[
            "pkg:gem/coverage-helpers@1.0.0",
            "pkg:gem/docile@1.4.0",
            "pkg:gem/power_assert@2.0.1",
            "pkg:gem/rake@13.0.1",
            "pkg:gem/rbs@2.0.0",
            "pkg:gem/simplecov@0.21.2",
            "pkg:gem/simplecov-html@0.12.3",
            "pkg:gem/simplecov_json_formatter@0.1.3",
            "pkg:gem/stackprof@0.2.17",
            "pkg:gem/test-unit@3.5.3",
            "pkg:gem/typeprof@0.21.2",
        ])
    );
    assert_eq!(
        edges(&inv),
        set(&[
            "pkg:gem/simplecov@0.21.2 -> pkg:gem/docile@1.4.0",
            "pkg:gem/simplecov@0.21.2 -> pkg:gem/simplecov-html@0.12.3",
            "pkg:gem/simplecov@0.21.2 -> pkg:gem/simplecov_json_formatter@0.1.3",
            "pkg:gem/test-unit@3.5.3 -> pkg:gem/power_assert@2.0.1",
            "pkg:gem/typeprof@0.21.2 -> pkg:gem/rbs@2.0.0",
        ])
    );
    assert_eq!(
        find(&inv, "pkg:gem/typeprof@0.21.2").metadata["source"],
        "path"
    );
}

#[test]
fn composer_lock_packages_and_dev() {
    let inv = catalog("composer");
    assert_common(&inv, "composer.lock", "composer-lock");
    assert_eq!(
        purls(&inv),
        set(&[
            "pkg:composer/doctrine/instantiator@2.0.0",
            "pkg:composer/monolog/monolog@3.7.0",
            "pkg:composer/myclabs/deep-copy@1.12.0",
            "pkg:composer/psr/log@3.0.2",
        ])
    );
    assert_eq!(
        dev(&inv),
        set(&[
            "pkg:composer/doctrine/instantiator@2.0.0",
            "pkg:composer/myclabs/deep-copy@1.12.0",
        ])
    );
    assert_eq!(
        edges(&inv),
        set(&["pkg:composer/monolog/monolog@3.7.0 -> pkg:composer/psr/log@3.0.2"])
    );
    let monolog = find(&inv, "pkg:composer/monolog/monolog@3.7.0");
    assert_eq!(monolog.name, "monolog/monolog");
    assert_eq!(monolog.licenses, ["MIT"]);
    assert_eq!(monolog.metadata["line"], "10");
}

#[test]
fn nuget_packages_lock() {
    let inv = catalog("nuget");
    assert_common(&inv, "packages.lock.json", "nuget-lock");
    // Two target frameworks; Newtonsoft.Json in both is one package; the project reference
    // (`"type": "Project"`) is the solution's own code.
    assert_eq!(
        purls(&inv),
        set(&[
            "pkg:nuget/Newtonsoft.Json@13.0.3",
            "pkg:nuget/Serilog@3.1.1",
            "pkg:nuget/Serilog.Sinks.Console@5.0.1",
            "pkg:nuget/System.Text.Encodings.Web@8.0.0",
            "pkg:nuget/System.Text.Json@8.0.4",
        ])
    );
    assert_eq!(
        edges(&inv),
        set(&[
            "pkg:nuget/Serilog.Sinks.Console@5.0.1 -> pkg:nuget/Serilog@3.1.1",
            "pkg:nuget/System.Text.Json@8.0.4 -> pkg:nuget/System.Text.Encodings.Web@8.0.0",
        ])
    );
    assert_eq!(
        find(&inv, "pkg:nuget/Serilog@3.1.1").metadata["type"],
        "Transitive"
    );
}

#[test]
fn maven_pom_properties_resolved_and_unresolvable_skipped() {
    let inv = catalog("maven");
    assert_common(&inv, "pom.xml", "maven-pom");
    assert_eq!(
        purls(&inv),
        set(&[
            "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.15.2",
            "pkg:maven/com.google.guava/guava@33.2.1-jre",
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
            "pkg:maven/org.example.warden/warden-fixture-app@2.1.0",
            "pkg:maven/org.example.warden/warden-fixture-core@2.1.0",
            "pkg:maven/org.junit.jupiter/junit-jupiter@5.10.2",
        ])
    );
    assert_eq!(
        dev(&inv),
        set(&["pkg:maven/org.junit.jupiter/junit-jupiter@5.10.2"])
    );
    let log4j = find(&inv, "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
    assert_eq!(log4j.name, "org.apache.logging.log4j:log4j-core");
    assert_eq!(log4j.metadata["line"], "40");
    let skipped: Vec<(&str, &str)> = inv
        .skipped
        .iter()
        .map(|s| (s.at.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert_eq!(skipped[0].0, "pom.xml:59");
    assert!(skipped[0].1.contains("${slf4j.version}"), "{skipped:?}");
    assert_eq!(skipped[1].0, "pom.xml:64");
    assert!(skipped[1].1.contains("commons-lang3"), "{skipped:?}");
    assert_eq!(edges(&inv).len(), 5);
}

/// Writes `name` with `content` into a fresh directory and catalogs it.
fn catalog_one(name: &str, content: &str) -> Inventory {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(name), content).expect("write");
    catalog_lockfiles(dir.path()).expect("walk")
}

#[test]
fn malformed_files_name_file_and_line() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "Cargo.lock",
            "version = 4\n\n[[package]]\nname = \"a\"\nversion = \n",
            "Cargo.lock:5",
            "cargo-lock: invalid toml",
        ),
        (
            "package-lock.json",
            "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"node_modules/a\": {\"version\": \"1.0.0\"\n}\n",
            "package-lock.json:6",
            "npm-lock: invalid json",
        ),
        (
            "yarn.lock",
            "# yarn lockfile v1\n\na@^1:\n  version \"1.0.0\"\nthis is not an entry\n",
            "yarn.lock:5",
            "yarn-lock: expected an entry header",
        ),
        (
            "yarn.lock",
            "__metadata:\n  version: 8\n\n\"a@npm:1.0.0\":\n  version: [1.0.0\n",
            "yarn.lock:",
            "yarn-lock: invalid yaml",
        ),
        (
            "pnpm-lock.yaml",
            "lockfileVersion: '9.0'\n\npackages:\n  a@1.0.0: {resolution: \n    - x\n  b: [\n",
            "pnpm-lock.yaml:",
            "pnpm-lock: invalid yaml",
        ),
        (
            "pnpm-lock.yaml",
            "lockfileVersion: '3.0'\n",
            "pnpm-lock.yaml:1",
            "pnpm-lock: unsupported lockfileVersion 3",
        ),
        (
            "poetry.lock",
            "[[package]]\nname = \"a\"\nversion = \"1.0\"\n\n[[package]\nname = \"b\"\n",
            "poetry.lock:5",
            "poetry-lock: invalid toml",
        ),
        (
            "uv.lock",
            "version = 1\n\n[[package]]\nname = \"a\"\nversion = 1.0.0\n",
            "uv.lock:5",
            "uv-lock: invalid toml",
        ),
        (
            "go.mod",
            "module example.com/m\n\ngo 1.21\n\nrequire (\n\tgithub.com/a/b\n)\n",
            "go.mod:6",
            "go-mod: require: expected \"path version\"",
        ),
        (
            "go.mod",
            "module example.com/m\n\nrequire (\n\tgithub.com/a/b v1.0.0\n",
            "go.mod:3",
            "go-mod: block opened with ( is never closed",
        ),
        (
            "Gemfile.lock",
            "GEM\n  remote: https://rubygems.org/\n  specs:\n    rack 2.2.8\n",
            "Gemfile.lock:4",
            "gemfile-lock: expected \"name (version)\"",
        ),
        (
            "composer.lock",
            "{\n    \"packages\": [\n        {\"name\": \"a/b\", \"version\": \"1.0.0\"},\n    ]\n}\n",
            "composer.lock:4",
            "composer-lock: invalid json",
        ),
        (
            "packages.lock.json",
            "{\n  \"version\": 1,\n  \"dependencies\": {\n    \"net8.0\": {\n      \"A\": {\"type\": \"Direct\" \"resolved\": \"1.0.0\"}\n",
            "packages.lock.json:5",
            "nuget-lock: invalid json",
        ),
        (
            "pom.xml",
            "<project>\n  <artifactId>a</artifactId>\n  <dependencies>\n    <dependency>\n  </dependencies>\n</project>\n",
            "pom.xml:5",
            "maven-pom: invalid xml",
        ),
    ];
    for (name, content, at, reason) in cases {
        let inv = catalog_one(name, content);
        assert!(inv.packages.is_empty(), "{name}: {:?}", purls(&inv));
        assert_eq!(inv.skipped.len(), 1, "{name}: {:?}", inv.skipped);
        let s = &inv.skipped[0];
        assert!(
            s.at.starts_with(at) && s.at.len() > "x:".len(),
            "{name}: at {:?}, wanted {at}",
            s.at
        );
        assert!(
            s.at.rsplit(':')
                .next()
                .is_some_and(|l| l.parse::<usize>().is_ok()),
            "{name}: no line in {:?}",
            s.at
        );
        assert!(
            s.reason.starts_with(reason),
            "{name}: reason {:?}, wanted {reason}",
            s.reason
        );
    }
}

#[test]
fn bad_entries_are_skipped_with_their_line_and_the_rest_kept() {
    let inv = catalog_one(
        "packages.lock.json",
        "{\n  \"version\": 1,\n  \"dependencies\": {\n    \"net8.0\": {\n      \"A\": {\"type\": \"Direct\"},\n      \"B\": {\"type\": \"Direct\", \"resolved\": \"2.0.0\"}\n    }\n  }\n}\n",
    );
    assert_eq!(purls(&inv), set(&["pkg:nuget/B@2.0.0"]));
    assert_eq!(inv.skipped.len(), 1);
    assert_eq!(inv.skipped[0].at, "packages.lock.json:5");
    assert!(inv.skipped[0].reason.contains("no \"resolved\" version"));

    let inv = catalog_one("requirements.txt", "==1.0\nrequests>=2\nidna==3.7\n");
    assert_eq!(purls(&inv), set(&["pkg:pypi/idna@3.7"]));
    let at: Vec<&str> = inv.skipped.iter().map(|s| s.at.as_str()).collect();
    assert_eq!(at, ["requirements.txt:1", "requirements.txt:2"]);

    let inv = catalog_one(
        "yarn.lock",
        "a@^1:\n  resolved \"x\"\n\nb@^2:\n  version \"2.0.0\"\n",
    );
    assert_eq!(purls(&inv), set(&["pkg:npm/b@2.0.0"]));
    assert_eq!(inv.skipped[0].at, "yarn.lock:1");

    let inv = catalog_one("Cargo.lock", "version = 3\n\n[[package]]\nname = \"x\"\n");
    assert!(inv.packages.is_empty());
    assert_eq!(inv.skipped[0].at, "Cargo.lock:3");

    // Not UTF-8: reported, never a panic.
    let inv = catalog_one("poetry.lock", "[[package]]\nname = \"\u{0}\"\n");
    assert!(inv.packages.is_empty());
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("go.mod"), b"module x\n\xff\xfe\n").expect("write");
    let inv = catalog_lockfiles(dir.path()).expect("walk");
    assert_eq!(inv.skipped[0].at, "go.mod:2");
    assert!(inv.skipped[0].reason.contains("UTF-8"));
}

#[test]
fn whole_tree_is_the_union_and_deterministic() {
    let root = fixtures();
    let all = catalog_lockfiles(&root).expect("walk");
    let mut expected: BTreeSet<(String, String)> = BTreeSet::new();
    let mut subdirs: Vec<_> = std::fs::read_dir(&root)
        .expect("read fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    subdirs.sort();
    assert!(subdirs.len() >= 17, "{subdirs:?}");
    let mut skipped = 0;
    let mut rels = 0;
    for d in &subdirs {
        let name = d.file_name().and_then(|n| n.to_str()).expect("utf-8 name");
        let inv = catalog_lockfiles(d).expect("walk");
        for p in &inv.packages {
            expected.insert((p.purl.clone(), format!("{name}/{}", p.locations[0].path)));
        }
        skipped += inv.skipped.len();
        rels += inv.relationships.len();
    }
    let got: BTreeSet<(String, String)> = all
        .packages
        .iter()
        .map(|p| (p.purl.clone(), p.locations[0].path.clone()))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(
        got.len(),
        all.packages.len(),
        "one package per purl and file"
    );
    assert_eq!(all.skipped.len(), skipped);
    assert_eq!(all.relationships.len(), rels);
    // Sorted by ecosystem, name, version, id; ids unique; relationships point at real ids.
    let keys: Vec<_> = all
        .packages
        .iter()
        .map(|p| (p.ecosystem, p.name.clone(), p.version.clone(), p.id.clone()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    let ids: BTreeSet<&str> = all.packages.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids.len(), all.packages.len());
    assert!(all
        .relationships
        .iter()
        .all(|r| ids.contains(r.from.as_str()) && ids.contains(r.to.as_str())));
    // Byte-for-byte the same on a second run.
    let again = catalog_lockfiles(&root).expect("walk");
    assert_eq!(
        serde_json::to_string(&all).expect("json"),
        serde_json::to_string(&again).expect("json")
    );
}

#[test]
fn vcs_and_target_dirs_are_skipped_node_modules_is_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lock = std::fs::read_to_string(fixtures().join("yarn-v1/yarn.lock")).expect("read");
    for sub in [".git", "target", "app/node_modules/x", "app"] {
        let d = dir.path().join(sub);
        std::fs::create_dir_all(&d).expect("mkdir");
        std::fs::write(d.join("yarn.lock"), &lock).expect("write");
    }
    let inv = catalog_lockfiles(dir.path()).expect("walk");
    let files: BTreeSet<&str> = inv
        .packages
        .iter()
        .map(|p| p.locations[0].path.as_str())
        .collect();
    assert_eq!(
        files,
        BTreeSet::from(["app/node_modules/x/yarn.lock", "app/yarn.lock"])
    );
    assert!(catalog_lockfiles(&dir.path().join("missing")).is_err());
    assert!(catalog_lockfiles(Path::new(&fixtures().join("go/go.mod"))).is_err());
}

/// Format corners the generated fixtures do not reach, in the exact shapes the tools write.
#[test]
fn format_corners() {
    // yarn v1: several descriptors on one key, quoted scoped names, ranges with spaces.
    let inv = catalog_one(
        "yarn.lock",
        r#"# yarn lockfile v1


"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
  version "7.12.13"
  resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.12.13.tgz"
  dependencies:
    "@babel/highlight" "^7.10.4"

"@babel/highlight@^7.10.4":
  version "7.13.10"
  dependencies:
    js-tokens "^4.0.0 || ^3.0.0"

"js-tokens@^3.0.0 || ^4.0.0", "js-tokens@^4.0.0 || ^3.0.0":
  version "4.0.0"
"#,
    );
    assert_eq!(
        purls(&inv),
        set(&[
            "pkg:npm/%40babel/code-frame@7.12.13",
            "pkg:npm/%40babel/highlight@7.13.10",
            "pkg:npm/js-tokens@4.0.0",
        ])
    );
    assert_eq!(
        edges(&inv),
        set(&[
            "pkg:npm/%40babel/code-frame@7.12.13 -> pkg:npm/%40babel/highlight@7.13.10",
            "pkg:npm/%40babel/highlight@7.13.10 -> pkg:npm/js-tokens@4.0.0",
        ])
    );

    // pnpm v9: peer suffixes in snapshot keys and dependency values, and an npm alias.
    let inv = catalog_one(
        "pnpm-lock.yaml",
        r#"lockfileVersion: '9.0'

importers:

  .:
    dependencies:
      debug:
        specifier: 4.3.4
        version: 4.3.4(supports-color@8.1.1)
      string-width-cjs:
        specifier: npm:string-width@4.2.3
        version: string-width@4.2.3

packages:

  debug@4.3.4:
    resolution: {integrity: sha512-x}

  ms@2.1.2:
    resolution: {integrity: sha512-x}

  string-width@4.2.3:
    resolution: {integrity: sha512-x}

  supports-color@8.1.1:
    resolution: {integrity: sha512-x}

snapshots:

  debug@4.3.4(supports-color@8.1.1):
    dependencies:
      ms: 2.1.2
    optionalDependencies:
      supports-color: 8.1.1

  ms@2.1.2: {}

  string-width@4.2.3: {}

  supports-color@8.1.1: {}
"#,
    );
    assert_eq!(
        purls(&inv),
        set(&[
            "pkg:npm/debug@4.3.4",
            "pkg:npm/ms@2.1.2",
            "pkg:npm/string-width@4.2.3",
            "pkg:npm/supports-color@8.1.1",
        ])
    );
    assert_eq!(
        edges(&inv),
        set(&[
            "pkg:npm/debug@4.3.4 -> pkg:npm/ms@2.1.2",
            "pkg:npm/debug@4.3.4 -> pkg:npm/supports-color@8.1.1",
        ])
    );
    assert!(dev(&inv).is_empty());

    // Gemfile.lock: platform-specific gems keep the plain version, the platform as metadata.
    let inv = catalog_one(
        "Gemfile.lock",
        "GEM\n  remote: https://rubygems.org/\n  specs:\n    nokogiri (1.16.5-x86_64-linux)\n      racc (~> 1.4)\n    racc (1.8.0)\n\nPLATFORMS\n  x86_64-linux\n\nDEPENDENCIES\n  nokogiri\n\nBUNDLED WITH\n   2.5.9\n",
    );
    assert_eq!(
        purls(&inv),
        set(&["pkg:gem/nokogiri@1.16.5", "pkg:gem/racc@1.8.0"])
    );
    assert_eq!(
        find(&inv, "pkg:gem/nokogiri@1.16.5").metadata["platform"],
        "x86_64-linux"
    );

    // go.mod: a version-specific replace applies only to that version.
    let inv = catalog_one(
        "go.mod",
        "module example.com/m\n\ngo 1.22\n\nrequire (\n\tgolang.org/x/net v0.17.0\n\tgolang.org/x/text v0.13.0 // indirect\n)\n\nreplace golang.org/x/net v0.17.0 => golang.org/x/net v0.23.0\nreplace golang.org/x/text v0.3.0 => golang.org/x/text v0.3.8\n",
    );
    assert_eq!(
        purls(&inv),
        set(&[
            "pkg:golang/example.com/m",
            "pkg:golang/golang.org/x/net@v0.23.0",
            "pkg:golang/golang.org/x/text@v0.13.0",
        ])
    );
}
