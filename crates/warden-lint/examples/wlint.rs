//! A minimal front end over the library (`wlint [--shellcheck] [-f FORMAT] PATH…`), used to
//! measure the engine without the full `warden` binary: same discovery, parallel linting and
//! renderers as `warden lint`, no config files.

use std::path::PathBuf;

fn main() {
    let mut format = warden_lint::format::Format::Json;
    let mut shellcheck = false;
    let mut paths = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--shellcheck" => shellcheck = true,
            "-f" => {
                if let Some(f) = args.next().and_then(|f| f.parse().ok()) {
                    format = f;
                }
            }
            _ => paths.push(PathBuf::from(a)),
        }
    }
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            files.extend(warden_lint::discover::find(&p).0);
        } else {
            files.push(p);
        }
    }
    let config = warden_lint::Config {
        shellcheck,
        ..Default::default()
    };
    let bin = if shellcheck {
        warden_lint::shellcheck::find_binary()
    } else {
        None
    };
    let reports: Vec<_> = warden_lint::lint_files(&files, &config, bin.as_deref())
        .into_iter()
        .filter_map(|o| {
            let (text, findings) = o.result.ok()?;
            Some(warden_lint::format::FileReport {
                path: o.path.display().to_string(),
                findings,
                source: Some(text),
            })
        })
        .collect();
    print!("{}", warden_lint::format::render(format, &reports, false));
}
