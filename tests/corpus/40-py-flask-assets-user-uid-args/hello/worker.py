"""A tiny background loop standing in for a queue worker."""
import time

if __name__ == "__main__":
    while True:
        print("worker: nothing to do", flush=True)
        time.sleep(30)
