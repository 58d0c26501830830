//! Fuzz targets: property-based tests of every parser and of the
//! Dockerfile edit engine, on the stable toolchain (proptest).
//!
//! Each target runs a small number of cases in `cargo test`; the README
//! ("Fuzzing") has the command that runs them for as long as you like.
//! A failure is shrunk to a minimal input, printed, and its seed saved in
//! `proptest-regressions/fuzz/`, so every later run tries it first.

mod budget;
mod dockerfile;
mod dockerignore;
mod edit;
mod gen;
mod manifests;
mod repo;
mod requirements;
