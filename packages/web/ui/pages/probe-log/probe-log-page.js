// @ts-check
// Probe log: recent probe failures, newest first (pem.probe_log).
import { StatusBar } from '../../components/status-bar.js';
import { Table } from '../../components/table.js';
import { getProbeLog } from '../../lib/api.js';
import { when } from '../../lib/format.js';
import { html } from '../../lib/html.js';
import { usePoll } from '../../lib/poll.js';
import { href } from '../../lib/route.js';

const HEAD = ['Failed at', 'Agent', 'Server', 'Probe', 'Object', 'Error'];

/**
 * The probe log page.
 * @param {{ prefs: import('../../lib/api.js').Preferences }} props
 */
export function ProbeLogPage({ prefs }) {
  const poll = usePoll(() => getProbeLog({ limit: 200 }), 'probe-log', prefs.refreshIntervalS);
  const d = poll.data;
  return html`<section id="probe-log-view">
    <${StatusBar} poll=${poll} intervalS=${prefs.refreshIntervalS} />
    <h2>Probe log <span class="count">(recent failures, newest first)</span></h2>
    ${
      !d
        ? html`<p class="muted">Loading…</p>`
        : d.failures.length === 0
          ? html`<p class="muted" id="no-failures">No probe failure recorded.</p>`
          : html`<${Table} id="probe-log" head=${HEAD}>${d.failures.map(
              (f) => html`<tr key=${f.id} data-id=${f.id}>
                  <td>${when(f.failedAt)}</td>
                  <td>${f.agentName ?? f.agentId}</td>
                  <td>${f.serverId === null ? 'host' : html`<a href=${href.server(f.serverId)}>${f.serverName ?? f.serverId}</a>`}</td>
                  <td>${f.probe}</td>
                  <td>${f.object}</td>
                  <td class="wrap">${f.error}</td>
                </tr>`,
            )}</${Table}>`
    }
  </section>`;
}
