# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The invoices' oldest unpaid instalment and their penalty flag, filled in SQL before the
ORM sees the new stored fields (it would compute them invoice by invoice otherwise)."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        ALTER TABLE account_move ADD COLUMN IF NOT EXISTS relance_due_date date;
        ALTER TABLE account_move ADD COLUMN IF NOT EXISTS relance_is_penalty boolean;
        UPDATE account_move SET relance_due_date = invoice_date_due;
        -- an invoice paid in instalments: its oldest unpaid receivable line
        UPDATE account_move am
           SET relance_due_date = unpaid.due
          FROM (SELECT aml.move_id, MIN(aml.date_maturity) AS due
                  FROM account_move_line aml
                 WHERE aml.display_type = 'payment_term'
                   AND NOT aml.reconciled
                   AND aml.amount_residual <> 0
                   AND aml.date_maturity IS NOT NULL
              GROUP BY aml.move_id) unpaid
         WHERE unpaid.move_id = am.id AND am.move_type = 'out_invoice';
        UPDATE account_move am
           SET relance_is_penalty = EXISTS (
                   SELECT 1 FROM account_move_line aml
                    WHERE aml.move_id = am.id AND aml.relance_penalty_kind IS NOT NULL)
         WHERE am.move_type = 'out_invoice';
        """
    )
