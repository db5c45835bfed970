//! The pure engine: scenarios, workloads, traces, statistics, routes and UI text.
//! Never depends on web-sys, js-sys or yew: everything here is tested natively.

pub mod aio;
pub mod amdahl;
pub mod chart;
pub mod clock;
pub mod control;
pub mod cpu;
pub mod demo;
pub mod embed;
pub mod i18n;
pub mod lab;
pub mod labs;
pub mod lesson;
pub mod models;
pub mod native;
pub mod params;
pub mod ports;
pub mod report;
pub mod result;
pub mod rng;
pub mod route;
pub mod runner;
pub mod scenario;
pub mod stats;
pub mod sync;
pub mod trace;
pub mod workload;
