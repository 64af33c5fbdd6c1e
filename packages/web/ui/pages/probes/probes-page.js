// @ts-check
// Probes (docs/custom-probes.md): the custom probes with their SQL, columns,
// interval and where they run, and how many probes are built in. A pem_admin
// defines, changes (probe-form.js) and removes custom probes; a pem_user sees
// the list only.
import { StatusBar } from '../../components/status-bar.js';
import { Table } from '../../components/table.js';
import { errorText } from '../../lib/api.js';
import { html, useEffect, useState } from '../../lib/html.js';
import { usePoll } from '../../lib/poll.js';
import { listProbes, listServers, removeProbe } from '../../lib/probes-api.js';
import { ProbeForm } from './probe-form.js';

/** @typedef {import('../../lib/probes-api.js').ProbeDefinition} ProbeDefinition */

const HEAD = ['Name', 'Level', 'Columns', 'Interval', 'Runs on', 'Where', 'Changed by', ''];

/** @param {ProbeDefinition} p */
const whereOf = (p) =>
  p.runTag
    ? `servers tagged ${p.runTag}`
    : p.runServerIds
      ? `servers ${p.runServerIds.join(', ')}`
      : 'every server';

/**
 * The probes page.
 * @param {{ prefs: import('../../lib/api.js').Preferences, session: import('../../lib/api.js').Session }} props
 */
export function ProbesPage({ prefs, session }) {
  const isAdmin = session.role === 'admin';
  const poll = usePoll(() => listProbes(), 'probes', prefs.refreshIntervalS);
  const [editing, setEditing] = useState(/** @type {ProbeDefinition | 'new' | undefined} */ (undefined));
  const [servers, setServers] = useState(/** @type {{ id: number, displayName: string }[]} */ ([]));
  const [confirm, setConfirm] = useState('');
  const [note, setNote] = useState('');
  useEffect(() => {
    if (isAdmin)
      listServers()
        .then(setServers)
        .catch(() => {});
  }, [isAdmin]);
  const all = poll.data ?? [];
  const custom = all.filter((p) => p.custom);
  /** @param {string} name */
  const remove = async (name) => {
    if (confirm !== name) return setConfirm(name);
    setConfirm('');
    try {
      await removeProbe(name);
      setNote(`Removed ${name}`);
      poll.reload();
    } catch (err) {
      setNote(errorText(err, { forbidden: 'Only pem_admin members remove probes.' }));
    }
  };
  return html`<section id="probes-view">
    <${StatusBar} poll=${poll} intervalS=${prefs.refreshIntervalS} />
    <div class="page-head">
      <h2>Custom probes <span class="count">(${custom.length}; ${all.length - custom.length} built in)</span></h2>
      ${isAdmin && !editing ? html`<button type="button" id="probe-new" onClick=${() => setEditing('new')}>New probe</button>` : ''}
    </div>
    <p class="muted">Custom probes run on the agents with the monitoring role's rights only (read-only, with a statement timeout); their data is stored, charted and alertable like a built-in probe's.</p>
    ${note ? html`<p id="probes-note" role="status">${note}</p>` : ''}
    ${
      editing
        ? html`<${ProbeForm} probe=${editing === 'new' ? undefined : editing} servers=${servers}
            onSaved=${(/** @type {string} */ name) => {
              setEditing(undefined);
              setNote(`Saved ${name}: the agents run it from their next interval.`);
              poll.reload();
            }}
            onCancel=${() => setEditing(undefined)} />`
        : ''
    }
    ${
      !poll.data
        ? html`<p class="muted">Loading…</p>`
        : custom.length === 0
          ? html`<p class="muted" id="no-custom-probes">No custom probe defined.</p>`
          : html`<${Table} id="probes" head=${HEAD}>${custom.map(
              (p) => html`<tr key=${p.name} data-name=${p.name}>
                <td><strong>${p.name}</strong><div class="muted">${p.description}</div></td>
                <td>${p.level}</td>
                <td>${p.columns.map((c) => `${c.name} (${c.type}, ${c.unit}${c.counter ? ', counter' : ''})`).join(', ')}</td>
                <td>${p.intervalS} s</td>
                <td>${p.runsOn}</td>
                <td>${whereOf(p)}</td>
                <td>${p.updatedBy ?? ''}</td>
                <td>${
                  isAdmin
                    ? html`<button type="button" class="probe-edit" onClick=${() => setEditing(p)}>Change</button>
                      <button type="button" class="probe-remove" onClick=${() => remove(p.name)}>${confirm === p.name ? 'Confirm removal' : 'Remove'}</button>`
                    : ''
                }</td>
              </tr>`,
            )}</${Table}>`
    }
  </section>`;
}
