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

/**
 * In French, from the board: a payment plan for a customer's overdue invoices, in four
 * monthly instalments; started, it pauses the ladder.
 */
registry.category("web_tour.tours").add("relance_plan_tour", {
    steps: () => [
        {
            content: "Agree a payment plan from a customer's card",
            trigger: `${card("Atelier Durand SAS")} button[name=action_payment_plan]`,
            run: "click",
        },
        {
            content: "Open the plan's invoices",
            trigger: ".o_form_view .o_notebook .nav-link[name=invoices]",
            run: "click",
        },
        {
            content: "The plan proposes the customer's overdue invoices",
            trigger: ".o_form_view .o_field_widget[name=move_ids] .o_data_row:nth-child(4)",
        },
        {
            content: "Four instalments",
            trigger: ".o_form_view .o_field_widget[name=instalment_count] input",
            run: "edit 4",
        },
        {
            content: "Compute the schedule",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_compute_schedule]",
            run: "click",
        },
        {
            content: "Open the schedule",
            trigger: ".o_notebook .nav-link[name=schedule]",
            run: "click",
        },
        {
            content: "Four dated instalments",
            trigger: ".o_field_widget[name=line_ids] .o_data_row:nth-child(4)",
        },
        {
            content: "Start the plan",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_activate]",
            run: "click",
        },
        {
            content: "The plan runs",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains(En cours)",
        },
        {
            content: "Its document can be printed",
            trigger: ".o_form_view .o_statusbar_buttons button:contains(Imprimer l'échéancier)",
        },
    ],
});

/**
 * In French, from the customer: a redressement judiciaire recorded with its judgment and
 * its BODACC publication; the deadline of the declaration of claim follows (R622-24).
 */
registry.category("web_tour.tours").add("relance_insolvency_tour", {
    steps: () => [
        {
            content: "Open the customer's Relances tab",
            trigger: ".o_notebook .nav-link[name=relance]",
            run: "click",
        },
        {
            content: "Record insolvency proceedings",
            trigger: ".o_form_view button[name=action_relance_insolvency]",
            run: "click",
        },
        {
            content: "Open the kinds of proceedings",
            trigger: ".o_field_widget[name=kind] input",
            run: "click",
        },
        {
            content: "A redressement judiciaire",
            trigger: ".o_select_menu_item:contains(Redressement judiciaire)",
            run: "click",
        },
        {
            content: "Its judgment",
            trigger: ".o_field_widget[name=judgment_date] input",
            run: "edit 02/11/2026",
        },
        {
            content: "Its publication in the BODACC",
            trigger: ".o_field_widget[name=bodacc_date] input",
            run: "edit 12/11/2026",
        },
        {
            content: "The court",
            trigger: ".o_field_widget[name=court] input",
            run: "edit Tribunal de commerce de Lyon",
        },
        {
            content: "The claim is to be declared within two months of the publication",
            trigger: ".o_field_widget[name=declaration_deadline]:contains(12 janv. 2027)",
        },
        {
            content: "The claim: the invoices dated before the judgment",
            trigger: ".o_field_widget[name=move_ids] .o_data_row",
        },
        {
            content: "Save",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Saved: the declaration of claim can be printed",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_print_declaration]",
        },
    ],
});
