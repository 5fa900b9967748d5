# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The words of this version replace those of the versions before.

- The shipped reminder templates that no user edited (see the pre-migration) are brought up
  to date: subject naming the invoices, the company's own layout, singular and plural
  sentences. They are ``noupdate``: their records are loaded again from the data file by
  Odoo's own loader, then their translations dropped, so that the new ones load after this
  script; an edited template is left as it is.
- The translations of the views, fields and menus are loaded again over the old ones: a
  term kept from an earlier version keeps its old translation otherwise (the "(s)" plurals
  of the board). Odoo's loader leaves the ``noupdate`` records (the templates) alone."""

import io
import json
import logging

from lxml import etree

from odoo import SUPERUSER_ID, api
from odoo.tools import file_path
from odoo.tools.convert import convert_xml_import

_logger = logging.getLogger(__name__)

KEY = "account_relance_fr.templates_to_update"
DATA = "account_relance_fr/data/mail_template_data.xml"


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    langs = [code for code, _name in env["res.lang"].get_installed() if code != "en_US"]
    if langs:
        env["ir.module.module"]._load_module_terms(["account_relance_fr"], langs, overwrite=True)
    update_templates(env)


def update_templates(env):
    cr = env.cr
    cr.execute("DELETE FROM ir_config_parameter WHERE key = %s RETURNING value", (KEY,))
    row = cr.fetchone()
    names = set(json.loads(row[0])) if row else set()
    if not names:
        return
    doc = etree.parse(file_path(DATA))
    data = etree.Element("data", noupdate="1")
    for record in doc.iter("record"):
        if record.get("id") in names:
            data.append(record)
    root = etree.Element("odoo")
    root.append(data)
    stream = io.BytesIO(etree.tostring(root))
    stream.name = DATA
    convert_xml_import(env, "account_relance_fr", stream, mode="init", noupdate=True)
    ids = [env.ref(f"account_relance_fr.{name}").id for name in names]
    cr.execute(
        """
        UPDATE mail_template
           SET subject = jsonb_build_object('en_US', subject ->> 'en_US'),
               body_html = jsonb_build_object('en_US', body_html ->> 'en_US')
         WHERE id IN %s
        """,
        (tuple(ids),),
    )
    _logger.info("account_relance_fr: reminder templates brought up to date: %s", sorted(names))
