# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import test_relance_engine
from . import test_relance_law
from . import test_relance_board
from . import test_relance_documents
