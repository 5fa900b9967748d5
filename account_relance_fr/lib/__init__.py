# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pure computations of account_relance_fr: no Odoo import, only stdlib and dateutil.

They are imported by the models and tested on their own, without a database.
"""

from . import analysis, dates, ecb, forecast, interest, ladder, procedure, text

__all__ = ["analysis", "dates", "ecb", "forecast", "interest", "ladder", "procedure", "text"]
