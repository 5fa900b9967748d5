# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Build (once) the template database of a benchmark scale: python bench/gen_data.py SCALE

* ``relance_bench_base``: an empty database with account, l10n_fr_account,
  account_relance_fr and the OCA peer account_credit_control installed, without demo data,
  French loaded (built once, reused by every scale);
* ``relance_bench_tpl_<scale>``: a copy of it with a French company (French chart), its
  customers and posted invoices, payments, credit notes, disputes and promises, and the peer's
  credit control policy equivalent to our standard ladder. Everything goes through the ORM
  in batches (create([...]) then action_post() per batch, one commit per batch); only the
  chatter of the generation itself is skipped (tracking_disable).

The template is built under a temporary name and renamed when complete, with a marker
(ir.config_parameter ``relance_bench.template``): an existing complete template is reused.
"""
import json
import os
import random
import subprocess
import sys
import time
from datetime import date, timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import log  # noqa: E402

BATCH = int(os.environ.get("BENCH_GEN_BATCH", "500"))
SEED = 20260101

FIRST_NAMES = ["Camille", "Louis", "Emma", "Jules", "Léa", "Hugo", "Chloé", "Lucas", "Manon",
               "Gabriel", "Inès", "Arthur", "Sarah", "Nathan", "Julie", "Paul", "Alice", "Théo",
               "Claire", "Antoine", "Zoé", "Maxime", "Laura", "Victor", "Anaïs", "Thomas"]
LAST_NAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
              "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David",
              "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier",
              "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier"]
TRADES = ["Boulangerie", "Menuiserie", "Transports", "Atelier", "Garage", "Pharmacie",
          "Imprimerie", "Cabinet", "Librairie", "Plomberie", "Électricité", "Traiteur",
          "Bureau d'études", "Agence", "Serrurerie", "Fromagerie", "Informatique", "Hôtel"]
FORMS = ["SARL", "SAS", "SASU", "EURL", "SA", "SCI"]
CITIES = [("Paris", "75011"), ("Lyon", "69002"), ("Marseille", "13001"), ("Toulouse", "31000"),
          ("Nantes", "44000"), ("Lille", "59000"), ("Bordeaux", "33000"), ("Rennes", "35000"),
          ("Strasbourg", "67000"), ("Montpellier", "34000"), ("Nice", "06000"), ("Dijon", "21000")]
STREETS = ["rue de la République", "avenue Jean Jaurès", "rue Victor Hugo", "boulevard Pasteur",
           "rue du Général de Gaulle", "place de la Mairie", "rue des Écoles", "quai de la Loire"]
PRODUCTS = [("Prestation de conseil", "service", 650.0),
            ("Maintenance annuelle", "service", 1200.0),
            ("Formation (journée)", "service", 900.0), ("Fournitures de bureau", "consu", 45.0),
            ("Licence logicielle", "service", 320.0), ("Déplacement", "service", 85.0),
            ("Matériel informatique", "consu", 780.0), ("Heure d'intervention", "service", 70.0)]


def luhn_complete(digits):
    """Append the Luhn key to ``digits`` (SIREN 8 -> 9, SIRET 13 -> 14)."""
    for key in range(10):
        candidate = digits + str(key)
        total = 0
        for i, ch in enumerate(reversed(candidate)):
            d = int(ch)
            if i % 2 == 1:
                d *= 2
                if d > 9:
                    d -= 9
            total += d
        if total % 10 == 0:
            return candidate
    raise AssertionError


class Progress:
    def __init__(self, label, total):
        self.label, self.total, self.done, self.start = label, total, 0, time.perf_counter()

    def step(self, count):
        self.done += count
        elapsed = time.perf_counter() - self.start
        rate = self.done / elapsed if elapsed else 0.0
        eta = (self.total - self.done) / rate if rate else 0.0
        log(f"  {self.label}: {self.done}/{self.total} ({rate:.0f}/s, ETA {eta:.0f}s)")

    def end(self):
        elapsed = time.perf_counter() - self.start
        rate = self.done / max(elapsed, 1e-9)
        log(f"  {self.label}: {self.done} in {elapsed:.0f}s ({rate:.0f}/s)")
        return elapsed


# ---------------------------------------------------------------- base database
def ensure_base():
    marker = common.template_marker(common.BASE_DB)
    if marker:
        return
    common.ensure_peer()
    tmp = common.BASE_DB + "_building"
    common.dropdb(tmp)
    subprocess.run(["createdb", tmp], check=True, env=common.pg_env())
    log(f"installing {common.MODULES} without demo data, French loaded (once)")
    start = time.perf_counter()
    proc = common.odoo_bin(tmp, "-i", common.MODULES, "--load-language=fr_FR", "--stop-after-init")
    if proc.returncode:
        raise SystemExit("module installation failed")
    marker = json.dumps({"version": common.GENERATOR_VERSION, "modules": common.MODULES,
                         "addon_hash": common.addon_hash()})
    common.psql(
        "INSERT INTO ir_config_parameter (key, value, create_date, write_date) "
        f"VALUES ('{common.MARKER_KEY}', '{marker}', now(), now())", db=tmp,
    )
    rename(tmp, common.BASE_DB)
    log(f"base database ready in {time.perf_counter() - start:.0f}s")


def rename(old, new):
    common.dropdb(new)
    common.psql(f'ALTER DATABASE "{old}" RENAME TO "{new}"')
    src = common.DATA_DIR / "filestore" / old
    if src.exists():
        src.rename(common.DATA_DIR / "filestore" / new)


# ---------------------------------------------------------------- batches in processes
JOBS = max(int(os.environ.get("BENCH_GEN_JOBS", str(min(os.cpu_count() or 1, 2)))), 1)


def in_processes(label, batches, work, *, odoo, registry, cid, ctx):
    """Run ``work(env, batch) -> ids`` on every batch, one transaction per batch, in JOBS
    forked processes (batch i in process i % JOBS); return the ids in batch order.

    A batch that meets a concurrency error (serialization failure, deadlock) is retried."""
    from psycopg2 import errors as pg_errors

    start = time.perf_counter()
    results_dir = common.DATA_DIR / f"gen-{os.getpid()}"
    results_dir.mkdir(parents=True, exist_ok=True)
    children = []
    for job in range(JOBS):
        mine = list(range(job, len(batches), JOBS))
        pid = os.fork()
        if pid:
            children.append(pid)
            continue
        status = 1
        try:
            prog = Progress(f"{label} (process {job + 1}/{JOBS})",
                            sum(len(batches[i]) for i in mine))
            out = {}
            for index in mine:
                for attempt in range(5):
                    try:
                        with registry.cursor() as cr:
                            env = common.env_for(odoo, cr, cid, **ctx)
                            out[index] = work(env, batches[index])
                            cr.commit()
                        break
                    except (pg_errors.SerializationFailure, pg_errors.DeadlockDetected):
                        if attempt == 4:
                            raise
                        time.sleep(0.5 * (attempt + 1))
                prog.step(len(batches[index]))
            (results_dir / f"{job}.json").write_text(json.dumps(out))
            status = 0
        except BaseException:  # noqa: BLE001 - reported, the parent fails
            import traceback

            traceback.print_exc()
        finally:
            os._exit(status)
    failed = [pid for pid in children if os.waitpid(pid, 0)[1] != 0]
    if failed:
        raise SystemExit(f"{label}: {len(failed)} generator process(es) failed")
    by_batch = {}
    for job in range(JOBS):
        path = results_dir / f"{job}.json"
        by_batch.update({int(k): v for k, v in json.loads(path.read_text()).items()})
        path.unlink()
    results_dir.rmdir()
    ids = [mid for index in range(len(batches)) for mid in by_batch[index]]
    elapsed = time.perf_counter() - start
    log(f"  {label}: {len(ids)} in {elapsed:.0f}s ({len(ids) / max(elapsed, 1e-9):.0f}/s)")
    return ids, elapsed


def in_batches(items):
    return [items[start:start + BATCH] for start in range(0, len(items), BATCH)]


def post_invoices(env, specs):
    moves = env["account.move"].create(specs)
    moves.action_post()
    return moves.ids


# ---------------------------------------------------------------- the data set
def build(scale):
    n_customers, n_invoices = common.SCALES[scale]
    tpl = common.template_name(scale)
    tmp = tpl + "_building"
    addon_hash_at_start = (common.template_marker(common.BASE_DB) or {}).get("addon_hash")
    common.clone_db(common.BASE_DB, tmp)
    odoo, registry = common.bootstrap(tmp)
    name_payment_moves()
    rnd = random.Random(SEED)
    today = date.today()
    timings = {}
    t0 = time.perf_counter()

    with registry.cursor() as cr:
        env = common.env_for(odoo, cr)
        company = setup_company(env)
        cr.commit()
        cid = company.id
    log(f"company {common.COMPANY_NAME} (id {cid}) with the French chart")

    ctx = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}
    # ---- customers
    prog = Progress("customers", n_customers)
    specs = customer_specs(rnd, n_customers)
    partner_ids = []
    for start in range(0, len(specs), 1000):
        with registry.cursor() as cr:
            env = common.env_for(odoo, cr, cid, **ctx)
            partners = env["res.partner"].create(specs[start:start + 1000])
            children = []
            for partner in partners:
                if partner.is_company and rnd.random() < 0.2:
                    children.append({
                        "parent_id": partner.id, "type": "invoice",
                        "name": f"Service comptabilité {partner.name}",
                        "email": f"compta{partner.id}@{slug(partner.name)}.example",
                        "lang": partner.lang,
                    })
            env["res.partner"].create(children)
            partner_ids += partners.ids
            cr.commit()
        prog.step(len(partners))
    timings["customers"] = prog.end()

    # ---- invoices, in chronological order, numbered then posted batch by batch (in
    # BENCH_GEN_JOBS processes)
    with registry.cursor() as cr:
        env = common.env_for(odoo, cr, cid)
        refs = invoice_refs(env, env["res.company"].browse(cid))
    inv_specs = invoice_specs(rnd, n_invoices, partner_ids, refs, today)
    odoo.sql_db.close_all()
    invoice_ids, seconds = in_processes(
        "invoices", in_batches(inv_specs), post_invoices,
        odoo=odoo, registry=registry, cid=cid, ctx=ctx)
    timings["invoices"] = seconds

    # ---- payments: ~20% fully paid, ~10% partly paid (real payments, reconciled)
    rnd.shuffle(invoice_ids)
    n_paid, n_partial = int(n_invoices * 0.20), int(n_invoices * 0.10)
    paid, partial = invoice_ids[:n_paid], invoice_ids[n_paid:n_paid + n_partial]
    rest = invoice_ids[n_paid + n_partial:]
    jobs = [(mid, 1.0) for mid in paid] + [(mid, rnd.uniform(0.2, 0.8)) for mid in partial]
    jobs.sort()
    # numbered in advance, like the invoices, so that the processes do not wait for each
    # other on the bank journal's sequence
    numbered = [(mid, share, number) for number, (mid, share) in enumerate(jobs, 1)]
    _ids, timings["payments"] = in_processes(
        "payments", in_batches(numbered),
        lambda env, chunk: pay_invoices(env, refs, chunk, today, rnd),
        odoo=odoo, registry=registry, cid=cid, ctx=ctx)

    # ---- credit notes: ~1.5%, two thirds applied to an open invoice of the customer
    n_refunds = max(int(n_invoices * 0.015), 3)
    prog = Progress("credit notes", n_refunds)
    targets = rnd.sample(rest, n_refunds)
    for chunk in in_batches(targets):
        with registry.cursor() as cr:
            env = common.env_for(odoo, cr, cid, **ctx)
            credit_notes(env, refs, chunk, today, rnd)
            cr.commit()
        prog.step(len(chunk))
    timings["credit_notes"] = prog.end()

    # ---- disputes and promises on open invoices; the peer's equivalent
    with registry.cursor() as cr:
        env = common.env_for(odoo, cr, cid)
        company = env["res.company"].browse(cid)
        # a batch posted by one process before the previous batch of the other was flagged
        # as following a gap in the numbering: the gap is filled now
        Move = env["account.move"]
        flagged = Move.search([("made_sequence_gap", "=", True), ("company_id", "=", cid)])
        env.add_to_compute(Move._fields["made_sequence_gap"], flagged)
        flagged.flush_recordset(["made_sequence_gap"])
        holds(env, refs, rest, today, rnd)
        setup_peer(env, company, refs)
        stats = dataset_stats(env, company, today)
        stats.update(scale=scale, customers=n_customers, invoices=n_invoices,
                     generation_seconds=round(time.perf_counter() - t0, 1),
                     timings={k: round(v, 1) for k, v in timings.items()},
                     company_id=cid, date=str(today), version=common.GENERATOR_VERSION,
                     addon_hash=addon_hash_at_start)
        env["ir.config_parameter"].set_param(common.MARKER_KEY, json.dumps(stats))
        cr.commit()
    odoo.modules.registry.Registry.delete(tmp)
    odoo.sql_db.close_all()
    subprocess.run(["vacuumdb", "--analyze", "-q", tmp], check=True, env=common.pg_env())
    rename(tmp, tpl)
    log(f"template {tpl} ready: {json.dumps(stats)}")
    return stats


def slug(name):
    return "".join(ch for ch in name.lower() if ch.isalnum())[:20] or "client"


def customer_specs(rnd, count):
    specs = []
    for i in range(count):
        city, zip_code = rnd.choice(CITIES)
        lang = "fr_FR" if rnd.random() < 0.95 else "en_US"
        business = rnd.random() < 0.6
        if business:
            name = f"{rnd.choice(TRADES)} {rnd.choice(LAST_NAMES)} {rnd.choice(FORMS)} {i}"
            siren = luhn_complete(f"{rnd.randrange(10**7, 10**8)}")
            siret = luhn_complete(siren + f"{rnd.randrange(1, 9999):04d}")
            vals = {"name": name, "is_company": True, "company_registry": siret,
                    "email": f"factures@{slug(name)}{i}.example"}
            if rnd.random() < 0.5:
                vals["vat"] = "FR%02d%s" % ((12 + 3 * (int(siren) % 97)) % 97, siren)
        else:
            first, last = rnd.choice(FIRST_NAMES), rnd.choice(LAST_NAMES)
            name = f"{first} {last}"
            vals = {"name": name, "is_company": False,
                    "email": f"{slug(first)}.{slug(last)}{i}@example.com"}
        if rnd.random() < 0.02:
            vals["email"] = False  # ~2% without email
        vals.update(street=f"{rnd.randrange(1, 120)} {rnd.choice(STREETS)}", city=city,
                    zip=zip_code, lang=lang, customer_rank=1)
        specs.append(vals)
    return specs


def setup_company(env):
    fr = env.ref("base.fr")
    eur = env.ref("base.EUR")
    eur.active = True
    company = env["res.company"].create({
        "name": common.COMPANY_NAME, "country_id": fr.id, "currency_id": eur.id,
        "street": "10 rue de Rivoli", "city": "Paris", "zip": "75004",
        "email": "comptabilite@relance-bench.example", "phone": "+33 1 23 45 67 89",
        "vat": "FR44732829320", "company_registry": "73282932000074",
        "iap_enrich_auto_done": True,  # no partner-autocomplete call (no network)
    })
    env.user.company_ids |= company
    env.ref("base.user_admin").company_ids |= company
    env = env(context=dict(env.context, allowed_company_ids=[company.id]))
    company = company.with_env(env)
    env["account.chart.template"].try_loading("fr", company, install_demo=False)
    env["res.partner.bank"].create({
        "acc_number": "FR7630006000011234567890189", "partner_id": company.partner_id.id,
        "allow_out_payment": True,
    })
    group = env.ref("account.group_account_invoice")
    users = env["res.users"].with_context(no_reset_password=True).create([
        {"name": f"Comptable {i}", "login": f"comptable{i}@relance-bench.example",
         "email": f"comptable{i}@relance-bench.example", "company_id": company.id,
         "company_ids": [(6, 0, company.ids)], "group_ids": [(4, group.id)]}
        for i in (1, 2, 3)
    ])
    assert company.relance_policy_id, "the company got no dunning policy"
    assert users
    return company


def invoice_refs(env, company):
    Product = env["product.product"]
    tax = company.account_sale_tax_id
    products = Product.create([
        {"name": name, "type": kind, "list_price": price, "taxes_id": [(6, 0, tax.ids)],
         "company_id": company.id}
        for name, kind, price in PRODUCTS
    ])
    journal = env["account.journal"].search(
        [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
    bank = env["account.journal"].search(
        [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1)
    users = env["res.users"].search([("login", "like", "comptable%@relance-bench.example")])
    terms = [env.ref(x) for x in ("account.account_payment_term_immediate",
                                  "account.account_payment_term_30days",
                                  "account.account_payment_term_45days")]
    # invoices in two instalments (échéances): 30 % at 30 days, the balance at 60
    terms.append(env["account.payment.term"].create({
        "name": "30 % à 30 jours, solde à 60 jours", "company_id": company.id,
        "line_ids": [(0, 0, {"value": "percent", "value_amount": 30, "nb_days": 30}),
                     (0, 0, {"value": "percent", "value_amount": 70, "nb_days": 60})],
    }))
    return {
        "products": [(p.id, p.list_price) for p in products],
        "journal": journal.id, "journal_code": journal.code, "bank": bank.id,
        "payment_prefix": ("P" if bank.payment_sequence else "") + bank.code, "users": users.ids,
        # (term, days from the invoice date to its last due date)
        "terms": [(terms[0].id, 0), (terms[1].id, 30), (terms[2].id, 45), (terms[3].id, 60)],
        "company": company.id,
    }


def invoice_specs(rnd, count, partner_ids, refs, today):
    # a few big customers, many small ones
    weights = [1.0 / (rank + 1) ** 0.7 for rank in range(len(partner_ids))]
    partners = rnd.choices(partner_ids, weights=weights, k=count)
    specs = []
    for partner_id in partners:
        if rnd.random() < 0.9:
            due = today - timedelta(days=rnd.randrange(0, 181))
        else:
            due = today + timedelta(days=rnd.randrange(1, 31))
        # one invoice in ten in two instalments: its first falls due 30 days before the last
        term_id, days = rnd.choices(refs["terms"], weights=[13.5, 54, 22.5, 10])[0]
        if due > today and days == 0:
            term_id, days = refs["terms"][1]
        lines = []
        for _ in range(rnd.choices([1, 2, 3, 4], weights=[45, 30, 15, 10])[0]):
            product_id, price = rnd.choice(refs["products"])
            lines.append((0, 0, {"product_id": product_id, "quantity": rnd.randrange(1, 6),
                                 "price_unit": round(price * rnd.uniform(0.5, 1.8), 2)}))
        specs.append({
            "move_type": "out_invoice", "partner_id": partner_id,
            "invoice_date": due - timedelta(days=days), "invoice_payment_term_id": term_id,
            "journal_id": refs["journal"], "invoice_user_id": rnd.choice(refs["users"]),
            "invoice_line_ids": lines,
        })
    specs.sort(key=lambda vals: vals["invoice_date"])
    # numbered here, in date order, as Odoo would number them at posting: the batches can
    # then be posted in parallel, and posting skips the search for the last number (a
    # search whose cost grows with the journal)
    counters = {}
    for vals in specs:
        year = vals["invoice_date"].year
        counters[year] = counters.get(year, 0) + 1
        vals["name"] = f"{refs['journal_code']}/{year}/{counters[year]:05d}"
    return specs


def receivable_lines(moves):
    return moves.line_ids.filtered(
        lambda line: line.account_type == "asset_receivable" and not line.reconciled)


def customer_pace(partner_id):
    """How many days after the due date a customer usually pays, the same in every run:
    30 % on time or early (-5 to +2), 40 % a little late (+5 to +20), 20 % late (+20 to
    +45), 10 % very late (+45 to +80)."""
    rnd = random.Random(SEED * 1_000_003 + partner_id)
    draw = rnd.random()
    for share, low, high in ((0.3, -5, 2), (0.7, 5, 20), (0.9, 20, 45), (1.0, 45, 80)):
        if draw < share:
            return rnd.randint(low, high)
    return 0


def pay_invoices(env, refs, chunk, today, rnd):
    """Real payments (account.payment posted) reconciled with their invoice, in one plan.

    ``chunk``: (invoice id, share paid, payment number) triples."""
    moves = env["account.move"].browse([mid for mid, _share, _number in chunk])
    share = {mid: s for mid, s, _number in chunk}
    numbers = {mid: number for mid, _s, number in chunk}
    vals_list, order = [], []
    for move in moves:
        # each customer pays at its own pace, give or take a few days
        days = customer_pace(move.commercial_partner_id.id) + round(rnd.gauss(0, 4))
        pay_date = min(max(move.invoice_date_due + timedelta(days=days), move.invoice_date), today)
        amount = move.amount_residual if share[move.id] >= 1.0 else round(
            move.amount_residual * share[move.id], 2)
        vals_list.append({
            "payment_type": "inbound", "partner_type": "customer",
            "partner_id": move.commercial_partner_id.id, "amount": amount, "date": pay_date,
            "journal_id": refs["bank"], "memo": move.name,
        })
        order.append(move)
    payments = env["account.payment"].create(vals_list)
    names = {
        pay.id: f"{refs['payment_prefix']}/{pay.date.year}/{numbers[move.id]:05d}"
        for pay, move in zip(payments, order, strict=True)
    }
    payments.with_context(bench_payment_names=names).action_post()
    plan = [receivable_lines(pay.move_id) + receivable_lines(move)
            for pay, move in zip(payments, order, strict=True)]
    env["account.move.line"]._reconcile_plan(plan)
    return payments.ids


def name_payment_moves():
    """The journal entry of a payment takes the number given by the generator (context
    ``bench_payment_names``), as an imported payment would."""
    from odoo.addons.account.models.account_payment import AccountPayment

    original = AccountPayment._generate_move_vals

    def _generate_move_vals(self, *args, **kwargs):
        vals = original(self, *args, **kwargs)
        name = self.env.context.get("bench_payment_names", {}).get(self.id)
        if name:
            vals["name"] = name
        return vals

    AccountPayment._generate_move_vals = _generate_move_vals


def credit_notes(env, refs, chunk, today, rnd):
    moves = env["account.move"].browse(chunk).filtered(lambda m: m.payment_state != "paid")
    vals_list = []
    for move in moves:
        product_id, price = rnd.choice(refs["products"])
        amount = min(round(price * rnd.uniform(0.2, 0.6), 2), move.amount_untaxed * 0.5)
        vals_list.append({
            "move_type": "out_refund", "partner_id": move.partner_id.id,
            "invoice_date": min(today, move.invoice_date + timedelta(days=rnd.randrange(1, 20))),
            "journal_id": refs["journal"], "ref": f"Avoir sur {move.name}",
            "invoice_line_ids": [(0, 0, {"product_id": product_id, "quantity": 1,
                                         "price_unit": max(amount, 1.0)})],
        })
    refunds = env["account.move"].create(vals_list)
    refunds.action_post()
    plan = [receivable_lines(refund) + receivable_lines(move)
            for refund, move in zip(refunds, moves, strict=True) if rnd.random() < 2 / 3]
    if plan:
        env["account.move.line"]._reconcile_plan(plan)


def holds(env, refs, rest, today, rnd):
    Move = env["account.move"]
    open_moves = Move.browse(rest).filtered(
        lambda m: m.payment_state in ("not_paid", "partial") and m.invoice_date_due < today)
    ids = open_moves.ids
    rnd.shuffle(ids)
    n = max(len(ids) // 100, 1)
    disputed = Move.browse(ids[:n])
    promised = Move.browse(ids[n:2 * n])
    expired = Move.browse(ids[2 * n:2 * n + max(n // 5, 1)])
    reasons = env["account.relance.dispute.reason"].search([])
    for move in disputed:
        move.action_relance_set_hold(
            "dispute", note="Litige qualité", dispute_reason=rnd.choice(reasons).id)
    for move in promised:
        move.action_relance_set_hold(
            "promise", promise_date=today + timedelta(days=rnd.randrange(1, 21)),
            promise_amount=round(move.amount_residual, 2))
    # promises already expired: the nightly run resumes their ladder (and logs it)
    expired.write({"relance_hold": "promise",
                   "relance_promise_date": today - timedelta(days=3)})
    after_ladder = after_the_ladder(env, open_moves - disputed - promised - expired, today, rnd)
    refs["held"] = (disputed | promised | after_ladder).ids


def after_the_ladder(env, moves, today, rnd):
    """Of the customers with overdue invoices: 2 % on a payment plan (its first instalment
    paid for half of them, missed for the others), 0.5 % in insolvency proceedings (the
    judgment 30 days ago), 1 % with a collector. Their invoices leave the ladder of both
    engines. Returns the invoices held."""
    customers = moves.commercial_partner_id.ids
    rnd.shuffle(customers)
    total = len(customers)
    n_plans, n_insolvency, n_handoff = (max(int(total * share), 1) for share in (0.02, 0.005, 0.01))
    planned = customers[:n_plans]
    insolvent = customers[n_plans:n_plans + n_insolvency]
    handed = customers[n_plans + n_insolvency:n_plans + n_insolvency + n_handoff]
    by_customer = {}
    for move in moves:
        by_customer.setdefault(move.commercial_partner_id.id, env["account.move"])
        by_customer[move.commercial_partner_id.id] |= move
    Plan = env["account.relance.plan"]
    for index, partner_id in enumerate(planned):
        plan = Plan.create({
            "partner_id": partner_id,
            "move_ids": [(6, 0, by_customer[partner_id].ids)],
            "date": today - timedelta(days=40),
            # half of them with an instalment due before the night: missed, reminded
            "first_date": today - timedelta(days=rnd.randrange(1, 4)) if index % 2
            else today + timedelta(days=rnd.randrange(2, 20)),
            "instalment_count": rnd.choice((3, 4, 6)),
        })
        plan.action_compute_schedule()
        plan.action_activate()
    agency = env["res.partner"].create({
        "name": "Cabinet de recouvrement (bench)", "is_company": True,
        "email": "dossiers@recouvrement.example", "relance_agent_type": "agency",
    })
    env["account.relance.insolvency"].create([{
        "partner_id": partner_id,
        "kind": rnd.choice(("safeguard", "receivership", "liquidation")),
        "judgment_date": today - timedelta(days=30),
        "bodacc_date": today - timedelta(days=20),
    } for partner_id in insolvent])
    handoffs = env["account.relance.handoff"].create([{
        "partner_id": partner_id,
        "agent_id": agency.id,
        "move_ids": [(6, 0, by_customer[partner_id].ids)],
        "fee_terms": "15 %",
    } for partner_id in handed])
    handoffs.action_hand_over()
    held = env["account.move"].search([
        ("company_id", "=", env.company.id),
        ("relance_hold", "in", ("plan", "insolvency", "handoff")),
    ])
    log(f"after the ladder: {len(planned)} plans, {len(insolvent)} proceedings, "
        f"{len(handed)} hand-offs ({len(held)} invoices held)")
    return held


def setup_peer(env, company, refs):
    """The OCA peer's policy equivalent to our standard ladder, for the same invoices."""
    base = env.ref("account_credit_control.email_template_credit_control_base")
    # our first levels send no PDF: the peer's template without its summary report
    template = base.copy({"name": "Credit Control Email (bench)", "report_template_ids": [(5,)]})
    receivable = env["account.account"].search([
        ("account_type", "=", "asset_receivable"),
        ("company_ids", "in", company.ids),
    ])
    levels = [(1, "First reminder", 7, "email"), (2, "Second reminder", 21, "email"),
              (3, "Phone call", 30, "phone"), (4, "Registered letter", 45, "letter"),
              (5, "Formal notice", 60, "letter")]
    policy = env["credit.control.policy"].create({
        "name": "Relance standard (bench)", "company_id": company.id,
        "account_ids": [(6, 0, receivable.ids)],
        "level_ids": [(0, 0, {
            "name": name, "level": level, "computation_mode": "net_days", "delay_days": delay,
            "channel": channel, "email_template_id": template.id,
            "mail_show_invoice_detail": True,
            "custom_text": "Sauf erreur de notre part, les factures ci-dessous restent impayées.",
            "custom_mail_text": "<p>Sauf erreur de notre part, les factures ci-dessous "
                                "restent impayées. Merci de les régler.</p>",
        }) for level, name, delay, channel in levels],
    })
    company.credit_policy_id = policy
    # disputed invoices and active promises are not chased by us: nor by the peer
    no_follow = env.ref("account_credit_control.credit_control_no_follow")
    env["account.move"].browse(refs["held"]).write({"credit_policy_id": no_follow.id})


def dataset_stats(env, company, today):
    Move = env["account.move"]
    dom = [("company_id", "=", company.id), ("move_type", "=", "out_invoice"),
           ("state", "=", "posted")]
    by_state = dict(Move._read_group(dom, ["payment_state"], ["__count"]))
    holds = dict(Move._read_group(dom + [("relance_hold", "!=", False)],
                                  ["relance_hold"], ["__count"]))
    return {
        "posted_invoices": Move.search_count(dom),
        "payment_states": by_state,
        "credit_notes": Move.search_count([("company_id", "=", company.id),
                                           ("move_type", "=", "out_refund")]),
        "payments": env["account.payment"].search_count([("company_id", "=", company.id)]),
        "holds": holds,
        "customers": env["res.partner"].search_count(
            [("customer_rank", ">", 0), ("parent_id", "=", False)]),
        "customers_without_email": env["res.partner"].search_count(
            [("customer_rank", ">", 0), ("parent_id", "=", False), ("email", "=", False)]),
        "overdue_open": Move.search_count(dom + [
            ("payment_state", "in", ("not_paid", "partial")),
            ("invoice_date_due", "<", today)]),
    }


def main():
    scale = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("BENCH_SCALE", "small")
    if scale not in common.SCALES:
        raise SystemExit(f"unknown scale {scale!r}: {', '.join(common.SCALES)}")
    tpl = common.template_name(scale)
    marker = common.template_marker(tpl)
    if marker and os.environ.get("BENCH_REBUILD") != "1":
        marker = common.ensure_current(tpl)
        log(f"reusing the template {tpl} (built {marker.get('date')}, "
            f"{marker.get('posted_invoices')} invoices)")
        print(json.dumps(marker))
        return
    common.dropdb(tpl)
    ensure_base()
    common.ensure_current(common.BASE_DB)
    log(f"building the template {tpl}: {common.SCALES[scale][0]} customers, "
        f"{common.SCALES[scale][1]} invoices")
    stats = build(scale)
    print(json.dumps(stats))


if __name__ == "__main__":
    main()
