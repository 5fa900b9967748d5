# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import ast

from odoo import models
from odoo.addons.base.models.res_lang import intersperse
from odoo.tools import float_round, get_lang


class ResCurrency(models.Model):
    _inherit = "res.currency"

    def _relance_amount_str(self, amount, lang=None):
        """``format_amount(env, amount, self, lang)``, for the many amounts of the invoice
        tables and notes of a dunning run: the formats of the currency and of the language
        are read once per cursor, not once per amount."""
        self.ensure_one()
        cache = self.env.cr.cache.setdefault("account_relance_fr.money", {})
        key = (self.id, lang or self.env.lang)
        if key not in cache:
            cache[key] = self._relance_money_formatter(key[1])
        return cache[key](amount)

    def _relance_money_formatter(self, lang_code):
        """A function amount -> text that formats as ``odoo.tools.format_amount``."""
        self.ensure_one()
        data = get_lang(self.env, lang_code)
        grouping = ast.literal_eval(data.grouping)
        thousands_sep, decimal_point = data.thousands_sep or "", data.decimal_point
        pattern, rounding = f"%.{self.decimal_places}f", self.rounding
        if self.position == "before":
            pre, post = f"{self.symbol or ''}\N{NO-BREAK SPACE}", ""
        else:
            pre, post = "", f"\N{NO-BREAK SPACE}{self.symbol or ''}"

        def amount_str(amount):
            parts = (pattern % float_round(amount, precision_rounding=rounding)).split(".")
            parts[0] = intersperse(parts[0], grouping, thousands_sep)[0]
            text = decimal_point.join(parts)
            text = text.replace(" ", "\N{NO-BREAK SPACE}").replace(
                "-", "-\N{ZERO WIDTH NO-BREAK SPACE}"
            )
            return pre + text + post

        return amount_str
