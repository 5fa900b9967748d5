/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import { _t } from "@web/core/l10n/translation";
import { ConfirmationDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { kanbanView } from "@web/views/kanban/kanban_view";
import { KanbanRenderer } from "@web/views/kanban/kanban_renderer";

/**
 * The dunning board: a card dropped on another step's column is never moved silently.
 * The user confirms, then the server performs that step of the customer's own ladder for
 * its overdue invoices and records who did it and which steps were skipped.
 */
export class RelanceBoardKanbanRenderer extends KanbanRenderer {
    setup() {
        super.setup();
        this.orm = useService("orm");
        this.dialog = useService("dialog");
    }

    get canMoveRecords() {
        return this.canResequenceRecords && this.props.list.groupByField?.name === "step";
    }

    async sortRecordDrop(dataRecordId, dataGroupId, { parent }) {
        parent?.classList.remove("o_kanban_hover");
        const targetGroupId = parent?.dataset.id;
        const list = this.props.list;
        if (!targetGroupId || targetGroupId === dataGroupId) {
            return;
        }
        const group = list.groups.find((g) => g.id === targetGroupId);
        const source = list.groups.find((g) => g.id === dataGroupId);
        const record = source?.list.records.find((r) => r.id === dataRecordId);
        if (!group?.value || !record) {
            await list.model.load();
            return;
        }
        this.dialog.add(ConfirmationDialog, {
            title: _t("Move to %s", group.displayName),
            body: _t(
                "The overdue invoices of %s that have not reached this level will be dunned " +
                    "at this level now, in your name. Skipped steps are recorded in the history.",
                record.data.partner_id?.display_name || ""
            ),
            confirmLabel: _t("Confirm"),
            confirm: async () => {
                await this.orm.call("account.relance.board", "action_move_to_step", [
                    [record.resId],
                    group.value,
                ]);
                await list.model.load();
            },
            cancel: async () => {
                await list.model.load();
            },
        });
    }
}

export const relanceBoardKanbanView = {
    ...kanbanView,
    Renderer: RelanceBoardKanbanRenderer,
};

registry.category("views").add("relance_board_kanban", relanceBoardKanbanView);
