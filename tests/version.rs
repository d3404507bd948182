//! The versions are written in several places; they must agree (libbpf's
//! own Makefile refuses to build when its version and its newest symbol
//! node differ). Two facts, each with one source:
//!
//! - bpflink's own version: `[workspace.package] version` in Cargo.toml.
//!   The Makefile's `VERSION` (file name of the `.so`, the `.pc`) must equal
//!   it, and `SOVERSION` (the SONAME) follows from it the way cargo-c derives
//!   it: `0.y` for a 0.x version, the major otherwise.
//! - the libbpf ABI implemented: the Makefile's `LIBBPF_ABI`. The newest
//!   node of src/libbpf.map, `libbpf_major_version`/`minor_version` (the
//!   core's `names`), the header's banner (cbindgen.toml), the README's
//!   claim and the oracle pin (`libbpf-sys = "=X.Y.Z"`) must all say it.
//!
//! docs/release.md says how to move them together.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// `NAME := value` (or `?=`, `=`) in the Makefile.
fn makefile_var(name: &str) -> String {
    read("Makefile")
        .lines()
        .find_map(|l| {
            let rest = l.strip_prefix(name)?.trim_start();
            let rest = [":=", "?=", "="]
                .iter()
                .find_map(|op| rest.strip_prefix(op))?;
            Some(rest.trim().to_owned())
        })
        .unwrap_or_else(|| panic!("no `{name} :=` in the Makefile"))
}

fn workspace_version() -> String {
    let toml = read("Cargo.toml");
    let section = toml
        .split("[workspace.package]")
        .nth(1)
        .expect("[workspace.package] in Cargo.toml");
    section
        .lines()
        .find_map(|l| l.trim().strip_prefix("version = "))
        .map(|v| v.trim_matches('"').to_owned())
        .expect("version in [workspace.package]")
}

#[test]
fn bpflinks_version_is_written_once() {
    let version = workspace_version();
    assert_eq!(
        makefile_var("VERSION"),
        version,
        "Makefile VERSION vs Cargo.toml"
    );
    let parts: Vec<&str> = version.split('.').collect();
    let soversion = if parts[0] == "0" {
        format!("0.{}", parts[1])
    } else {
        parts[0].to_owned()
    };
    assert_eq!(
        makefile_var("SOVERSION"),
        soversion,
        "SOVERSION for version {version}"
    );
    // Every member takes the workspace's version.
    for member in [
        "crates/bpflink-core",
        "crates/bpflink",
        "crates/bpflink-tool",
    ] {
        let toml = read(&format!("{member}/Cargo.toml"));
        assert!(
            toml.contains("version.workspace = true"),
            "{member}/Cargo.toml must use version.workspace = true"
        );
    }
}

#[test]
fn the_libbpf_abi_is_written_once() {
    let abi = makefile_var("LIBBPF_ABI");
    let parts: Vec<u32> = abi.split('.').map(|p| p.parse().unwrap()).collect();
    assert_eq!(parts.len(), 3, "LIBBPF_ABI {abi}");

    // The newest node of the version script.
    let map = read("src/libbpf.map");
    let last_node = map
        .lines()
        .filter_map(|l| l.strip_prefix("LIBBPF_"))
        .filter_map(|l| l.split_whitespace().next())
        .next_back()
        .expect("LIBBPF_ nodes in src/libbpf.map");
    assert_eq!(last_node, abi, "newest node of src/libbpf.map");

    // libbpf_major_version() / libbpf_minor_version() / the version string.
    assert_eq!(bpflink_core::names::LIBBPF_MAJOR_VERSION, parts[0]);
    assert_eq!(bpflink_core::names::LIBBPF_MINOR_VERSION, parts[1]);
    assert_eq!(
        bpflink_core::names::LIBBPF_VERSION_STRING.to_str().unwrap(),
        format!("v{}.{}", parts[0], parts[1])
    );

    // The header's banner, and the README's claim.
    assert!(read("cbindgen.toml").contains(&format!("libbpf v{abi}'s link API")));
    assert!(read("include/bpflink.h").contains(&format!("libbpf v{abi}'s link API")));
    assert!(read("README.md").contains(&format!("Target ABI: **libbpf v{abi}**")));

    // The oracle the tests compare with is that very release.
    for manifest in ["Cargo.toml", "crates/bpflink/Cargo.toml"] {
        assert!(
            read(manifest).contains(&format!("libbpf-sys = \"={abi}\"")),
            "{manifest}: libbpf-sys must be pinned to ={abi}"
        );
    }
}
