/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { kanbanView } from "@web/views/kanban/kanban_view";
import { KanbanRenderer } from "@web/views/kanban/kanban_renderer";

/**
 * The dunning board: a card dropped on another step's column is never moved silently. The
 * reminder dialog opens at that step of the customer's own ladder: it previews what the
 * step claims, lists the paused invoices left out, and the step is performed, in the
 * user's name with the steps skipped recorded, only when the user confirms it there.
 */
export class RelanceBoardKanbanRenderer extends KanbanRenderer {
    setup() {
        super.setup();
        this.orm = useService("orm");
        this.action = useService("action");
    }

    get canMoveRecords() {
        return this.canResequenceRecords && this.props.list.groupByField?.name === "step";
    }

    async sortRecordDrop(dataRecordId, dataGroupId, { parent }) {
        parent?.classList.remove("o_kanban_hover");
        const targetGroupId = parent?.dataset.id;
        const list = this.props.list;
        const group = list.groups.find((g) => g.id === targetGroupId);
        const source = list.groups.find((g) => g.id === dataGroupId);
        const record = source?.list.records.find((r) => r.id === dataRecordId);
        if (!targetGroupId || targetGroupId === dataGroupId || !group?.value || !record) {
            await list.model.load();
            return;
        }
        const dialog = await this.orm.call("account.relance.board", "action_move_to_step", [
            [record.resId],
            group.value,
        ]);
        await this.action.doAction(dialog, { onClose: () => list.model.load() });
        await list.model.load();
    }
}

export const relanceBoardKanbanView = {
    ...kanbanView,
    Renderer: RelanceBoardKanbanRenderer,
};

registry.category("views").add("relance_board_kanban", relanceBoardKanbanView);
