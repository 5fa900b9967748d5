// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import { registry } from "@web/core/registry";

/** A customer in its portal: its unpaid invoices and reminders; it disputes one. */
registry.category("web_tour.tours").add("relance_portal_tour", {
    steps: () => [
        {
            content: "The portal's home offers the unpaid invoices and reminders",
            trigger: "a[href='/my/relances']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Its unpaid invoice, with the letter it received",
            trigger: ".o_relance_portal_invoice",
        },
        {
            content: "The letters it received can be downloaded",
            trigger: ".o_relance_portal_letters a",
        },
        {
            content: "Say why it disputes the invoice",
            trigger: ".o_relance_portal_dispute input[name=reason]",
            run: "edit Prix non conforme au devis",
        },
        {
            content: "Send the dispute",
            trigger: ".o_relance_portal_dispute button[type=submit]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The dispute reached the company",
            trigger: ".o_relance_portal_message",
        },
    ],
});
