# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import account_relance_send
from . import account_relance_penalty
from . import account_relance_call
from . import account_relance_hold
from . import account_relance_notice
