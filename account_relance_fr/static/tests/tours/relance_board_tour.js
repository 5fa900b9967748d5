// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import { registry } from "@web/core/registry";

const card = (name) => `.o_kanban_record:contains(${name})`;

registry.category("web_tour.tours").add("relance_board_tour", {
    steps: () => [
        {
            content: "The board shows the customers in the column of their highest level",
            trigger: ".o_kanban_view .o_kanban_group .o_kanban_record",
        },
        {
            content: "Log a call on a card",
            trigger: `${card("Atelier Durand SAS")} button[name=action_log_call]`,
            run: "click",
        },
        {
            content: "The call wizard proposes a promise to pay",
            trigger: ".modal .o_field_widget[name=outcome] input[data-value=promise]:checked",
        },
        {
            content: "Note what the customer said",
            trigger: ".modal .o_field_widget[name=note] textarea",
            run: "edit Virement promis pour la semaine prochaine",
        },
        {
            content: "Log the call",
            trigger: ".modal button[name=action_log]",
            run: "click",
        },
        {
            content: "The card is now paused by the promise",
            trigger: `${card("Atelier Durand SAS")} .o_relance_promise`,
        },
        {
            content: "Send a reminder now from another card",
            trigger: `${card("Boulangerie Martin SARL")} button[name=action_send_reminder]`,
            run: "click",
        },
        {
            content: "The preview shows the invoices to remind",
            trigger: ".modal .o_field_widget[name=body]:contains(FAC/)",
        },
        {
            content: "Send it",
            trigger: ".modal button[name=action_send]",
            run: "click",
        },
        {
            content: "The dunning action is recorded with its email",
            trigger: ".o_form_view .o_field_widget[name=partner_id]:contains(Boulangerie Martin SARL)",
        },
        {
            content: "Back to the board",
            trigger: ".o_breadcrumb .breadcrumb-item a",
            run: "click",
        },
        {
            content: "Open the customer's history",
            trigger: `${card("Transports Leroy")} button[name=action_open_partner]`,
            run: "click",
        },
        {
            content: "Open the dunning tab",
            trigger: ".o_notebook .nav-link[name=relance]",
            run: "click",
        },
        {
            content: "The history lists the reminders sent",
            trigger: ".o_field_widget[name=relance_event_ids] .o_data_row",
        },
        {
            content: "Back to the board for its picture",
            trigger: ".o_breadcrumb .breadcrumb-item a",
            run: "click",
        },
        {
            content: "The board is displayed, from its first column",
            trigger: `${card("Atelier Durand SAS")} .o_relance_promise`,
            run() {
                for (const el of document.querySelectorAll(".o_content, .o_kanban_renderer")) {
                    el.scrollLeft = 0;
                }
            },
        },
    ],
});

registry.category("web_tour.tours").add("relance_partner_history_tour", {
    steps: () => [
        {
            content: "Open the dunning tab of the customer",
            trigger: ".o_notebook .nav-link[name=relance]",
            run: "click",
        },
        {
            content: "The open invoices with their ladder state and the history are shown",
            trigger: ".o_field_widget[name=relance_event_ids] .o_data_row",
        },
        {
            content: "The payment behaviour badge is shown",
            trigger: ".o_field_widget[name=relance_payer_badge]",
            run() {
                document
                    .querySelector(".o_field_widget[name=relance_open_invoice_ids]")
                    .scrollIntoView({ block: "start" });
            },
        },
    ],
});
