# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from lxml import etree

from odoo import models

MEMO_KEY = "relance_qweb_memo"


class IrQweb(models.AbstractModel):
    _inherit = "ir.qweb"

    def _compile(self, template):
        """Compile an inline template once for all the records of a dunning batch.

        ``mail.render.mixin`` renders the body of a mail template for each record from a
        new ``etree``, which Odoo compiles every time (only named templates are cached):
        the Python code generated, compiled and checked again for every customer. Under
        ``relance_qweb_memo`` (a dict given by the dunning run for the run), an inline
        template already compiled with the same source and the same rendering context
        (language, restricted mode, ...) reuses its code. The code depends on nothing
        else: the values of each record are given at rendering."""
        memo = self.env.context.get(MEMO_KEY)
        if memo is None or not isinstance(template, etree._Element):
            return super()._compile(template)
        key = (
            etree.tostring(template),
            repr(
                sorted(
                    (name, repr(value))
                    for name, value in self.env.context.items()
                    if name != MEMO_KEY and not name.startswith(("__qweb", "_qweb"))
                )
            ),
        )
        if key not in memo:
            memo[key] = super()._compile(template)
        return memo[key]
