# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Which shipped reminder templates the post-migration brings up to date: those whose
subject is still the one shipped before (a user edited the others: they are left as they
are). Kept in ``ir_config_parameter`` for the post-migration, which runs after the data is
loaded (and skipped, as the templates are ``noupdate``)."""

import json

SHIPPED_SUBJECTS = {
    "mail_template_relance_standard_1": "{{ object.company_id.name }}: reminder of invoice(s) "
    "awaiting payment",
    "mail_template_relance_standard_2": "{{ object.company_id.name }}: second reminder, "
    "invoice(s) overdue",
    "mail_template_relance_five_2": "{{ object.company_id.name }}: invoice(s) awaiting payment",
    "mail_template_relance_five_3": "{{ object.company_id.name }}: second reminder, invoice(s) "
    "still unpaid",
    "mail_template_relance_courtesy": "{{ object.company_id.name }}: invoice(s) soon due",
}
KEY = "account_relance_fr.templates_to_update"


def migrate(cr, version):
    if not version:
        return
    unchanged = []
    for name, subject in SHIPPED_SUBJECTS.items():
        cr.execute(
            """
            SELECT 1
              FROM ir_model_data d
              JOIN mail_template t ON t.id = d.res_id
             WHERE d.module = 'account_relance_fr' AND d.name = %s
               AND d.model = 'mail.template' AND t.subject ->> 'en_US' = %s
            """,
            (name, subject),
        )
        if cr.fetchone():
            unchanged.append(name)
    cr.execute(
        """
        INSERT INTO ir_config_parameter (key, value, create_date, write_date)
             VALUES (%s, %s, now() at time zone 'UTC', now() at time zone 'UTC')
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
        """,
        (KEY, json.dumps(unchanged)),
    )
