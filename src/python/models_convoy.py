"""The convoy effect: an I/O thread that needs the GIL after every call waits about one switch
interval behind a CPU-bound thread, so its rate falls as the interval grows."""
import sys
import threading
import time


def cpu(stop):
    while not stop.is_set():
        sum(i * i for i in range(1000))              # pure Python: holds the GIL


def io_rate(interval, duration=0.2):
    sys.setswitchinterval(interval)
    stop = threading.Event()
    t = threading.Thread(target=cpu, args=(stop,))
    t.start()
    calls, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < duration:
        time.sleep(0)                                # releases the GIL, then must win it back
        calls += 1
    stop.set()
    t.join()
    return calls / duration


if __name__ == "__main__":
    for ms in (0.5, 5, 20):
        print(f"switch interval {ms:>4} ms: {io_rate(ms / 1000):8.0f} I/O calls per second")
