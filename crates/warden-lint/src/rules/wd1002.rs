//! WD1002: build tools left in the final image.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "WD1002",
    level: Level::Warning,
    message: "Build tools are installed in the final stage; build in an earlier stage and copy only the result",
    doc: "## What it does\nFlags package installs in the final stage (or the stages it builds on) that bring compilers and headers: `build-essential`, `gcc`, `g++`, `clang`, `make`, `cmake`, `*-dev`, `*-devel`, `git`.\n\n## Why\nCompilers and headers in production images help an attacker build tools on the spot and add hundreds of MB of CVE surface. A multi-stage build keeps them in a builder stage.\n\n## Example\n```dockerfile\nFROM golang:1.22 AS build\nRUN go build -o /out/app ./cmd/app\nFROM gcr.io/distroless/static-debian12\nCOPY --from=build /out/app /app\n```",
    family: Family::Warden,
    check,
};

/// Whether a package name is a build tool.
pub fn is_build_tool(p: &str) -> bool {
    let name = p.split(['=', ':']).next().unwrap_or(p);
    matches!(
        name,
        "build-essential"
            | "gcc"
            | "g++"
            | "clang"
            | "make"
            | "cmake"
            | "autoconf"
            | "automake"
            | "libtool"
            | "build-base"
            | "musl-dev"
            | "gcc-c++"
    ) || name.ends_with("-dev")
        || name.ends_with("-devel")
}

fn check(cx: &Ctx, out: &mut Out) {
    let Some(last) = cx.stages.len().checked_sub(1) else {
        return;
    };
    let mut chain = vec![last];
    while let Some(p) = chain.last().and_then(|&s| cx.stages[s].parent) {
        if chain.contains(&p) {
            break;
        }
        chain.push(p);
    }
    for r in &cx.runs {
        if r.onbuild || !r.stage.is_some_and(|s| chain.contains(&s)) {
            continue;
        }
        let mut tools: Vec<String> = installed_packages(r)
            .into_iter()
            .filter(|p| is_build_tool(p))
            .collect();
        // Removing them again in the same RUN keeps them out of the layer.
        let purged = any_cmd(r, |c| {
            matches!(c.name.as_str(), "apt-get" | "apk" | "yum" | "dnf")
                && c.args
                    .iter()
                    .any(|a| matches!(a.value.as_str(), "purge" | "remove" | "del" | "autoremove"))
        });
        if purged {
            tools.clear();
        }
        if !tools.is_empty() {
            tools.sort();
            tools.dedup();
            out.msg(r.outer, format!("Build tools are installed in the final stage ({}); build in an earlier stage and copy only the result", tools.join(", ")));
        }
    }
}
