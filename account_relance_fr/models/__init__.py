# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import (
    account_move,
    account_move_line,
    account_payment_term,
    account_payment_term_line,
    account_relance_board,
    account_relance_dispute_reason,
    account_relance_dso,
    account_relance_effectiveness,
    account_relance_event,
    account_relance_event_line,
    account_relance_level,
    account_relance_policy,
    account_relance_rate,
    mail_activity,
    relance_dossier,
    res_company,
    res_config_settings,
    res_partner,
)
from . import mail_mail
