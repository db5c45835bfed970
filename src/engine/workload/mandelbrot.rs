//! Mandelbrot rows: each item is one row of the image; rows through the set cost far more than
//! rows outside it, so equal static shares balance badly and dynamic chunking shines.

// excerpt:start
/// Escape-time iterations of every pixel in rows [start, end) of a `width` × `height` view of
/// [-2, 1] × [-1.5, 1.5], up to `max_iter` each; the checksum is their total.
#[optimize(speed)]
pub fn mandelbrot_rows(start: u64, end: u64, width: u32, height: u32, max_iter: u32) -> u64 {
    let mut total = 0u64;
    for row in start..end {
        let ci = -1.5 + 3.0 * (row as f64 + 0.5) / height as f64;
        for col in 0..width {
            let cr = -2.0 + 3.0 * (col as f64 + 0.5) / width as f64;
            let (mut zr, mut zi, mut i) = (0.0f64, 0.0f64, 0);
            while i < max_iter && zr * zr + zi * zi <= 4.0 {
                let t = zr * zr - zi * zi + cr;
                zi = 2.0 * zr * zi + ci;
                zr = t;
                i += 1;
            }
            total += i as u64;
        }
    }
    total
}
// excerpt:end

pub const RUST_EXCERPT: &str = crate::rust_excerpt!("engine/workload/mandelbrot.rs");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_add_up_and_the_set_is_expensive() {
        let (w, h, m) = (64, 64, 200);
        let whole = mandelbrot_rows(0, 64, w, h, m);
        assert_eq!(
            mandelbrot_rows(0, 20, w, h, m) + mandelbrot_rows(20, 64, w, h, m),
            whole
        );
        // The middle row crosses the set (max_iter per pixel inside it); the top row does not.
        assert!(mandelbrot_rows(32, 33, w, h, m) > 10 * mandelbrot_rows(0, 1, w, h, m));
        // Symmetric about the real axis.
        assert_eq!(
            mandelbrot_rows(0, 1, w, h, m),
            mandelbrot_rows(63, 64, w, h, m)
        );
    }
}
