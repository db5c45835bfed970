"""Mandelbrot rows: rows through the set cost far more, so hand them out a few at a time."""
import time
from concurrent.futures import ProcessPoolExecutor


def rows(args):
    start, end, width, height, max_iter = args
    total = 0
    for row in range(start, end):
        ci = -1.5 + 3.0 * (row + 0.5) / height
        for col in range(width):
            cr = -2.0 + 3.0 * (col + 0.5) / width
            zr = zi = 0.0
            i = 0
            while i < max_iter and zr * zr + zi * zi <= 4.0:
                zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
                i += 1
            total += i
    return total


def main(width=80, height=60, max_iter=100, chunk=4, workers=2):
    jobs = [(s, min(s + chunk, height), width, height, max_iter) for s in range(0, height, chunk)]
    t0 = time.perf_counter()
    sequential = sum(map(rows, jobs))
    t1 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        # chunksize=1: each worker asks for the next few rows when it is free.
        parallel = sum(pool.map(rows, jobs, chunksize=1))
    t2 = time.perf_counter()
    assert sequential == parallel
    print(f"{width}x{height}: {parallel} iterations; sequential {t1 - t0:.3f} s, "
          f"{workers} processes {t2 - t1:.3f} s")


if __name__ == "__main__":
    main()
