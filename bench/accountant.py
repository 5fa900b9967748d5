# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A concurrent "accountant" during the nightly run: python bench/accountant.py DB IDS STOP

Writes ``ref`` on random open invoices (ids in the JSON file IDS), one short transaction
per write through the ORM, until the file STOP exists; retries a write like Odoo's HTTP
layer does on a serialization failure. Prints one JSON line: writes, waits (time from the
first attempt to the commit, retries included), retries, failures.
"""
import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def main():
    db, ids_file, stop_file = sys.argv[1:4]
    with open(ids_file) as fh:
        ids = json.load(fh)
    odoo, registry = common.bootstrap(db)
    from psycopg2 import errors

    retryable = (errors.SerializationFailure, errors.DeadlockDetected,
                 errors.LockNotAvailable)
    rnd = random.Random(7)
    waits, retries, failures, timeline = [], 0, 0, []
    print("READY", flush=True)
    t_start = time.time()
    i = 0
    while not os.path.exists(stop_file):
        i += 1
        move_id = rnd.choice(ids)
        start = time.perf_counter()
        for attempt in range(10):
            try:
                with registry.cursor() as cr:
                    env = common.env_for(odoo, cr)
                    env["account.move"].browse(move_id).write({"ref": f"Pointage {i}"})
                break
            except retryable:
                retries += 1
                time.sleep(rnd.uniform(0.01, 0.1) * (attempt + 1))
        else:
            failures += 1
            continue
        wait = time.perf_counter() - start
        waits.append(wait)
        timeline.append((round(time.time() - t_start, 2), round(wait, 3)))
        time.sleep(0.05)
    waits.sort()

    def pct(p):
        return round(waits[min(int(len(waits) * p), len(waits) - 1)], 3) if waits else None

    print(json.dumps({
        "writes": len(waits), "retries": retries, "failures": failures,
        "max_wait": round(waits[-1], 3) if waits else None, "p50_wait": pct(0.5),
        "p95_wait": pct(0.95), "p99_wait": pct(0.99),
        "slow_writes_over_1s": sum(1 for w in waits if w > 1.0),
    }), flush=True)


if __name__ == "__main__":
    main()
