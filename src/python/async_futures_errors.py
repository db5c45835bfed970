"""concurrent.futures jobs that raise: exception(), result() re-raising, map stopping at the
failure, wait(FIRST_EXCEPTION), result(timeout), running()/done() polled, shutdown(cancel_futures)."""
import time
from concurrent.futures import (ALL_COMPLETED, FIRST_EXCEPTION, ThreadPoolExecutor,
                                TimeoutError, wait)


def job(i, seconds=0.05, raises=3):
    if i == raises:
        time.sleep(0.03)
        raise ValueError(i)                    # stored in the future; the worker lives on
    time.sleep(seconds)
    return i * 10


with ThreadPoolExecutor(max_workers=2) as ex:
    fs = [ex.submit(job, i) for i in range(1, 7)]
    while not all(f.done() for f in fs):                 # running()/done(), polled
        print("running:", [i for i, f in enumerate(fs, 1) if f.running()],
              "done:", [i for i, f in enumerate(fs, 1) if f.done()])
        time.sleep(0.02)
    for i, f in enumerate(fs, 1):
        print(f"job {i}: exception() -> {f.exception()!r}")
        try:
            print(f"job {i}: result() -> {f.result()}")
        except ValueError as e:                          # each future its own try/except
            print(f"job {i}: result() raised {e!r}")

with ThreadPoolExecutor(max_workers=2) as ex:
    got = []
    try:
        for r in ex.map(job, range(1, 7)):               # input order
            got.append(r)
    except ValueError as e:                              # map cancels what has not started
        print("map got", got, "then raised", repr(e), "- the later results are lost")

with ThreadPoolExecutor(max_workers=2) as ex:
    fs = [ex.submit(job, i) for i in range(1, 7)]
    t0 = time.perf_counter()
    done, not_done = wait(fs, return_when=FIRST_EXCEPTION)
    print(f"FIRST_EXCEPTION after {time.perf_counter() - t0:.2f} s:",
          len(done), "done,", len(not_done), "not done")
    wait(fs, return_when=ALL_COMPLETED)
    print(f"ALL_COMPLETED after {time.perf_counter() - t0:.2f} s")

    slow = ex.submit(job, 7)
    try:
        slow.result(timeout=0.02)
    except TimeoutError:
        print("result(timeout=0.02) raised TimeoutError; running():", slow.running())
    print("then result():", slow.result())

ex = ThreadPoolExecutor(max_workers=2)
fs = [ex.submit(job, i) for i in range(1, 7)]
time.sleep(0.01)                                         # jobs 1 and 2 are running
ex.shutdown(wait=True, cancel_futures=True)
print("cancelled while queued:", [i for i, f in enumerate(fs, 1) if f.cancelled()])
