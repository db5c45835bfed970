//! One component tree per lab, plus the environment page and the pieces every demo card uses.

pub mod aio;
pub mod card;
pub mod cpu;
pub mod cpu_results;
pub mod demo_lab;
pub mod env_page;
pub mod models;
pub mod sync;
