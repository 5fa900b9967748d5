# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, datetime

import babel.dates

from odoo import api, models
from odoo.tools import format_date, get_lang
from odoo.tools.misc import babel_locale_parse, posix_to_ldml


class ResLang(models.Model):
    _inherit = "res.lang"

    @api.model
    def _relance_date_str(self, value, lang=None):
        """``format_date(env, value, lang)``, for the many dates of the invoice tables and
        notes of a dunning run: memoised on the cursor, with the language's date format
        read once. The cursor's cache is emptied at each commit, so that a batch formats its
        dates with the language's format as it is then."""
        if not isinstance(value, date) or isinstance(value, datetime):
            return format_date(self.env, value, lang_code=lang)  # empty, text or a moment
        code = lang or self.env.lang
        cache = self.env.cr.cache.setdefault("account_relance_fr.dates", {})
        key = (value, code)
        if key not in cache:
            formats = self.env.cr.cache.setdefault("account_relance_fr.date_formats", {})
            if code not in formats:
                data = get_lang(self.env, code)
                locale = babel_locale_parse(data.code)
                formats[code] = (posix_to_ldml(data.date_format, locale=locale), locale)
            pattern, locale = formats[code]
            cache[key] = babel.dates.format_date(value, format=pattern, locale=locale)
        return cache[key]
