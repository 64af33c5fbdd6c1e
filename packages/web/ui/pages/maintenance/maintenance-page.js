// @ts-check
// Maintenance windows (#/maintenance): the active and scheduled ones (or all,
// stopped and past ones too) with who set them, why and until when; pem_admin
// members start them (maintenance-form.js) and stop them here.
import { Badge } from '../../components/badges.js';
import { errorText, getFleet } from '../../lib/api.js';
import { when } from '../../lib/format.js';
import { html, useEffect, useState } from '../../lib/html.js';
import { listMaintenance, stopMaintenance } from '../../lib/maintenance-api.js';
import { ADMINS_ONLY, MaintenanceForm } from './maintenance-form.js';
import { scheduleText, statusText } from './maintenance-text.js';

/** @typedef {import('../../lib/maintenance-api.js').MaintenanceWindow} MaintenanceWindow */
/** @typedef {import('../../lib/api.js').Fleet} Fleet */
/** @typedef {import('../../lib/api.js').Session} Session */

/** @type {Record<string, import('../../components/badges.js').Tone>} */
const TONE = { active: 'info', scheduled: 'ok', stopped: 'off', over: 'off' };

/** @param {{ session: Session }} props */
export function MaintenancePage({ session }) {
  const admin = session.role === 'admin';
  const [all, setAll] = useState(false);
  const [windows, setWindows] = useState(/** @type {MaintenanceWindow[] | undefined} */ (undefined));
  const [fleet, setFleet] = useState(/** @type {Fleet | undefined} */ (undefined));
  const [error, setError] = useState('');
  const load = () =>
    listMaintenance(all)
      .then((w) => {
        setWindows(w);
        setError('');
      })
      .catch((err) => setError(errorText(err)));
  useEffect(() => {
    load();
  }, [all]);
  useEffect(() => {
    if (admin)
      getFleet()
        .then(setFleet)
        .catch(() => {});
  }, [admin]);
  /** @param {number} id */
  const stop = async (id) => {
    try {
      await stopMaintenance(id);
    } catch (err) {
      setError(errorText(err, { forbidden: ADMINS_ONLY }));
    }
    load();
  };
  return html`<section id="maintenance-page">
    <h2>Maintenance windows</h2>
    <p class="muted">While a window covers a server or an agent, its alerts are evaluated and recorded but notify nobody.</p>
    <label class="check"><input type="checkbox" id="maintenance-all" checked=${all} onChange=${() => setAll(!all)} /> show stopped and past windows</label>
    <p class="error" id="maintenance-error" role="alert" hidden=${!error}>${error}</p>
    ${
      windows === undefined
        ? html`<p class="muted">Loading…</p>`
        : windows.length === 0
          ? html`<p class="muted" id="maintenance-none">No ${all ? '' : 'active or scheduled '}maintenance windows.</p>`
          : html`<table id="maintenance-table" class="data">
              <thead><tr><th>ID</th><th>Covers</th><th>Status</th><th>Schedule</th><th>Set by</th><th>Reason</th>${admin ? html`<th></th>` : ''}</tr></thead>
              <tbody>${windows.map(
                (w) => html`<tr key=${w.id} data-id=${w.id}>
                  <td class="num">${w.id}</td>
                  <td>${w.target}</td>
                  <td><${Badge} tone=${TONE[w.status]} text=${w.status} /> ${statusText(w)}</td>
                  <td>${scheduleText(w)}</td>
                  <td>${w.createdBy}, ${when(w.createdAt)}</td>
                  <td>${w.reason}</td>
                  ${
                    admin
                      ? html`<td>${
                          w.status === 'active' || w.status === 'scheduled'
                            ? html`<button type="button" class="maintenance-stop" data-id=${w.id} onClick=${() => stop(w.id)}>Stop</button>`
                            : ''
                        }</td>`
                      : ''
                  }
                </tr>`,
              )}</tbody></table>`
    }
    ${admin ? html`<${MaintenanceForm} fleet=${fleet} onStarted=${load} />` : ''}
  </section>`;
}
