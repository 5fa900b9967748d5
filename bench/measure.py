# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One measured nightly run in this (fresh) process; prints one JSON line.

    python bench/measure.py ours DB DATE [--profile FILE] [--batch-size N]
    python bench/measure.py peer DB DATE

``ours``: ``account.relance.run._run(companies=<bench company>, batch_size=500,
commit=True, today=DATE)`` in the cron's context (``relance_auto``, activity notifications
queued), i.e. what ``_cron_nightly`` does for the bench company: levels, actions, mails
rendered and queued, activities, chatter, one commit per batch.

``peer``: the OCA ``account_credit_control`` equivalent: a ``credit.control.run`` for DATE,
``generate_credit_lines()``, the draft lines set ready (``set_to_ready_lines``), then the
``credit.control.emailer`` wizard on every email line (``email_lines()``), committed. Mails
are queued, not sent (``mail_notify_force_send=False``), like ours.

Measured: wall time of the run (registry loading excluded), SQL queries (odoo.sql_db's
counter), peak RSS of this process (ru_maxrss) and its RSS before the run, mails queued.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def rss_now_mb():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["ours", "peer"])
    parser.add_argument("db")
    parser.add_argument("date")
    parser.add_argument("--profile")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--sql-profile", type=int, default=0, metavar="N",
                        help="time every query and report the N most expensive shapes")
    parser.add_argument("--signal-start", action="store_true",
                        help="print START when the run begins (crash/concurrency scenarios)")
    parser.add_argument("--start-at", type=float, default=0.0,
                        help="wait until this time.time() before starting (simultaneous workers)")
    args = parser.parse_args()

    odoo, registry = common.bootstrap(args.db)
    from odoo import fields

    sql_times = sql_profiler(odoo) if args.sql_profile else None

    today = fields.Date.to_date(args.date)
    with registry.cursor() as cr:
        env = common.env_for(odoo, cr)
        company_id = common.bench_company(env).id
        mail_before = env["mail.mail"].search([], order="id desc", limit=1).id or 0
        # warm the registry caches the way a running server has them
        env["account.move"]._fields  # noqa: B018
    rss_before = rss_now_mb()
    if args.start_at:
        time.sleep(max(args.start_at - time.time(), 0))
    if args.signal_start:
        print("START", flush=True)

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    q0 = common.sql_count()
    gc0 = gc_seconds()
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    if profiler:
        profiler.enable()
    if args.mode == "ours":
        out = run_ours(odoo, registry, company_id, today, args.batch_size)
    else:
        out = run_peer(odoo, registry, company_id, today)
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    seconds = time.perf_counter() - t0
    cpu_seconds = time.process_time() - cpu0
    gc_cpu = [round(after - before, 3) for before, after in zip(gc0, gc_seconds(), strict=True)]
    queries = common.sql_count() - q0

    with registry.cursor() as cr:
        env = common.env_for(odoo, cr)
        mails = env["mail.mail"].search_count([("id", ">", mail_before)])
    if sql_times is not None:
        ranked = sorted(sql_times.items(), key=lambda kv: -kv[1][1])
        out["sql_seconds"] = round(sum(t for _n, t in sql_times.values()), 2)
        out["sql_top"] = [{"query": k, "count": n, "seconds": round(t, 3)}
                          for k, (n, t) in ranked[:args.sql_profile]]
    out.update(
        mode=args.mode, db=args.db, date=args.date,
        seconds=round(seconds, 3), python_cpu_seconds=round(cpu_seconds, 3),
        gc_cpu_seconds_by_generation=gc_cpu,
        queries=queries, emails_queued=mails, peak_rss_mb=round(common.peak_rss_mb(), 1),
        rss_before_mb=round(rss_before, 1),
    )
    print(json.dumps(out), flush=True)


def gc_seconds():
    """CPU seconds the garbage collector spent so far, per generation, as Odoo times
    every collection (``odoo.tools.gc.gc_info``; empty when its timing is off)."""
    from odoo.tools.gc import gc_info

    return [gen["time"] / 1000 for gen in gc_info()["time"]]


def sql_profiler(odoo):
    """Time every query of this process, by shape (numbers and literals removed)."""
    import re

    stats = {}
    cursor_cls = odoo.sql_db.Cursor
    original = cursor_cls.execute
    strip = re.compile(r"\b\d+\b|'[^']*'")

    def execute(self, query, params=None, log_exceptions=True):
        start = time.perf_counter()
        try:
            return original(self, query, params, log_exceptions)
        finally:
            text = query.code if hasattr(query, "code") else query
            if isinstance(text, bytes):
                text = text.decode(errors="replace")
            key = strip.sub("?", " ".join(str(text).split()))[:160]
            entry = stats.setdefault(key, [0, 0.0])
            entry[0] += 1
            entry[1] += time.perf_counter() - start

    cursor_cls.execute = execute
    return stats


def time_batches():
    """Record the duration of each batch of the engine (a wrapper, no behaviour change)."""
    from odoo.addons.account_relance_fr.models import account_relance_run

    durations = []
    cls = account_relance_run.AccountRelanceRun
    original = cls._run_batch

    def _run_batch(self, ids, *args, **kwargs):
        start = time.perf_counter()
        try:
            return original(self, ids, *args, **kwargs)
        finally:
            # (customers, seconds, resident memory after the batch)
            durations.append((len(ids), time.perf_counter() - start, rss_now_mb()))

    cls._run_batch = _run_batch
    return durations


def run_ours(odoo, registry, company_id, today, batch_size):
    durations = time_batches()
    with registry.cursor() as cr:
        # the context of _cron_nightly for the company (activity notifications queued, as
        # from the cron; the notes written in the company's language)
        company = common.env_for(odoo, cr)["res.company"].browse(company_id)
        env = common.env_for(odoo, cr, company_id, relance_auto=True,
                             mail_notify_force_send=False,
                             lang=company.partner_id.lang or "en_US")
        company = company.with_env(env)
        result = env["account.relance.run"]._run(
            companies=company, batch_size=batch_size, commit=True, today=today
        )
        cr.commit()
    with registry.cursor() as cr:
        cr.execute(
            "SELECT count(DISTINCT l.move_id), count(DISTINCT e.partner_id), count(DISTINCT e.id)"
            "  FROM account_relance_event e JOIN account_relance_event_line l"
            "    ON l.event_id = e.id WHERE e.date = %s AND e.company_id = %s",
            (today, company_id),
        )
        invoices, partners, events = cr.fetchone()
    seconds = [d for _n, d, _rss in durations]
    rss = [r for _n, _d, r in durations]
    return {"invoices": invoices, "partners": partners, "events": events,
            "engine_result": result, "batches": len(durations),
            # memory after the first batch, a tenth, half and all of the run: flat when
            # the run streams its batches
            "rss_after_batches_mb": {
                f"{float(f'{100 * i / len(rss):.2g}'):g}%": round(rss[i - 1], 1)
                for i in sorted({1, max(len(rss) // 10, 1), max(len(rss) // 2, 1), len(rss)})
            } if rss else {},
            "batch_seconds_mean": round(sum(seconds) / len(seconds), 3) if seconds else 0,
            "batch_seconds_max": round(max(seconds), 3) if seconds else 0}


def run_peer(odoo, registry, company_id, today):
    with registry.cursor() as cr:
        env = common.env_for(odoo, cr, company_id, mail_notify_force_send=False)
        company = env["res.company"].browse(company_id)
        run = env["credit.control.run"].create({
            "date": today, "company_id": company.id,
            "policy_ids": [(6, 0, company.credit_policy_id.ids)],
        })
        run.generate_credit_lines()
        run.set_to_ready_lines()
        email_lines = run.line_ids.filtered(
            lambda line: line.channel == "email" and line.state == "to_be_sent")
        if email_lines:
            emailer = env["credit.control.emailer"].create(
                {"line_ids": [(6, 0, email_lines.ids)]})
            emailer.email_lines()
        cr.commit()
        cr.execute(
            "SELECT count(DISTINCT invoice_id), count(DISTINCT commercial_partner_id),"
            "       count(DISTINCT communication_id), count(*)"
            "  FROM credit_control_line WHERE run_id = %s", (run.id,),
        )
        invoices, partners, comms, lines = cr.fetchone()
    return {"invoices": invoices, "partners": partners, "events": comms, "lines": lines}


if __name__ == "__main__":
    main()
