# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import (
    account_relance_call,
    account_relance_einvoice_import,
    account_relance_einvoice_set,
    account_relance_hold,
    account_relance_notice,
    account_relance_penalty,
    account_relance_send,
    account_relance_skip,
)
