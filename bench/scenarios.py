# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Concurrency and crash scenarios of our nightly run (step 5 of the benchmark).

(a) two workers run the nightly run at the same moment on one fresh copy;
(b) the run is killed with ``kill -9`` at random points 10 times, then run to completion;
(c) an "accountant" writes ``ref`` on random open invoices in short transactions during
    the run; its waits are recorded.

Each is checked against the single run's result (the reference database of the measured
run): every (invoice, level) has exactly one event line, none missing, none extra, every
event has lines, every email event done has its mail, no reminder mailed twice.
"""
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import log  # noqa: E402

MEASURE = [common.PY, str(common.BENCH / "measure.py")]
# a reminder email: an outgoing email with the dunning subtype
REMINDER = (
    "m.message_type = 'email_outgoing' AND m.subtype_id = (SELECT res_id FROM ir_model_data "
    "WHERE module = 'account_relance_fr' AND name = 'mt_relance')"
)


def q(db, sql):
    return common.psql(sql, db=db)


def pairs(db):
    rows = q(db, "SELECT move_id || ':' || level_id FROM account_relance_event_line")
    return set(rows.split()) if rows else set()


def check(db, reference):
    """Invariants of the dunning data of ``db`` and its difference with ``reference``."""
    one = lambda sql: int(q(db, sql) or 0)  # noqa: E731
    got = pairs(db)
    result = {
        "event_lines": one("SELECT count(*) FROM account_relance_event_line"),
        "unique_pairs": len(got),
        "duplicate_pairs": one(
            "SELECT count(*) FROM (SELECT 1 FROM account_relance_event_line "
            "GROUP BY move_id, level_id HAVING count(*) > 1) d"),
        "events": one("SELECT count(*) FROM account_relance_event"),
        "events_without_lines": one(
            "SELECT count(*) FROM account_relance_event e WHERE NOT EXISTS "
            "(SELECT 1 FROM account_relance_event_line l WHERE l.event_id = e.id)"),
        "email_done_without_mail": one(
            "SELECT count(*) FROM account_relance_event WHERE channel = 'email' "
            "AND state = 'done' AND mail_id IS NULL"),
        # the reminders are posted on the customers (since 19.0.1.3.0): a reminder email
        # (dunning subtype) that no action links is one sent a second time
        "reminders_mailed_twice": one(
            "SELECT count(*) FROM mail_mail mm JOIN mail_message m ON m.id = mm.mail_message_id "
            f"WHERE {REMINDER} AND NOT EXISTS "
            "(SELECT 1 FROM account_relance_event e WHERE e.mail_id = mm.id)"),
        "reminder_mails": one(
            "SELECT count(*) FROM mail_mail mm JOIN mail_message m ON m.id = mm.mail_message_id "
            f"WHERE {REMINDER}"),
        "levels_without_event": one(
            "SELECT count(*) FROM account_move m WHERE m.relance_level_id IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM account_relance_event_line l "
            "WHERE l.move_id = m.id AND l.level_id = m.relance_level_id)"),
        "partner_level_split": one(
            "SELECT count(*) FROM (SELECT 1 FROM account_relance_event "
            "GROUP BY partner_id, level_id, date, currency_id HAVING count(*) > 1) d"),
    }
    if reference is not None:
        result["missing_vs_single_run"] = len(reference - got)
        result["extra_vs_single_run"] = len(got - reference)
    result["ok"] = (
        result["duplicate_pairs"] == 0 and result["events_without_lines"] == 0
        and result["email_done_without_mail"] == 0 and result["reminders_mailed_twice"] == 0
        and result["levels_without_event"] == 0
        and result.get("missing_vs_single_run", 0) == 0
        and result.get("extra_vs_single_run", 0) == 0
    )
    return result


def last_json(text):
    lines = [line for line in text.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else None


def error_line(stderr):
    """The exception a worker died of, with the engine frame that raised it."""
    import re

    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    exc = next((line for line in reversed(lines)
                if re.match(r"^[A-Za-z_][\w.]*(Error|Exception|Failure|Violation)\b", line)), "")
    frames = [line for line in lines if line.startswith('File "') and "account_relance_fr" in line]
    return f"{exc} (in {frames[-1]})" if frames else exc


def wait_backends_gone(db, timeout=60):
    """Seconds until no session is left on ``db`` (a killed client's backend may linger)."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if q(db, f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{db}' "
                 "AND pid <> pg_backend_pid()") == "0":
            break
        time.sleep(0.1)
    return round(time.perf_counter() - start, 2)


# ---------------------------------------------------------------- (a) two workers
def two_workers(template, date, reference, db="relance_bench_sc_workers"):
    common.clone_db(template, db)
    start_at = time.time() + 12  # both registries loaded by then
    procs = [subprocess.Popen(MEASURE + ["ours", db, date, "--start-at", str(start_at)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=common.pg_env()) for _ in range(2)]
    outs, errors = [], []
    for proc in procs:
        out, err = proc.communicate()
        outs.append(last_json(out))
        errors.append(error_line(err) if proc.returncode else None)
    result = {
        # each worker's own share (engine_result); "invoices" of measure.py is the day's total
        "workers": [{"seconds": o["seconds"], "invoices": o["engine_result"]["invoices"],
                     "events": o["engine_result"]["events"]} if o else None for o in outs],
        "worker_errors": errors,
    }
    result["check"] = check(db, reference)
    result["total_lines_equal_single_run"] = result["check"]["event_lines"] == len(reference)
    common.dropdb(db)
    return result


# ---------------------------------------------------------------- (b) kill -9
def crashes(template, date, reference, single_seconds, *, kills=10,
            db="relance_bench_sc_crash", seed=None):
    common.clone_db(template, db)
    rnd = random.Random(seed if seed is not None else int(time.time()))
    total = len(reference)
    attempts = []
    for i in range(kills):
        done = int(q(db, "SELECT count(*) FROM account_relance_event_line") or 0)
        remaining = max(total - done, 1)
        estimate = single_seconds * remaining / total
        delay = rnd.uniform(0.02, 0.95) * estimate
        proc = subprocess.Popen(MEASURE + ["ours", db, date, "--signal-start"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                env=common.pg_env())
        for line in proc.stdout:
            if line.startswith("START"):
                break
        time.sleep(delay)
        killed = proc.poll() is None
        if killed:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        linger = wait_backends_gone(db)
        after = check(db, None)
        attempts.append({
            "kill_after_s": round(delay, 2), "killed_while_running": killed,
            "lines_before": done, "lines_after": after["event_lines"],
            "backend_linger_s": linger,
            "invariants_ok": after["duplicate_pairs"] == 0
            and after["events_without_lines"] == 0 and after["email_done_without_mail"] == 0
            and after["levels_without_event"] == 0,
        })
        log(f"  kill {i + 1}/{kills} after {delay:.1f}s: {attempts[-1]}")
    final = subprocess.run(MEASURE + ["ours", db, date], capture_output=True, text=True,
                           env=common.pg_env(), check=False)
    result = {
        "attempts": attempts,
        "kills_landed": sum(a["killed_while_running"] for a in attempts),
        "final_run": {k: v for k, v in (last_json(final.stdout) or {}).items()
                      if k in ("seconds", "invoices", "events")},
        "check": check(db, reference),
    }
    common.dropdb(db)
    return result


# ---------------------------------------------------------------- (c) accountant
def accountant(template, date, reference, db="relance_bench_sc_accountant"):
    common.clone_db(template, db)
    ids = [int(x) for x in q(db, (
        "SELECT id FROM account_move WHERE move_type = 'out_invoice' AND state = 'posted' "
        "AND payment_state IN ('not_paid', 'partial') AND relance_hold IS NULL")).split()]
    tmp = tempfile.mkdtemp(prefix="relance_bench_")
    ids_file, stop_file = os.path.join(tmp, "ids.json"), os.path.join(tmp, "stop")
    with open(ids_file, "w") as fh:
        json.dump(ids, fh)
    acc = subprocess.Popen(
        [common.PY, str(common.BENCH / "accountant.py"), db, ids_file, stop_file],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=common.pg_env())
    for line in acc.stdout:
        if line.startswith("READY"):
            break
    time.sleep(2)  # the accountant's baseline before the run starts
    run = subprocess.run(MEASURE + ["ours", db, date], capture_output=True, text=True,
                         env=common.pg_env(), check=False)
    time.sleep(1)
    open(stop_file, "w").close()
    out = acc.communicate()[0]
    stats = last_json(out) or {}
    run_out = last_json(run.stdout) or {}
    result = {
        "accountant": stats,
        "run": {k: run_out.get(k) for k in ("seconds", "invoices", "events", "batches",
                                            "batch_seconds_mean", "batch_seconds_max")},
        "check": check(db, reference),
    }
    mean = run_out.get("batch_seconds_mean") or 0
    result["max_wait_over_batch_mean"] = (
        round(stats["max_wait"] / mean, 2) if mean and stats.get("max_wait") else None)
    longest = run_out.get("batch_seconds_max") or 0
    result["max_wait_over_batch_max"] = (
        round(stats["max_wait"] / longest, 2) if longest and stats.get("max_wait") else None)
    common.dropdb(db)
    return result


def run_all(template, date, reference_db, single_seconds):
    reference = pairs(reference_db)
    results = {"reference_pairs": len(reference)}
    log("scenario (a): two workers at the same moment")
    results["two_workers"] = two_workers(template, date, reference)
    log(f"  {json.dumps(results['two_workers'])}")
    log("scenario (b): kill -9 at random points, 10 times, then to completion")
    results["crash"] = crashes(template, date, reference, single_seconds)
    log(f"  final: {json.dumps(results['crash']['check'])}")
    log("scenario (c): an accountant writing invoices during the run")
    results["accountant"] = accountant(template, date, reference)
    log(f"  {json.dumps(results['accountant'])}")
    return results


if __name__ == "__main__":
    # python bench/scenarios.py TEMPLATE DATE REFERENCE_DB SINGLE_RUN_SECONDS
    tpl, day, ref_db, secs = sys.argv[1:5]
    print(json.dumps(run_all(tpl, day, ref_db, float(secs))))
