//! Runs the policy and a report format over Trivy/Grype JSON reports, the way `warden scan
//! --merge` will: `cargo run -p warden-scan --example gate -- FORMAT [--vex F] [--ignore F]
//! [--fail-on SEV] REPORT.json...`. The exit status is the gate's.

use std::process::ExitCode;

use warden_core::Inventory;
use warden_scan::{merge_findings, read_report, render, Format, Policy, RenderOptions, ScanReport};

fn main() -> ExitCode {
    match run() {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(64)
        }
    }
}

fn run() -> Result<u8, Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let format: Format = args
        .next()
        .ok_or("usage: gate FORMAT [options] REPORT.json...")?
        .parse()?;
    let mut policy = Policy::builder();
    let mut findings = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--vex" => policy = policy.vex(args.next().ok_or("--vex needs a file")?),
            "--ignore" => policy = policy.ignore_file(args.next().ok_or("--ignore needs a file")?),
            "--fail-on" => {
                policy = policy.fail_on(args.next().ok_or("--fail-on needs a severity")?.parse()?)
            }
            path => findings.extend(read_report(std::path::Path::new(path))?),
        }
    }
    let today = time::OffsetDateTime::now_utc();
    let eval = policy
        .build()?
        .evaluate(merge_findings(findings), today.date());
    let code = eval.gate.exit_code;
    let report = ScanReport::new(
        Inventory {
            target: "merged reports".into(),
            ..Default::default()
        },
        eval,
    );
    let opts = RenderOptions {
        timestamp: today,
        ..Default::default()
    };
    let out = render(&report, format, &opts)?;
    print!("{}", String::from_utf8_lossy(&out));
    Ok(u8::try_from(code).unwrap_or(1))
}
