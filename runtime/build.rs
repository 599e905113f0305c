//! Hands this crate's version to the build scripts of the crates that depend on it, as
//! `DEP_SMITHY_RUNTIME_VERSION` (the `links` key of `Cargo.toml`).

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::metadata=version={}", env!("CARGO_PKG_VERSION"));
}
