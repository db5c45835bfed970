"""BoundedSemaphore(K): N clients share a pool of K connections; never more than K inside."""
import threading
import time

connections = threading.BoundedSemaphore(2)
inside = 0
max_inside = 0
count_lock = threading.Lock()


def client(requests=3, hold=0.02):
    global inside, max_inside
    for _ in range(requests):
        with connections:                 # waits while both connections are in use
            with count_lock:
                inside += 1
                max_inside = max(max_inside, inside)
            time.sleep(hold)              # the query holds its connection
            with count_lock:
                inside -= 1


if __name__ == "__main__":
    t0 = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"6 clients, 2 connections: at most {max_inside} inside; {time.perf_counter() - t0:.2f} s")
    try:
        connections.release()             # one release too many
    except ValueError as e:
        print(f"over-release: ValueError: {e}")
