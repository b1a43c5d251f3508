//! Integration tests: fixture sites built end to end and checked with a
//! real HTML parser. One binary, one module per feature.

mod affiliate;
mod build;
mod cli;
mod invalid;
mod serve;
mod support;
