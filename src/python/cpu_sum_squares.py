"""Sum of squares below N: one process, then k processes each summing its share of chunks."""
import time
from concurrent.futures import ProcessPoolExecutor


def sum_squares(chunk):
    start, end = chunk
    return sum(i * i for i in range(start, end))


def main(limit=2_000_000, chunk=200_000, workers=2):
    chunks = [(s, min(s + chunk, limit)) for s in range(0, limit, chunk)]
    t0 = time.perf_counter()
    sequential = sum(map(sum_squares, chunks))
    t1 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        parallel = sum(pool.map(sum_squares, chunks))
    t2 = time.perf_counter()
    assert sequential == parallel == (limit - 1) * limit * (2 * limit - 1) // 6
    print(f"sum = {parallel}: sequential {t1 - t0:.3f} s, "
          f"{workers} processes {t2 - t1:.3f} s, speed-up x{(t1 - t0) / (t2 - t1):.2f}")


if __name__ == "__main__":
    main()
