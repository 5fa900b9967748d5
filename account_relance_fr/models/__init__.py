# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import account_relance_policy
from . import account_relance_level
from . import account_relance_dispute_reason
from . import account_relance_rate
from . import account_relance_event
from . import account_relance_event_line
from . import res_company
from . import res_config_settings
from . import res_partner
from . import account_move
from . import mail_activity
from . import account_payment_term
from . import account_payment_term_line
from . import account_move_line
