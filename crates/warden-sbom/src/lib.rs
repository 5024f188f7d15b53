//! CycloneDX 1.6 and SPDX 2.3 JSON: write and read.
