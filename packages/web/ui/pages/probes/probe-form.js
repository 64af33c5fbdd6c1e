// @ts-check
// The form that defines or changes a custom probe (docs/custom-probes.md):
// name, level, SQL per PostgreSQL major, columns ("name type unit [counter]"
// one a line), object column, interval, statement timeout, role, where it
// runs, and the server whose agent checks it. "Check" runs it there and
// shows the rows; "Save" checks and stores. A field the API refuses shows its
// message next to it; a failed check shows PostgreSQL's message under the
// SQL text that ran, with the line and a caret at the error's position (the
// text's cursor is put there too).
import { errorsOf, FieldError, FormResult, fieldSetter, parseNumber } from '../../components/form-fields.js';
import { html, useState } from '../../lib/html.js';
import { checkProbe, saveProbe } from '../../lib/probes-api.js';

/** @typedef {import('../../lib/probes-api.js').ProbeDefinition} ProbeDefinition */
/** @typedef {import('../../lib/probes-api.js').ProbeCheck} ProbeCheck */
/** @typedef {import('../../components/form-fields.js').FormErrors} FormErrors */
/**
 * The form's values (strings for inputs); `sql` one text per major key.
 * @typedef {{
 *   name: string, level: 'server' | 'database', description: string, sql: [string, string][],
 *   columns: string, objectColumn: string, intervalS: string, timeoutMs: string,
 *   runsOn: 'both' | 'primary' | 'standby', where: 'all' | 'tag' | 'servers', runTag: string,
 *   runServerIds: string, checkServerId: string, checkDatabase: string,
 * }} Values
 */

const P = 'probe';

/**
 * @param {ProbeDefinition | undefined} p
 * @param {number | undefined} firstServer
 * @returns {Values}
 */
function valuesOf(p, firstServer) {
  return {
    name: p?.name ?? 'custom_',
    level: p?.level === 'database' ? 'database' : 'server',
    description: p?.description ?? '',
    sql: p?.sql ? Object.entries(p.sql) : [['13', '']],
    columns: (p?.columns ?? [])
      .map((c) => `${c.name} ${c.type} ${c.unit}${c.counter ? ' counter' : ''}`)
      .join('\n'),
    objectColumn: p?.objectColumn ?? '',
    intervalS: String(p?.intervalS ?? 60),
    timeoutMs: String(p?.timeoutMs ?? 5000),
    runsOn: p?.runsOn === 'primary' || p?.runsOn === 'standby' ? p.runsOn : 'both',
    where: p?.runTag ? 'tag' : p?.runServerIds ? 'servers' : 'all',
    runTag: p?.runTag ?? '',
    runServerIds: (p?.runServerIds ?? []).join(', '),
    checkServerId: firstServer === undefined ? '' : String(firstServer),
    checkDatabase: '',
  };
}

/**
 * Columns from lines "name type unit [counter]": {columns} or {error}.
 * @param {string} text
 */
export function parseColumns(text) {
  /** @type {{ name: string, type: string, unit: string, counter?: boolean }[]} */
  const columns = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const words = (lines[i] ?? '').trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) continue;
    if (words.length < 3 || words.length > 4 || (words.length === 4 && words[3] !== 'counter'))
      return { error: `line ${i + 1}: write "name type unit", and "counter" for a cumulative counter` };
    columns.push({
      name: words[0] ?? '',
      type: words[1] ?? '',
      unit: words[2] ?? '',
      ...(words[3] ? { counter: true } : {}),
    });
  }
  return { columns };
}

/**
 * The request body of the form's values, or the input errors found before sending.
 * @param {Values} v
 */
function bodyOf(v) {
  /** @type {FormErrors} */
  const errors = {};
  /** @type {Record<string, unknown>} */
  const body = {
    name: v.name.trim(),
    level: v.level,
    description: v.description,
    sql: Object.fromEntries(v.sql.map(([k, t]) => [k.trim(), t])),
    objectColumn: v.objectColumn.trim() === '' ? null : v.objectColumn.trim(),
    runsOn: v.runsOn,
    runTag: v.where === 'tag' ? v.runTag.trim() : null,
    runServerIds: null,
  };
  const c = parseColumns(v.columns);
  if (c.error !== undefined) errors.columns = c.error;
  else body.columns = c.columns;
  for (const k of /** @type {const} */ (['intervalS', 'timeoutMs', 'checkServerId'])) {
    const n = parseNumber(v[k]);
    if (n.error !== undefined) errors[k] = n.error;
    else body[k] = n.value;
  }
  if (v.where === 'servers') {
    const ids = v.runServerIds
      .split(/[\s,]+/)
      .filter(Boolean)
      .map(Number);
    if (ids.some((x) => !Number.isInteger(x) || x < 1))
      errors.runServerIds = 'server ids, separated by commas';
    else body.runServerIds = ids;
  }
  if (v.level === 'database' && v.checkDatabase.trim() !== '') body.checkDatabase = v.checkDatabase.trim();
  return { body, errors };
}

/**
 * PostgreSQL's error placed in its text: the line, and a caret under the position.
 * @param {{ check: ProbeCheck, text: string }} props
 */
function ErrorAt({ check, text }) {
  if (check.position === undefined) return '';
  const before = text.slice(0, check.position - 1);
  const lineNo = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineEnd = text.indexOf('\n', lineStart);
  const line = text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  const col = check.position - lineStart;
  // one text node: htm drops the line breaks of a template's literal text
  const shown = `line ${lineNo}, character ${col}:\n${line}\n${' '.repeat(Math.max(0, col - 1))}^`;
  return html`<pre class="sql-error" id=${`${P}-sql-position-${check.sqlKey}`} data-position=${check.position}>${shown}</pre>`;
}

/**
 * Creates (`probe` undefined) or changes custom probe `probe`.
 * @param {{ probe?: ProbeDefinition, servers: { id: number, displayName: string }[], onSaved: (name: string) => void, onCancel: () => void }} props
 */
export function ProbeForm({ probe, servers, onSaved, onCancel }) {
  const isNew = !probe;
  const [v, setV] = useState(() => valuesOf(probe, servers[0]?.id));
  const [errors, setErrors] = useState(/** @type {FormErrors} */ ({}));
  const [status, setStatus] = useState('');
  const [check, setCheck] = useState(/** @type {ProbeCheck | undefined} */ (undefined));
  const [busy, setBusy] = useState(false);
  const set = fieldSetter(setV);

  /** @param {ProbeCheck} c */
  const showCheck = (c) => {
    setCheck(c);
    if (!c.ok && c.position !== undefined && c.sqlKey !== undefined) {
      const ta = /** @type {HTMLTextAreaElement | null} */ (document.getElementById(`${P}-sql-${c.sqlKey}`));
      ta?.focus();
      ta?.setSelectionRange(c.position - 1, c.position);
    }
  };
  /** @param {'check' | 'save'} what */
  const run = async (what) => {
    const { body, errors: local } = bodyOf(v);
    setStatus('');
    setCheck(undefined);
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      if (what === 'check') {
        const c = await checkProbe(body);
        showCheck(c);
        if (c.ok) setStatus('Check passed');
      } else {
        const r = await saveProbe(
          isNew ? body : { ...body, name: undefined },
          isNew ? undefined : probe.name,
        );
        setCheck(r.check);
        setStatus('Saved');
        onSaved(r.probe.name);
      }
    } catch (err) {
      const failed = /** @type {{ check?: ProbeCheck }} */ (err).check;
      if (failed) {
        showCheck(failed);
        setErrors({
          [failed.sqlKey !== undefined && failed.sqlstate ? `sql-${failed.sqlKey}` : 'checkServerId']: '',
        });
      } else setErrors(errorsOf(err, (f) => f, 'Only pem_admin members define probes.'));
    } finally {
      setBusy(false);
    }
  };
  /** @param {number} i @param {0 | 1} part */
  const setSql = (i, part) => (/** @type {Event} */ e) => {
    const value = /** @type {HTMLTextAreaElement} */ (e.currentTarget).value;
    setV((x) => ({
      ...x,
      sql: x.sql.map((kv, j) =>
        j === i ? /** @type {[string, string]} */ (part === 0 ? [value, kv[1]] : [kv[0], value]) : kv,
      ),
    }));
  };
  const sqlOf = (/** @type {string | undefined} */ key) => v.sql.find(([k]) => k === key)?.[1] ?? '';
  return html`<form class="admin-form" id="probe-form" onSubmit=${(/** @type {Event} */ e) => {
    e.preventDefault();
    run('save');
  }}>
    <h3>${isNew ? 'New custom probe' : `Change ${probe.name}`}</h3>
    <label>Name <input id="probe-name" value=${v.name} disabled=${!isNew} onInput=${set('name')} /></label>
    <${FieldError} prefix=${P} name="name" errors=${errors} />
    <label>Level <select id="probe-level" value=${v.level} onChange=${set('level')}>
      <option value="server">server (once per server)</option><option value="database">database (in every database)</option>
    </select></label>
    <${FieldError} prefix=${P} name="level" errors=${errors} />
    <label>Description <input id="probe-description" value=${v.description} onInput=${set('description')} /></label>
    <fieldset><legend>SQL by PostgreSQL major (the text under the highest major at or below the server's runs)</legend>
      ${v.sql.map(
        ([k, t], i) => html`<div class="sql-major" key=${i}>
          <label>From major <input class="major" id=${`probe-major-${i}`} value=${k} size="3" onInput=${setSql(i, 0)} /></label>
          <textarea id=${`probe-sql-${k}`} rows="6" cols="80" spellcheck="false" value=${t} onInput=${setSql(i, 1)}></textarea>
        </div>`,
      )}
      <button type="button" id="probe-add-major" onClick=${() => setV((x) => ({ ...x, sql: [...x.sql, ['', '']] }))}>Add a text for a later major</button>
    </fieldset>
    <${FieldError} prefix=${P} name="sql" errors=${errors} />
    ${check && !check.ok ? html`<div class="check-failed" id="probe-check-error" role="alert"><p class="error">${check.message}</p><${ErrorAt} check=${check} text=${sqlOf(check.sqlKey)} /></div>` : ''}
    <label>Columns (one a line: name type unit, and "counter" for a cumulative counter)
      <textarea id="probe-columns" rows="4" cols="60" spellcheck="false" value=${v.columns} onInput=${set('columns')} placeholder="state text text&#10;orders bigint count"></textarea></label>
    <${FieldError} prefix=${P} name="columns" errors=${errors} />
    <label>Object column <input id="probe-objectColumn" value=${v.objectColumn} onInput=${set('objectColumn')} placeholder="(one row per run)" /></label>
    <${FieldError} prefix=${P} name="objectColumn" errors=${errors} />
    <label>Interval, s <input id="probe-intervalS" value=${v.intervalS} size="6" onInput=${set('intervalS')} /></label>
    <${FieldError} prefix=${P} name="intervalS" errors=${errors} />
    <label>Statement timeout, ms <input id="probe-timeoutMs" value=${v.timeoutMs} size="6" onInput=${set('timeoutMs')} /></label>
    <${FieldError} prefix=${P} name="timeoutMs" errors=${errors} />
    <label>Runs on <select id="probe-runsOn" value=${v.runsOn} onChange=${set('runsOn')}>
      <option value="both">primaries and standbys</option><option value="primary">primaries</option><option value="standby">standbys</option>
    </select></label>
    <label>Where <select id="probe-where" value=${v.where} onChange=${set('where')}>
      <option value="all">every server</option><option value="tag">servers with a tag</option><option value="servers">chosen servers</option>
    </select></label>
    ${v.where === 'tag' ? html`<label>Tag <input id="probe-runTag" value=${v.runTag} onInput=${set('runTag')} /></label>` : ''}
    ${v.where === 'servers' ? html`<label>Server ids <input id="probe-runServerIds" value=${v.runServerIds} onInput=${set('runServerIds')} /></label>` : ''}
    <${FieldError} prefix=${P} name="runTag" errors=${errors} />
    <${FieldError} prefix=${P} name="runServerIds" errors=${errors} />
    <label>Check on <select id="probe-checkServerId" value=${v.checkServerId} onChange=${set('checkServerId')}>
      ${servers.map((s) => html`<option key=${s.id} value=${String(s.id)}>${s.displayName}</option>`)}
    </select></label>
    ${v.level === 'database' ? html`<label>in database <input id="probe-checkDatabase" value=${v.checkDatabase} onInput=${set('checkDatabase')} placeholder="(the maintenance database)" /></label>` : ''}
    <${FieldError} prefix=${P} name="checkServerId" errors=${errors} />
    ${
      check?.ok
        ? html`<div class="check-ok" id="probe-check-ok"><p class="ok-text">${check.message}</p>
      ${check.sample && check.sample.length > 0 ? html`<pre id="probe-check-sample">${check.sample.map((r) => JSON.stringify(r)).join('\n')}</pre>` : ''}</div>`
        : ''
    }
    <div class="buttons">
      <button type="button" id="probe-check" disabled=${busy} onClick=${() => run('check')}>Check</button>
      <button type="submit" id="probe-save" disabled=${busy}>Save</button>
      <button type="button" id="probe-cancel" onClick=${onCancel}>Cancel</button>
    </div>
    <${FormResult} prefix=${P} errors=${errors} status=${busy ? 'Checking on the server…' : status} />
  </form>`;
}
