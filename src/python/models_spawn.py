"""Starting a process costs: a fresh process per task pays it every time, a pool pays it once."""
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context


def work(n):
    return sum(i * i for i in range(n))


if __name__ == "__main__":
    ctx = get_context("spawn")                       # a fresh interpreter, like a new Web Worker
    t0 = time.perf_counter()
    for _ in range(3):
        p = ctx.Process(target=work, args=(20_000,))
        p.start()
        p.join()
    fresh = time.perf_counter() - t0

    t0 = time.perf_counter()
    with ProcessPoolExecutor(2, mp_context=ctx) as pool:
        list(pool.map(work, [20_000] * 3))
    pooled = time.perf_counter() - t0
    print(f"fresh process per task: {fresh:.2f} s; one pool reused: {pooled:.2f} s")
