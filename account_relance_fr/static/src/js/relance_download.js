/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import { _t } from "@web/core/l10n/translation";
import { download } from "@web/core/network/download";
import { registry } from "@web/core/registry";

/**
 * Download a file the server builds slowly (the collection file renders a PDF per
 * document): the screen says so and waits for it, instead of a silent download.
 */
async function relanceDownload(env, action) {
    const { url, data, message } = action.params;
    env.services.ui.block({ message: message || _t("Preparing the file…"), delay: 0 });
    try {
        await download({ url, data: data || {} });
    } finally {
        env.services.ui.unblock();
    }
}

registry.category("actions").add("account_relance_fr.download", relanceDownload);
