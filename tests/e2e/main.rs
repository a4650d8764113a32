//! End-to-end tests: the real `switchboard` binary, a real database (SQLite, and
//! PostgreSQL when `SWITCHBOARD_TEST_POSTGRES` is set) and real HTTP.
//!
//! One test binary on purpose: every extra binary re-links sea-orm (and later wasmtime).

#![allow(unreachable_pub, missing_docs)]

mod broken;
mod cli;
mod connections;
mod connector;
mod corpus;
mod jobs;
mod labels;
mod locale;
mod logic_apps;
mod odata;
mod odata_errors;
mod odata_tables;
mod outbound;
mod pipeline;
mod plugins;
mod records;
mod round_trips;
mod sample;
mod security;
mod server;
mod snapshots;
mod steps;
mod store_suite;
mod support;
mod tls;
mod tools;
mod tracelog;
mod zip_packages;
