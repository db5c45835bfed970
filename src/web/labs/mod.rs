//! The pages: one for every lab (`demo_lab`), the environment page, and their pieces.

pub mod card;
pub mod demo_lab;
pub mod env_page;
pub mod live;
pub mod results;
