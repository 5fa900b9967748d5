// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import { registry } from "@web/core/registry";

const card = (name) => `.o_kanban_record:contains(${name})`;

/**
 * The credit controller's morning, in French, on the demo data of the French company: the
 * board, the next step of a customer at the registered letter (the formal notice, for all
 * its overdue invoices), issued once; a call that records a promise; a customer's history
 * and statement of account.
 */
registry.category("web_tour.tours").add("relance_board_tour", {
    steps: () => [
        {
            content: "The board shows one card per customer, in the column of its step",
            trigger: ".o_kanban_view .o_kanban_group .o_kanban_record",
        },
        {
            content: "Each column shows its total",
            trigger: ".o_kanban_group .o_kanban_counter .o_animated_number",
        },
        {
            content: "Remind a customer at the registered letter",
            trigger: `${card("Boulangerie Martin SARL")} button[name=action_send_reminder]`,
            run: "click",
        },
        {
            content: "The dialog proposes its next step, the formal notice",
            trigger: ".modal .o_field_widget[name=channel]:contains(Mise en demeure)",
        },
        {
            content: "for all its overdue invoices",
            trigger: ".modal .o_field_widget[name=claim_ids] .o_data_row:nth-child(3)",
        },
        {
            content: "Its button prepares the formal notice",
            trigger: ".modal .modal-footer button[name=action_send]",
            run: "click",
        },
        {
            content: "The formal notice's dialog asks for the registered letter number",
            trigger: ".modal .o_field_widget[name=registered_number] input",
            run: "edit 1A 234 567 8901 2",
        },
        {
            content: "Generate it",
            trigger: ".modal .modal-footer button[name=action_generate]",
            run: "click",
        },
        {
            content: "The dialog closes once the letter is downloaded",
            trigger: "body:not(:has(.modal)) .o_kanban_view",
        },
        {
            content: "Log a call on another card",
            trigger: `${card("Atelier Durand SAS")} button[name=action_log_call]`,
            run: "click",
        },
        {
            content: "The call dialog proposes a promise to pay",
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
            content: "Open a customer's history",
            trigger: `${card("Transports Leroy")} button[name=action_open_partner]`,
            run: "click",
        },
        {
            content: "It opens on the Relances tab, with the history",
            trigger: ".o_notebook .nav-link.active[name=relance]",
        },
        {
            content: "The history lists the reminders and the calls",
            trigger: ".o_field_widget[name=relance_event_ids] .o_data_row",
        },
        {
            content: "Print the customer's statement of account",
            trigger: ".o_form_view button:contains(Relevé de compte)",
            run: "click",
        },
        {
            content: "Downloaded: the buttons, disabled while it was printed, are back",
            trigger: ".o_form_view button:contains(Relevé de compte):enabled",
        },
        {
            content: "Back to the board for its picture, once the statement is downloaded",
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
            content: "Open a customer's history from its card",
            trigger: `${card("Transports Leroy")} button[name=action_open_partner]`,
            run: "click",
        },
        {
            content: "The customer opens on its Relances tab",
            trigger: ".o_notebook .nav-link.active[name=relance]",
        },
        {
            content: "The open invoices with their ladder state and the history are shown",
            trigger: ".o_field_widget[name=relance_event_ids] .o_data_row",
        },
        {
            content: "Download the collection file: the screen waits while it is built",
            trigger: ".o_form_view button:contains(Dossier de recouvrement)",
            run: "click",
        },
        {
            content: "Downloaded: the buttons, disabled while the file was built, are back",
            trigger: ".o_form_view button:contains(Dossier de recouvrement):enabled",
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

/** From an overdue invoice: bill its penalties, through the dialog as the browser sends it. */
registry.category("web_tour.tours").add("relance_penalty_tour", {
    steps: () => [
        {
            content: "Bill the penalties of the invoice",
            trigger: ".o_form_view button[name=action_relance_bill_penalties]",
            run: "click",
        },
        {
            content: "The dialog lists the invoice with its interest and indemnity",
            trigger: ".modal .o_field_widget[name=line_ids] .o_data_row",
        },
        {
            content: "Create the penalty invoice",
            trigger: ".modal .modal-footer button[name=action_create_invoices]",
            run: "click",
        },
        {
            content: "The penalty invoice opens, with its lines",
            trigger: "body:not(:has(.modal)) .o_form_view .o_field_widget[name=invoice_line_ids] .o_data_row",
        },
    ],
});

/** The analyses of the morning: the days sales outstanding, month by month. */
registry.category("web_tour.tours").add("relance_dso_tour", {
    steps: () => [
        {
            content: "The DSO graph is shown",
            trigger: ".o_graph_view .o_graph_canvas_container canvas",
        },
        {
            content: "Switch to the list",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            content: "Twelve months, the current one included",
            trigger: ".o_list_view .o_data_row:nth-child(12)",
        },
    ],
});

/** The board in English: its columns and buttons say what they do. */
registry.category("web_tour.tours").add("relance_board_en_tour", {
    steps: () => [
        {
            content: "The customers not reminded yet have their column",
            trigger: ".o_kanban_group .o_column_title:contains(Not reminded yet)",
        },
        {
            content: "A card offers to remind the customer",
            trigger: `${card("Boulangerie Martin SARL")} button[name=action_send_reminder]:contains(Remind)`,
            run: "click",
        },
        {
            content: "The dialog proposes the formal notice",
            trigger: ".modal .o_field_widget[name=channel]:contains(Formal notice)",
        },
        {
            content: "Its button says so",
            trigger: ".modal .modal-footer button[name=action_send]:contains(Prepare the formal notice)",
        },
        {
            content: "Close the dialog",
            trigger: ".modal .modal-footer button.btn-secondary",
            run: "click",
        },
        {
            content: "The dialog is closed",
            trigger: "body:not(:has(.modal)) .o_kanban_view",
        },
    ],
});

/**
 * What the dialogs claim is what is owed now: the first instalment of an invoice paid in
 * two, not its balance to come; a disputed invoice is left out, with its reason.
 */
registry.category("web_tour.tours").add("relance_owed_tour", {
    steps: () => [
        {
            content: "Remind the customer whose invoice is paid in instalments",
            trigger: `${card("Garage Moreau SARL")} button[name=action_send_reminder]`,
            run: "click",
        },
        {
            content: "The dialog claims the first instalment only (30 % of 4,800.00)",
            trigger: ".modal .o_field_widget[name=claim_amount]:contains(440,00)",
        },
        {
            content: "Close the dialog",
            trigger: ".modal .modal-footer button.btn-secondary",
            run: "click",
        },
        {
            content: "Remind the customer with a disputed invoice",
            trigger: `body:not(:has(.modal)) ${card("Transports Leroy")} button[name=action_send_reminder]`,
            run: "click",
        },
        {
            content: "The disputed invoice is left out, with its reason",
            trigger: ".modal .o_field_widget[name=paused_line_ids] .o_data_row:contains(litige)",
        },
        {
            content: "Close the dialog",
            trigger: ".modal .modal-footer button.btn-secondary",
            run: "click",
        },
        {
            content: "Back on the board",
            trigger: "body:not(:has(.modal)) .o_kanban_view",
        },
    ],
});
