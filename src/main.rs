//! Browser entry: mount the app. Natively this binary only points at the tests.

#[cfg(target_arch = "wasm32")]
fn main() {
    concurrency_playground::web::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("Concurrency Playground runs in the browser: `./dev.sh serve` (see README.md).");
}
