// @ts-check
// A server's sessions (issue 17, PEM's "Session Activity"): every backend
// the server's agent reads from pg_stat_activity when asked (the web never
// connects to monitored servers; GET /api/servers/:id/sessions answers
// within 2 s, or says the agent did not), with user, database,
// application, client, state, wait event, transaction and query age and
// the query text; who blocks whom as a tree; for administrators, cancel
// and terminate with a reason, and the record of those done.
import { Badge } from '../../components/badges.js';
import { StatusBar } from '../../components/status-bar.js';
import { Table } from '../../components/table.js';
import { errorText, getServer, getSessionSignals, getSessions, signalSession } from '../../lib/api.js';
import { duration, when } from '../../lib/format.js';
import { html, useState } from '../../lib/html.js';
import { isGone, usePoll } from '../../lib/poll.js';
import { href } from '../../lib/route.js';
import { NotFoundPage } from '../not-found/not-found-page.js';
import { blockingTree } from './blocking-tree.js';

/** @typedef {import('../../lib/api.js').LiveSession} LiveSession */
/** @typedef {import('../../lib/api.js').Preferences} Preferences */
/** @typedef {import('../../lib/api.js').Session} Session */

/** Sessions are live: refreshed at least this often, seconds. */
const LIVE_REFRESH_S = 5;

/** @param {number} id */
async function loadSessions(id) {
  const [detail, live, signals] = await Promise.all([getServer(id), getSessions(id), getSessionSignals(id)]);
  return { detail, live, signals };
}

/** @param {string | null} state @returns {import('../../components/badges.js').Tone} */
function stateTone(state) {
  if (state === 'active') return 'ok';
  if (state?.startsWith('idle in transaction')) return 'warn';
  if (state === 'idle') return 'off';
  return 'info';
}

/** @param {LiveSession} s */
const wait = (s) => (s.waitEventType ? `${s.waitEventType}: ${s.waitEvent ?? ''}` : '');

/** @param {number | null} s */
const age = (s) => (s === null ? '' : duration(s));

/**
 * Cancel / terminate of one backend: asks for a reason, then the server.
 * @param {{ serverId: number, pid: number, onDone: (text: string, ok: boolean) => void }} props
 */
function SignalControls({ serverId, pid, onDone }) {
  const [action, setAction] = useState(/** @type {'cancel' | 'terminate' | null} */ (null));
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  if (!action)
    return html`<span class="signal-actions">
      <button type="button" class="small" data-action="cancel" onClick=${() => setAction('cancel')}>Cancel</button>
      <button type="button" class="small danger" data-action="terminate" onClick=${() => setAction('terminate')}>Terminate</button>
    </span>`;
  /** @param {Event} e */
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    try {
      const r = await signalSession(serverId, pid, action, reason);
      onDone(
        r.signalled
          ? `${action === 'cancel' ? 'Cancelled the query of' : 'Terminated'} backend ${pid} (recorded).`
          : `Backend ${pid}: ${r.message ?? r.outcome} (recorded).`,
        r.signalled,
      );
      setAction(null);
      setReason('');
    } catch (err) {
      onDone(
        errorText(err, { forbidden: 'Only administrators (pem_admin) may cancel or terminate.' }),
        false,
      );
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="signal-form" data-pid=${pid} onSubmit=${submit}>
    <input name="reason" required maxlength="500" placeholder=${`Why ${action} ${pid}?`} aria-label="Reason"
      value=${reason} onInput=${(/** @type {any} */ e) => setReason(e.currentTarget.value)} />
    <button type="submit" class=${action === 'terminate' ? 'small danger' : 'small'} disabled=${busy || reason.trim() === ''}>${action === 'cancel' ? 'Cancel query' : 'Terminate'}</button>
    <button type="button" class="small" onClick=${() => setAction(null)}>Back</button>
  </form>`;
}

/**
 * One node of the blocking tree and the sessions it blocks.
 * @param {{ node: import('./blocking-tree.js').BlockNode<LiveSession> }} props
 */
function BlockNode({ node }) {
  const s = node.session;
  return html`<li data-pid=${s.pid}>
    <span class="pid">${s.pid}</span> ${s.user ?? ''}@${s.database ?? ''}
    <${Badge} tone=${stateTone(s.state)} text=${s.state ?? s.backendType ?? '?'} />
    ${s.waitEventType ? html` <span class="muted">waits on ${wait(s)}</span>` : ''}
    ${s.xactAgeS !== null ? html` <span class="muted">· transaction ${age(s.xactAgeS)}</span>` : ''}
    <code class="query">${s.query ?? ''}</code>
    ${node.blocks.length > 0 ? html`<ul>${node.blocks.map((n) => html`<${BlockNode} key=${n.session.pid} node=${n} />`)}</ul>` : ''}
  </li>`;
}

/**
 * The sessions page of server `id`.
 * @param {{ id: number, prefs: Preferences, session: Session }} props
 */
export function SessionsPage({ id, prefs, session }) {
  const intervalS = Math.min(prefs.refreshIntervalS || LIVE_REFRESH_S, LIVE_REFRESH_S);
  const poll = usePoll(() => loadSessions(id), `sessions|${id}`, intervalS);
  const [all, setAll] = useState(false);
  const [notice, setNotice] = useState(/** @type {{ text: string, ok: boolean } | null} */ (null));
  const d = poll.data;
  if (!d && isGone(poll.error))
    return html`<${NotFoundPage} what=${`server ${id}`} why=${poll.error instanceof Error ? poll.error.message : ''} />`;
  const admin = session.role === 'admin';
  const sessions = d?.live.sessions ?? [];
  const shown = all ? sessions : sessions.filter((s) => s.backendType === 'client backend');
  const tree = blockingTree(sessions);
  /** @param {string} text @param {boolean} ok */
  const onDone = (text, ok) => {
    setNotice({ text, ok });
    poll.reload();
  };
  return html`<section id="sessions-view" data-server-id=${id}>
    <${StatusBar} poll=${poll} intervalS=${intervalS} />
    <div class="page-head">
      <h2 id="sessions-title">Sessions of <a href=${href.server(id)}>${d ? d.detail.name : `server ${id}`}</a>
        ${d?.live.available ? html` <span class="count">${shown.length} of ${sessions.length} backends · read ${when(d.live.readAt)} by agent ${d.live.agentId}</span>` : ''}</h2>
      <div class="tools">
        <label><input type="checkbox" id="sessions-all" checked=${all} onChange=${() => setAll(!all)} /> background processes too</label>
      </div>
    </div>
    ${
      d && !d.live.available
        ? html`<p class="banner" id="sessions-unavailable" data-tone=${d.live.agentDown ? 'bad' : 'warn'} role="status">
            ${d.live.agentDown ? 'The agent is down: ' : 'No answer from the agent: '}${d.live.message}</p>`
        : ''
    }
    ${notice ? html`<p class="banner" id="signal-notice" data-tone=${notice.ok ? 'ok' : 'bad'} role="status">${notice.text}</p>` : ''}
    ${
      !d
        ? html`<p class="muted">Loading…</p>`
        : html`
          <h3>Blocking</h3>
          ${
            tree.length === 0
              ? html`<p class="no-data" id="blocking-none">No session waits for another's lock.</p>`
              : html`<ul class="blocking-tree" id="blocking-tree">${tree.map((n) => html`<${BlockNode} key=${n.session.pid} node=${n} />`)}</ul>`
          }
          <h3>Backends</h3>
          <${Table} id="sessions-table" class="sessions" head=${['PID', 'User', 'Database', 'Application', 'Client', 'State', 'Wait', 'Transaction', 'Query age', 'Blocked by', 'Query', ...(admin ? [''] : [])]}>${shown.map(
            (s) => html`<tr key=${s.pid} data-pid=${s.pid} data-state=${s.state ?? ''}>
              <td class="num">${s.pid}</td>
              <td>${s.user ?? ''}</td>
              <td>${s.database ?? ''}</td>
              <td class="wrap">${s.application ?? ''}</td>
              <td>${s.clientAddr ?? (s.backendType === 'client backend' ? 'local' : '')}</td>
              <td><${Badge} tone=${stateTone(s.state)} text=${s.state ?? s.backendType ?? ''} /></td>
              <td class="wait">${wait(s)}</td>
              <td class="num">${age(s.xactAgeS)}</td>
              <td class="num">${s.state === 'active' ? age(s.queryAgeS) : ''}</td>
              <td class="num blocked-by">${s.blockedBy.join(', ')}</td>
              <td class="wrap query-cell"><code class="query">${s.query ?? ''}</code></td>
              ${admin ? html`<td>${s.backendType === 'client backend' ? html`<${SignalControls} serverId=${id} pid=${s.pid} onDone=${onDone} />` : ''}</td>` : ''}
            </tr>`,
          )}</${Table}>
          <h3>Cancelled and terminated</h3>
          ${
            d.signals.length === 0
              ? html`<p class="no-data">Nobody cancelled or terminated a backend of this server through Pharos.</p>`
              : html`<${Table} id="session-signals" head=${['When', 'Who', 'What', 'PID', 'Why', 'Outcome']}>${d.signals.map(
                  (r) => html`<tr key=${r.id} data-pid=${r.pid} data-outcome=${r.outcome}>
                    <td>${when(r.requestedAt)}</td><td>${r.requestedBy}</td><td>${r.action}</td>
                    <td class="num">${r.pid}</td><td class="wrap">${r.reason}</td>
                    <td class="wrap">${r.outcome}${r.detail ? html` <span class="muted">${r.detail}</span>` : ''}</td>
                  </tr>`,
                )}</${Table}>`
          }
          <p class="muted">Other roles' query texts need pg_read_all_stats (in pg_monitor); cancel and terminate need
            pg_signal_backend for the monitoring role (docs/monitoring-a-server.md).</p>`
    }
  </section>`;
}
