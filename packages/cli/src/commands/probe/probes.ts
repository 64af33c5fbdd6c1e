/**
 * What the `pharos probe` verbs do, through the web API (api/client.ts;
 * routes in packages/web/src/api/probes.ts). Loaded only when a verb runs.
 *
 * `add` and `check` read the SQL files, build the definition from the
 * flags and have the agent of `--check-on` run it (read-only, the probe's
 * statement timeout); a refused probe prints PostgreSQL's message with the
 * line and a caret at its position and exits 2, nothing saved. Bad input
 * exits 2 naming the flag. `--json` prints the API's answer.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { CustomProbeCheck } from '@pharos/backend/probes/custom-probe-shapes';
import type { ProbeRow } from '@pharos/backend/probes/custom-probes';
import { pharosError } from '@pharos/core/errors';
import { ApiError, type ApiFlags, apiClient } from '../../api/client.js';
import { flagErrors } from '../../flag-errors.js';
import { print, printJson, printList } from '../../output.js';

/** Flags of the `probe` verbs (each takes the ones it registers). */
export interface ProbeFlags extends ApiFlags {
  json?: boolean;
  all?: boolean;
  level?: string;
  sql?: string[];
  column?: string[];
  objectColumn?: string;
  interval?: string;
  timeout?: string;
  runsOn?: string;
  tag?: string;
  server?: string[];
  description?: string;
  checkOn?: string;
  checkDb?: string;
  replace?: boolean;
}

/** The flag of each API field, to name the flag in messages. */
const FLAG_OF: Record<string, string> = {
  name: '<name>',
  level: '--level',
  sql: '--sql',
  columns: '--column',
  objectColumn: '--object-column',
  intervalS: '--interval',
  timeoutMs: '--timeout',
  runsOn: '--runs-on',
  runTag: '--tag',
  runServerIds: '--server',
  checkServerId: '--check-on',
  checkDatabase: '--check-db',
};

const positive = (flag: string, value: string | undefined): number => {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) < 1)
    throw pharosError('PHAROS_CLI_NOT_POSITIVE_INTEGER', { flag, value: String(value) });
  return Number(value);
};

/** The SQL texts of the --sql flags: `[major=]file`, major 13 when left out. */
export function sqlOf(specs: readonly string[] | undefined): Record<string, string> {
  if (!specs || specs.length === 0)
    throw pharosError('PHAROS_CLI_FLAG_REQUIRED', { flag: '--sql', what: 'a file with the SQL text' });
  const out: Record<string, string> = {};
  for (const spec of specs) {
    const m = /^(\d+)=(.+)$/.exec(spec);
    const [major, file] = m ? [m[1]!, m[2]!] : ['13', spec];
    if (out[major] !== undefined) throw pharosError('PHAROS_CLI_KEY_REPEATED', { flag: '--sql', key: major });
    if (!existsSync(file)) throw pharosError('PHAROS_CLI_FILE_MISSING', { flag: '--sql', path: file });
    out[major] = readFileSync(file, 'utf8');
  }
  return out;
}

/** The columns of the --column flags: `name:type:unit[:counter]`. */
export function columnsOf(
  specs: readonly string[] | undefined,
): { name: string; type: string; unit: string; counter?: boolean }[] {
  if (!specs || specs.length === 0)
    throw pharosError('PHAROS_CLI_FLAG_REQUIRED', {
      flag: '--column',
      what: 'at least one column (name:type:unit)',
    });
  return specs.map((spec) => {
    const parts = spec.split(':');
    if (parts.length < 3 || parts.length > 4 || (parts.length === 4 && parts[3] !== 'counter'))
      throw pharosError('PHAROS_CLI_KEY_VALUE_INVALID', {
        flag: '--column',
        key: parts[0] ?? '',
        value: spec,
        problem: 'is not name:type:unit or name:type:unit:counter (e.g. orders:bigint:count)',
      });
    return { name: parts[0]!, type: parts[1]!, unit: parts[2]!, ...(parts[3] ? { counter: true } : {}) };
  });
}

/** The API body of the flags. */
export function bodyOf(name: string, f: ProbeFlags): Record<string, unknown> {
  return {
    name,
    level: f.level,
    sql: sqlOf(f.sql),
    columns: columnsOf(f.column),
    objectColumn: f.objectColumn ?? null,
    intervalS: positive('--interval', f.interval),
    timeoutMs: positive('--timeout', f.timeout),
    runsOn: f.runsOn,
    runTag: f.tag ?? null,
    runServerIds: f.server && f.server.length > 0 ? f.server.map((s) => positive('--server', s)) : null,
    ...(f.description !== undefined ? { description: f.description } : {}),
    checkServerId: positive('--check-on', f.checkOn),
    ...(f.checkDb ? { checkDatabase: f.checkDb } : {}),
  };
}

/** The line of `text` with a caret under character `position` (1-based). */
export function caretLines(text: string, position: number): string[] {
  const before = text.slice(0, position - 1);
  const lineNo = before.split('\n').length;
  const start = before.lastIndexOf('\n') + 1;
  const end = text.indexOf('\n', start);
  const col = position - start;
  return [
    `line ${lineNo}, character ${col}:`,
    text.slice(start, end === -1 ? undefined : end),
    `${' '.repeat(col - 1)}^`,
  ];
}

function checkLines(c: CustomProbeCheck, sql: Record<string, string>): string[] {
  const lines = [c.message];
  if (c.position !== undefined && c.sqlKey !== undefined && sql[c.sqlKey] !== undefined)
    lines.push(...caretLines(sql[c.sqlKey]!, c.position));
  for (const r of c.sample ?? []) lines.push(`  ${JSON.stringify(r)}`);
  return lines;
}

/** `probe list`. */
export async function list(f: ProbeFlags): Promise<void> {
  const all = await apiClient(f).call<ProbeRow[]>(
    'GET',
    `/api/probes${f.all ? '' : '?custom=true'}`,
    undefined,
    'list probes',
  );
  printList(all, f.json, 'no custom probes', (probes) =>
    probes.map(
      (p) =>
        `${p.name.padEnd(32)} ${p.custom ? 'custom  ' : 'built-in'} ${p.level.padEnd(8)} every ${String(p.intervalS).padStart(5)} s  ${p.columns.map((c) => c.name).join(', ')}`,
    ),
  );
}

/** `probe show`. */
export async function show(name: string, f: ProbeFlags): Promise<void> {
  const p = await apiClient(f).call<ProbeRow>(
    'GET',
    `/api/probes/${encodeURIComponent(name)}`,
    undefined,
    `show probe ${name}`,
  );
  if (f.json) return printJson(p);
  print(
    `${p.name} (${p.custom ? 'custom' : 'built-in'}, ${p.level} level, every ${p.intervalS} s, timeout ${p.timeoutMs} ms, on ${p.runsOn})`,
  );
  if (p.description) print(p.description);
  print(
    `runs on: ${p.runTag ? `servers tagged ${p.runTag}` : p.runServerIds ? `servers ${p.runServerIds.join(', ')}` : 'every server'}`,
  );
  print('columns:');
  for (const c of p.columns)
    print(
      `  ${c.name} ${c.type} ${c.unit}${c.counter ? ' counter' : ''}${c.name === p.objectColumn ? ' (object)' : ''}`,
    );
  for (const [major, text] of Object.entries(p.sql ?? {})) {
    print(`SQL for PostgreSQL ${major} and later:`);
    for (const l of text.split('\n')) print(`  ${l}`);
  }
}

/** Prints a refused probe's check (PostgreSQL's message and the caret) before the error is reported. */
async function withCheckShown<T>(sql: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const check = err instanceof ApiError ? (err.body.check as CustomProbeCheck | undefined) : undefined;
    if (check) for (const l of checkLines(check, sql).slice(1)) process.stderr.write(`${l}\n`);
    throw err;
  }
}

/** `probe check`. */
export async function check(name: string, f: ProbeFlags): Promise<void> {
  const body = bodyOf(name, f);
  const c = await flagErrors(FLAG_OF, () =>
    apiClient(f).call<CustomProbeCheck>('POST', '/api/probes/check', body, `check probe ${name}`),
  );
  if (f.json) return printJson(c);
  for (const l of checkLines(c, body.sql as Record<string, string>)) print(l);
  if (!c.ok) throw pharosError('PHAROS_PROBE_CHECK_FAILED', { detail: c.message });
}

/** `probe add`. */
export async function add(name: string, f: ProbeFlags): Promise<void> {
  const body = bodyOf(name, f);
  const sql = body.sql as Record<string, string>;
  const api = apiClient(f);
  const r = await withCheckShown(sql, () =>
    flagErrors(FLAG_OF, () =>
      f.replace
        ? api.call<{ probe: ProbeRow; check: CustomProbeCheck }>(
            'PUT',
            `/api/probes/${encodeURIComponent(name)}`,
            { ...body, name: undefined },
            `change probe ${name}`,
          )
        : api.call<{ probe: ProbeRow; check: CustomProbeCheck }>(
            'POST',
            '/api/probes',
            body,
            `add probe ${name}`,
          ),
    ),
  );
  if (f.json) return printJson(r);
  print(r.check.message);
  print(`${f.replace ? 'changed' : 'added'} ${r.probe.name}: the agents run it from their next interval`);
}

/** `probe remove`. */
export async function remove(name: string, f: ProbeFlags): Promise<void> {
  const r = await apiClient(f).call<{ removed: string }>(
    'DELETE',
    `/api/probes/${encodeURIComponent(name)}`,
    undefined,
    `remove probe ${name}`,
  );
  if (f.json) return printJson(r);
  print(`removed ${r.removed}`);
}
