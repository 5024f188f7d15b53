//! Compiles the CO-RE BPF sensor with clang and generates its Rust skeleton in `OUT_DIR`.

use std::path::PathBuf;

use libbpf_cargo::SkeletonBuilder;

const SRC: &str = "src/bpf/sensor.bpf.c";
const HDR: &str = "src/bpf/events.h";

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").expect("cargo sets CARGO_CFG_TARGET_ARCH");
    // Only x86_64 has a committed vmlinux.h; other architectures need theirs generated with
    // `bpftool btf dump file /sys/kernel/btf/vmlinux format c` and committed beside it.
    let vmlinux = PathBuf::from("src/bpf/vmlinux").join(&arch);
    SkeletonBuilder::new()
        .source(SRC)
        .clang_args([
            "-I".into(),
            vmlinux.into_os_string(),
            "-I".into(),
            "src/bpf".into(),
            "-Wall".into(),
            "-Wno-unused-function".into(),
        ])
        .build_and_generate(out.join("sensor.skel.rs"))
        .expect("compiling src/bpf/sensor.bpf.c (needs clang; run scripts/setup.sh)");
    println!("cargo:rerun-if-changed={SRC}");
    println!("cargo:rerun-if-changed={HDR}");
    println!("cargo:rerun-if-changed=src/bpf/vmlinux");
}
