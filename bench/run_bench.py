# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""`make bench`: the nightly run of account_relance_fr against the OCA account_credit_control.

Environment:
  BENCH_SCALE     small | default | large (default: default)
  BENCH_SCALES    the scales to measure, comma-separated (default: the scale and its x4:
                  small,medium for small, default,xlarge for default; default,large for large)
  BENCH_SCENARIOS 0 to skip the concurrency and crash scenarios (run at BENCH_SCALE)
  BENCH_REPEAT    rounds per scale (default 1); a round measures our run, our night on the
                  cron threads and the peer's run one right after the other; the median
                  runs are kept and the ratios are the medians of the rounds' ratios
  BENCH_KEEP      1 to keep the measured databases
  BENCH_REBUILD   1 to rebuild the template databases
  BENCH_NO_PEER   scales at which only our run is measured, comma-separated (default:
                  large,xlarge; never BENCH_SCALE)
  BENCH_THREADS   cron threads of our night as shipped, measured at BENCH_SCALE besides the
                  single worker (default 2: the nightly run and its helper; 1 skips it)

Prints a table per scale, the growth between the scales (and from the first to the last),
the floor of Odoo's mail layer for the same history (bench/floor.py), the scenarios'
figures and, last, ``ratio_vs_credit_control: <our invoices/s divided by the
peer's>`` at BENCH_SCALE; writes
bench/results/latest.json, a timestamped copy, and the table in bench/README.md.
"""
import json
import os
import re
import subprocess
import sys
import time
from datetime import datetime
from statistics import median

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import log  # noqa: E402

COLUMNS = ["engine", "invoices", "partners", "seconds", "inv/s", "emails queued",
           "SQL queries", "queries/inv", "peak RSS MB"]


def measure_once(mode, template, date, label=""):
    """One run on a fresh copy of the template, in a fresh process."""
    db = f"relance_bench_run_{mode}"
    common.clone_db(template, db)
    out = common.run_json("measure.py", mode, db, date)
    out["inv_per_s"] = out["invoices"] / out["seconds"] if out["seconds"] else 0.0
    out["queries_per_invoice"] = out["queries"] / out["invoices"] if out["invoices"] else 0
    log(f"  {mode} run{label}: {out['invoices']} invoices in {out['seconds']:.1f}s"
        f" ({out['inv_per_s']:.0f}/s), {out['queries']} queries, "
        f"{out['emails_queued']} mails, peak RSS {out['peak_rss_mb']:.0f} MB")
    return out


def median_run(runs):
    """The run of median time, with every run's time."""
    best = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    best["all_seconds"] = [r["seconds"] for r in runs]
    return best


def measure_rounds(entry, repeat, peer, threads):
    """``repeat`` rounds, each measuring our run, our night on ``threads`` cron threads (if
    > 1) and the peer's run (if ``peer``) one right after the other: on a shared machine
    whose speed drifts by tens of percent within minutes, each round's ratio compares runs
    made in the same conditions. Sets the median runs and the median of the rounds'
    ratios on ``entry``."""
    tpl, date = entry["template"], entry["date"]
    rounds = []
    for i in range(repeat):
        label = f" {i + 1}/{repeat}"
        one = {"ours": measure_once("ours", tpl, date, label)}
        if threads > 1:
            one["threads"] = night_on_threads(tpl, date, threads)
        if peer:
            one["peer"] = measure_once("peer", tpl, date, label)
            one["ratio"] = one["ours"]["inv_per_s"] / one["peer"]["inv_per_s"]
            if threads > 1:
                one["ratio_threads"] = one["threads"]["inv_per_s"] / one["peer"]["inv_per_s"]
            log(f"  round{label}: ratio {one['ratio']:.2f}"
                + (f", on {threads} cron threads {one['ratio_threads']:.2f}"
                   if threads > 1 else ""))
        rounds.append(one)
    entry["ours"] = median_run([r["ours"] for r in rounds])
    entry["ours_threads"] = median_run([r["threads"] for r in rounds]) if threads > 1 else None
    entry["peer"] = median_run([r["peer"] for r in rounds]) if peer else None
    entry["ratio"] = median([r["ratio"] for r in rounds]) if peer else None
    if peer and threads > 1:
        entry["ratio_threads"] = median([r["ratio_threads"] for r in rounds])
    entry["round_ratios"] = [
        {k: round(r[k], 2) for k in ("ratio", "ratio_threads") if k in r} for r in rounds
    ]


def night_on_threads(template, date, threads):
    """Our night on ``threads`` cron threads, as shipped: the nightly run triggers its
    helper (``_cron_helper``) on Odoo's second cron thread, and both run
    ``account.relance.run._run`` for the same night, sharing the customers through their
    locks. Here: ``threads`` processes start that run at the same moment on one fresh copy;
    the time is from that moment to the end of the last one, and the data left is checked
    (exactly one action line per invoice and level, every invariant of the scenarios)."""
    import scenarios

    db = "relance_bench_run_threads"
    common.clone_db(template, db)
    start_at = time.time() + 12  # every registry loaded by then
    procs = [subprocess.Popen([common.PY, str(common.BENCH / "measure.py"), "ours", db, date,
                               "--start-at", str(start_at)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=common.pg_env()) for _ in range(threads)]
    outs = []
    for proc in procs:
        stdout, stderr = proc.communicate()
        if proc.returncode:
            raise SystemExit(f"a thread of our night failed: {scenarios.error_line(stderr)}")
        outs.append(scenarios.last_json(stdout))
    check = scenarios.check(db, None)
    if os.environ.get("BENCH_KEEP") != "1":
        common.dropdb(db)
    # each process counts the night's totals once it ends: the last one sees them all
    last = max(outs, key=lambda o: o["seconds"])
    out = {key: last[key] for key in ("invoices", "partners", "events", "emails_queued")}
    out.update(
        threads=threads, seconds=last["seconds"],
        thread_seconds=[o["seconds"] for o in outs],
        thread_invoices=[o["engine_result"]["invoices"] for o in outs],
        queries=sum(o["queries"] for o in outs),
        peak_rss_mb=max(o["peak_rss_mb"] for o in outs), check=check,
    )
    out["inv_per_s"] = out["invoices"] / out["seconds"] if out["seconds"] else 0.0
    out["queries_per_invoice"] = out["queries"] / out["invoices"] if out["invoices"] else 0
    log(f"  ours on {threads} cron threads: {out['invoices']} invoices in "
        f"{out['seconds']:.1f}s ({out['inv_per_s']:.0f}/s), threads "
        f"{out['thread_invoices']} invoices in {out['thread_seconds']} s, "
        f"exactly once: {check['ok']}")
    return out


def row(name, r):
    return [name, r["invoices"], r["partners"], f"{r['seconds']:.1f}", f"{r['inv_per_s']:.1f}",
            r["emails_queued"], r["queries"], f"{r['queries_per_invoice']:.2f}",
            f"{r['peak_rss_mb']:.0f}"]


def scale_rows(entry):
    rows = [row("account_relance_fr", entry["ours"])]
    if entry.get("ours_threads"):
        rows.append(row(f"account_relance_fr, {entry['ours_threads']['threads']} cron threads",
                        entry["ours_threads"]))
    if entry["peer"]:
        rows.append(row("account_credit_control", entry["peer"]))
    return rows


def table(rows):
    widths = [max(len(str(x)) for x in col) for col in zip(COLUMNS, *rows, strict=True)]
    def line(cells):
        pairs = enumerate(zip(cells, widths, strict=True))
        return "| " + " | ".join(str(c).rjust(w) if i else str(c).ljust(w)
                                 for i, (c, w) in pairs) + " |"
    sep = "|" + "|".join(("-" * (w + 1) + ":") if i else ("-" * (w + 2))
                         for i, w in enumerate(widths)) + "|"
    return "\n".join([line(COLUMNS), sep] + [line(r) for r in rows])


def floor(entry):
    """What the history the run must leave (a note per invoice, an email per customer)
    costs in Odoo's own mail layer alone (bench/floor.py), against a tenth of the peer's
    time: the best ratio any engine that writes it through the ORM can reach."""
    if not entry.get("peer"):
        return ""
    db = "relance_bench_floor"
    common.clone_db(entry["template"], db)
    out = common.run_json("floor.py", db, entry["date"])
    if os.environ.get("BENCH_KEEP") != "1":
        common.dropdb(db)
    peer_s = entry["peer"]["seconds"]
    out["peer_seconds"] = peer_s
    out["best_ratio_through_the_orm"] = round(peer_s / out["floor_seconds"], 2)
    entry["floor"] = out
    text = (
        f"Odoo's mail layer alone, for the same history ({out['notes']} chatter notes "
        f"through _message_log_batch: {out['notes_seconds']:.1f} s; {out['customers']} "
        f"emails created, already rendered: {out['emails_seconds']:.1f} s): "
        f"{out['floor_seconds']:.1f} s, against {peer_s / 10:.1f} s for ratio 10; best "
        f"ratio through the ORM: {out['best_ratio_through_the_orm']:.2f}"
    )
    print(text)
    return text


def growth(small, big):
    """How time, queries and memory grew from one scale to the next."""
    out = {"from": small["scale"], "to": big["scale"]}
    for side in ("ours", "peer"):
        a, b = small[side], big[side]
        if not a or not b:
            continue
        inv = b["invoices"] / a["invoices"]
        qpi = b["queries_per_invoice"] / a["queries_per_invoice"]
        out[side] = {
            "invoices_x": round(inv, 2),
            "seconds_x": round(b["seconds"] / a["seconds"], 2),
            "queries_x": round(b["queries"] / a["queries"], 2),
            "peak_rss_x": round(b["peak_rss_mb"] / a["peak_rss_mb"], 2),
            "rss_growth_during_run_mb": [round(a["peak_rss_mb"] - a["rss_before_mb"], 1),
                                         round(b["peak_rss_mb"] - b["rss_before_mb"], 1)],
            "inv_per_s": [round(a["inv_per_s"], 1), round(b["inv_per_s"], 1)],
            "queries_per_invoice": [round(a["queries_per_invoice"], 2),
                                    round(b["queries_per_invoice"], 2)],
            "queries_per_invoice_x": round(qpi, 2),
            # "linearly or better": flat within 15 %, or falling (fixed costs spread wider)
            "queries_per_invoice_flat": qpi <= 1.15,
        }
    return out


def qpi_trend(qpi_x):
    if qpi_x > 1.15:
        return "GROWING: a query per invoice somewhere"
    return "falling" if qpi_x < 0.85 else "flat"


def print_growth(g):
    lines = [f"Growth {g['from']} -> {g['to']}:"]
    for side in ("ours", "peer"):
        if side not in g:
            continue
        s = g[side]
        lines.append(f"  {side:5}: invoices x{s['invoices_x']}, time x{s['seconds_x']}, "
              f"queries x{s['queries_x']}, peak RSS x{s['peak_rss_x']} "
              f"(+{s['rss_growth_during_run_mb'][0]} -> +{s['rss_growth_during_run_mb'][1]} MB "
              f"during the run), inv/s {s['inv_per_s'][0]} -> {s['inv_per_s'][1]}, "
              f"queries/invoice {s['queries_per_invoice'][0]} -> {s['queries_per_invoice'][1]}"
              f" ({qpi_trend(s['queries_per_invoice_x'])})")
    text = "\n".join(lines)
    print("\n" + text)
    return text


def print_scenarios(sc):
    a, b, c = sc["two_workers"], sc["crash"], sc["accountant"]
    lines = ["Concurrency and crash (our nightly run):"]
    lines.append(f"  (a) two workers at once: lines {a['check']['event_lines']} "
          f"(single run {sc['reference_pairs']}), duplicates {a['check']['duplicate_pairs']}, "
          f"missing {a['check']['missing_vs_single_run']}, extra "
          f"{a['check']['extra_vs_single_run']}, mailed twice "
          f"{a['check']['reminders_mailed_twice']}, customers whose level was split in two "
          f"actions {a['check']['partner_level_split']}; worker times "
          f"{[w and w['seconds'] for w in a['workers']]} s, invoices "
          f"{[w and w['invoices'] for w in a['workers']]} -> "
          f"{'OK' if a['check']['ok'] else 'FAIL'} (exactly once)"
          f"{'' if not any(a.get('worker_errors', [])) else ', but a worker crashed:'}")
    for err in filter(None, a.get("worker_errors", [])):
        lines.append(f"      a worker died: {err}")
    lines.append(f"  (b) kill -9 x{len(b['attempts'])} ({b['kills_landed']} while running), then "
          f"to completion: lines {b['check']['event_lines']}, duplicates "
          f"{b['check']['duplicate_pairs']}, missing {b['check']['missing_vs_single_run']}, "
          f"extra {b['check']['extra_vs_single_run']}, events without lines "
          f"{b['check']['events_without_lines']}, email events done without mail "
          f"{b['check']['email_done_without_mail']}, invariants after every kill "
          f"{all(x['invariants_ok'] for x in b['attempts'])} -> "
          f"{'OK' if b['check']['ok'] else 'FAIL'}")
    acc = c["accountant"]
    lines.append(f"  (c) accountant during the run: {acc.get('writes')} writes, max wait "
          f"{acc.get('max_wait')} s (p95 {acc.get('p95_wait')} s, p50 {acc.get('p50_wait')} s),"
          f" retries {acc.get('retries')}, failures {acc.get('failures')}; batch "
          f"{c['run']['batch_seconds_mean']} s mean / {c['run']['batch_seconds_max']} s max "
          f"-> max wait = {c['max_wait_over_batch_mean']} x mean batch, "
          f"{c.get('max_wait_over_batch_max')} x longest batch; run invoices "
          f"{c['run']['invoices']}, missing vs single run {c['check']['missing_vs_single_run']}")
    text = "\n".join(lines)
    print("\n" + text)
    return text


MORNING = {
    "board_kanban": "dunning board, kanban (the cards of every column)",
    "board_list": "dunning board, list (80 customers)",
    "aging_pivot": "aged balance, pivot by level",
    "today_list": "to do today, whom to call first (80 customers)",
    "forecast_pivot": "receivables forecast, 13 weeks by week and step",
    "customer_tab": "a customer's form and Relances tab",
    "invoice_form": "an invoice's form",
}


def morning_table(morning):
    """What a credit controller opens every morning: server time and queries of each
    screen (bench/morning.py)."""
    facts = morning.get("facts", {})
    lines = [
        "What a credit controller opens every morning, on the server (median of 3 calls; "
        f"the customer has {facts.get('customer_open_invoices')} open invoices):",
        "",
        "| screen | seconds | SQL queries |",
        "|---|---:|---:|",
    ]
    for key, label in MORNING.items():
        if key in morning:
            lines.append(f"| {label} | {morning[key]['seconds']:.3f} | {morning[key]['queries']} |")
    return "\n".join(lines)


def backtest_table(backtest):
    """The accuracy of the expected payment dates (bench/backtest.py)."""
    lines = [
        "The expected payment dates replayed on the first day of each month of the data "
        "set's history (bench/backtest.py), against the day each instalment was paid:",
        "",
        "| prediction | predictions | mean absolute error (days) | paid within +/- 7 days |",
        "|---|---:|---:|---:|",
    ]
    for name in ("expected", "due date", "due + average delay"):
        row = backtest.get(name)
        if row and row["predictions"]:
            lines.append(
                f"| {name} | {row['predictions']} | {row['mae_days']} | "
                f"{row['within_7_days'] * 100:.1f} % |"
            )
    return "\n".join(lines)


def update_readme(text):
    path = common.BENCH / "README.md"
    if not path.exists():
        return
    content = path.read_text()
    new = re.sub(r"(<!-- bench:latest -->\n).*?(<!-- /bench:latest -->)",
                 lambda m: m.group(1) + text + "\n" + m.group(2), content, flags=re.S)
    path.write_text(new)


def main():
    t_start = time.perf_counter()
    scale = os.environ.get("BENCH_SCALE", "default")
    if scale not in common.SCALES:
        raise SystemExit(f"BENCH_SCALE must be one of {', '.join(common.SCALES)}")
    if os.environ.get("BENCH_SCALES"):
        scales = [s.strip() for s in os.environ["BENCH_SCALES"].split(",") if s.strip()]
    else:
        scales = list(common.DEFAULT_SCALES[scale])
    if scale not in scales:
        scales.insert(0, scale)
    repeat = int(os.environ.get("BENCH_REPEAT", "1"))
    threads = int(os.environ.get("BENCH_THREADS", "2"))
    # the peer takes a quarter of an hour and more from 100,000 invoices on
    no_peer = {x.strip() for x in os.environ.get("BENCH_NO_PEER", "large,xlarge").split(",")
               if x.strip()}
    common.ensure_peer()
    results = {"started": datetime.now().isoformat(timespec="seconds"), "scale": scale,
               "scales": {}, "machine": {"cpus": os.cpu_count()}}
    for s in scales:
        log(f"== scale {s}: {common.SCALES[s][0]} customers, {common.SCALES[s][1]} invoices")
        t = time.perf_counter()
        subprocess.run([common.PY, str(common.BENCH / "gen_data.py"), s], check=True,
                       env=common.pg_env())
        marker = common.template_marker(common.template_name(s))
        tpl, date = common.template_name(s), marker["date"]
        entry = {"scale": s, "template": tpl, "date": date, "dataset": marker,
                 "template_seconds": round(time.perf_counter() - t, 1)}
        measure_rounds(entry, repeat, peer=not (s in no_peer and s != scale),
                       threads=threads if s == scale else 1)
        results["scales"][s] = entry
        if s == scale:
            # the screens of the morning, on the database of our last night
            entry["morning"] = common.run_json("morning.py", "relance_bench_run_ours")
            # how accurate the expected payment dates are, on the data set's history
            try:
                entry["backtest"] = common.run_json("backtest.py", tpl, "--json")
            except RuntimeError as exc:
                log(f"backtest failed: {exc}")
        print(f"\nScale {s} ({entry['dataset']['posted_invoices']} posted invoices, "
              f"{entry['dataset']['customers']} customers, run date {date}):")
        print(table(scale_rows(entry)))
        print(f"our resident memory after a share of the {entry['ours']['batches']} batches "
              f"(MB): {entry['ours'].get('rss_after_batches_mb')}")
        if entry.get("ratio_threads"):
            print(f"ratio_vs_credit_control ({s}, our night on {threads} cron threads): "
                  f"{entry['ratio_threads']:.2f}")
        if entry["ratio"] is not None:
            print(f"ratio_vs_credit_control ({s}): {entry['ratio']:.2f}")
            print(f"ratios of the {len(entry['round_ratios'])} rounds (medians above): "
                  f"{entry['round_ratios']}")
        if entry.get("morning"):
            print(morning_table(entry["morning"]))
        if entry.get("backtest"):
            print(backtest_table(entry["backtest"]))
    names = [s for s in scales if s in results["scales"]]
    pairs = list(zip(names, names[1:], strict=False))
    if len(names) > 2:
        pairs.append((names[0], names[-1]))  # e.g. default -> xlarge, the literal x4
    results["growth"] = [growth(results["scales"][a], results["scales"][b]) for a, b in pairs]
    extra_md = [print_growth(g) for g in results["growth"]]

    floor_md = floor(results["scales"][scale])
    if floor_md:
        extra_md.insert(0, floor_md)

    if os.environ.get("BENCH_SCENARIOS", "1") != "0":
        entry = results["scales"][scale]
        ref_db = "relance_bench_ref"
        common.clone_db(entry["template"], ref_db)
        log("reference single run for the scenarios")
        ref = common.run_json("measure.py", "ours", ref_db, entry["date"])
        import scenarios

        results["scenarios"] = scenarios.run_all(entry["template"], entry["date"], ref_db,
                                                 ref["seconds"])
        results["scenarios"]["reference_run"] = ref
        extra_md.append(print_scenarios(results["scenarios"]))
        if os.environ.get("BENCH_KEEP") != "1":
            common.dropdb(ref_db)
    if os.environ.get("BENCH_KEEP") != "1":
        for mode in ("ours", "peer"):
            common.dropdb(f"relance_bench_run_{mode}")

    results["total_seconds"] = round(time.perf_counter() - t_start, 1)
    main_entry = results["scales"][scale]
    results["ratio_vs_credit_control"] = round(main_entry["ratio"], 2)
    if main_entry.get("ratio_threads"):
        results["ratio_vs_credit_control_cron_threads"] = round(main_entry["ratio_threads"], 2)
    common.RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    payload = json.dumps(results, indent=2, default=str)
    tmp = common.RESULTS / "latest.json.tmp"
    tmp.write_text(payload)
    (common.RESULTS / f"{stamp}-{scale}.json").write_text(payload)
    tmp.replace(common.RESULTS / "latest.json")
    md = [f"Run of {results['started']} ({results['machine']['cpus']} CPUs), "
          f"`make bench` total {results['total_seconds'] / 60:.1f} min."]
    for s, entry in results["scales"].items():
        md += ["", f"Scale `{s}`: {entry['dataset']['posted_invoices']} posted invoices, "
               f"{entry['dataset']['customers']} customers, run date {entry['date']}.", "",
               table(scale_rows(entry)), "",
               f"Our resident memory after a share of the {entry['ours']['batches']} batches "
               f"(MB): {entry['ours'].get('rss_after_batches_mb')}.", ""]
        if entry.get("ratio_threads"):
            md.append(f"ratio_vs_credit_control ({s}, our night on {threads} cron threads): "
                      f"{entry['ratio_threads']:.2f}  ")
        if entry["ratio"] is not None:
            md.append(f"ratio_vs_credit_control ({s}): {entry['ratio']:.2f}  ")
            md.append(f"ratios of the {len(entry['round_ratios'])} rounds, each measuring "
                      f"the engines one after the other (medians above): "
                      f"{entry['round_ratios']}")
        else:
            md.append(f"(the peer was not measured at {s}: BENCH_NO_PEER)")
        if entry.get("morning"):
            md += ["", morning_table(entry["morning"])]
        if entry.get("backtest"):
            md += ["", backtest_table(entry["backtest"])]
    if extra_md:
        md += ["", "```text", "\n\n".join(extra_md), "```"]
    update_readme("\n".join(md))
    print(f"\nmake bench: {results['total_seconds'] / 60:.1f} min; results in "
          f"bench/results/latest.json")
    if main_entry.get("ratio_threads"):
        print(f"ratio_vs_credit_control_cron_threads: {main_entry['ratio_threads']:.2f}"
              f" (our night on {threads} cron threads, as shipped; below: one worker each)")
    print(f"ratio_vs_credit_control: {main_entry['ratio']:.2f}")


if __name__ == "__main__":
    main()
