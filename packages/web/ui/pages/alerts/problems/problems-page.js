// Problems of the alerting system, newest first (pem.alerting_problems):
// template queries that failed or timed out, thresholds out of order, and
// delivery attempts that failed (refused, timed out, answered an error).

import { StatusBar } from '../../../components/status-bar.js';
import { listAlertingProblems } from '../../../lib/alert-admin-api.js';
import { html } from '../../../lib/html.js';
import { usePoll } from '../../../lib/poll.js';
import { when } from '../alert-ui.js';

const KIND = {
  template_error: ['template SQL failed', 'bad'],
  timeout: ['timed out', 'bad'],
  thresholds: ['thresholds out of order', 'warn'],
  delivery_retry: ['delivery attempt failed', 'warn'],
  delivery_failed: ['delivery failed', 'bad'],
};

/** The problems page. */
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
          : html`<div class="table-wrap"><table id="alerting-problems">
              <thead><tr><th>At</th><th>Kind</th><th>About</th><th>Alert</th><th>Message</th><th>Agent</th></tr></thead>
              <tbody>${d.map((p, i) => {
                const [text, tone] = KIND[p.kind] ?? [p.kind, 'off'];
                return html`<tr key=${`${p.source}-${p.at}-${i}`} data-kind=${p.kind}>
                  <td>${when(p.at)}</td>
                  <td><span class=${`badge status-${tone}`}>${text}</span></td>
                  <td>${p.outbox_id ? html`<a href=${`#/alerts/deliveries`}>${p.subject}</a>` : p.subject}</td>
                  <td>${p.alert_id ? html`<a href=${`#/alerts/${p.alert_id}`}>#${p.alert_id}</a>` : ''}</td>
                  <td class="wrap">${p.message}</td>
                  <td>${p.agent_id ?? ''}</td>
                </tr>`;
              })}</tbody>
            </table></div>`
    }
  </section>`;
}
