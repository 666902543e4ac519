//! Switchboard: a self-hosted customer-support appliance.
//!
//! The binary (`src/main.rs`) is a thin shell over [`cli::run`]; tests boot the
//! same server through [`server::spawn`] on a pre-bound listener.

pub mod api;
pub mod backup;
pub mod bodies;
pub mod cli;
pub mod clock;
pub mod config;
pub mod contract;
pub mod crypto;
pub mod data_dir;
pub mod db;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod images;
pub mod jobs;
pub mod mail;
pub mod metrics;
pub mod ops;
pub mod outbox;
pub mod passwords;
pub mod server;
pub mod state;
pub mod traffic;

pub mod web;
pub mod widget;
pub mod workers;

pub use config::Config;
