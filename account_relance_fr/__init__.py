# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import lib
from . import models
from . import wizard
from . import controllers
from .hooks import post_init_hook
