// @ts-check
// Problems of the alerting system, newest first (pem.alerting_problems):
// template queries that failed or timed out, thresholds out of order, and
// delivery attempts that failed (refused, timed out, answered an error).
import { Badge } from '../../../components/badges.js';
import { StatusBar } from '../../../components/status-bar.js';
import { Table } from '../../../components/table.js';
import { listAlertingProblems } from '../../../lib/alert-admin-api.js';
import { when } from '../../../lib/format.js';
import { html } from '../../../lib/html.js';
import { usePoll } from '../../../lib/poll.js';
import { href } from '../../../lib/route.js';

/** Kind -> [text, tone]. @type {Record<string, [string, import('../../../components/badges.js').Tone]>} */
const KIND = {
  template_error: ['template SQL failed', 'bad'],
  timeout: ['timed out', 'bad'],
  thresholds: ['thresholds out of order', 'warn'],
  delivery_retry: ['delivery attempt failed', 'warn'],
  delivery_failed: ['delivery failed', 'bad'],
};

const HEAD = ['At', 'Kind', 'About', 'Alert', 'Message', 'Agent'];

/**
 * The Problems tab.
 * @param {{ prefs: import('../../../lib/api.js').Preferences }} props
 */
export function ProblemsPage({ prefs }) {
  const poll = usePoll(() => listAlertingProblems(200), 'alerting-problems', prefs.refreshIntervalS);
  const d = poll.data;
  return html`<section id="problems-view">
    <${StatusBar} poll=${poll} intervalS=${prefs.refreshIntervalS} />
    <h2>Problems <span class="count">(evaluation and delivery problems, newest first)</span></h2>
    ${
      !d
        ? html`<p class="muted">Loading…</p>`
        : d.length === 0
          ? html`<p class="muted" id="no-problems">No problem recorded.</p>`
          : html`<${Table} id="alerting-problems" head=${HEAD}>${d.map((p, i) => {
              const [text, tone] = KIND[p.kind] ?? [p.kind, 'off'];
              return html`<tr key=${`${p.source}-${p.at}-${i}`} data-kind=${p.kind}>
                  <td>${when(p.at)}</td>
                  <td><${Badge} tone=${tone} text=${text} /></td>
                  <td>${p.outbox_id ? html`<a href=${href.deliveries()}>${p.subject}</a>` : p.subject}</td>
                  <td>${p.alert_id ? html`<a href=${href.alert(p.alert_id)}>#${p.alert_id}</a>` : ''}</td>
                  <td class="wrap">${p.message}</td>
                  <td>${p.agent_id ?? ''}</td>
                </tr>`;
            })}</${Table}>`
    }
  </section>`;
}
