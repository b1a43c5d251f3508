//! Integration tests: fixture sites built end to end and checked with a
//! real HTML parser. One binary, one module per feature.

// The support module's helpers are `pub` for the other test modules.
#![allow(unreachable_pub)]

mod affiliate;
mod awkward;
mod browser;
mod build;
mod cli;
mod compat;
mod correctness;
mod hostile;
mod images;
mod incremental;
mod install;
mod invalid;
mod layers;
mod linear;
mod properties;
mod serve;
mod support;
mod themes;
mod themes_i18n;
