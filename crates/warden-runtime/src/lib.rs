//! The eBPF runtime sensor, the Falco-compatible rule engine and alert outputs.
