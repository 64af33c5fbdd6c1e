/**
 * The schedule flags of `pharos maintenance start`, read into the API's
 * fields (docs/maintenance.md): `--for` a duration (90m, 2h, 1h30m, 1d;
 * 1 minute to 7 days), `--every` weekdays and a local time ('sun 02:00',
 * 'mon,thu 22:30', 'mon-fri 01:00', 'daily 01:00', 'weekdays 23:00',
 * 'weekend 00:00'), `--from`/`--until` instants (ISO 8601; without an offset,
 * the local time of the machine running pharos). Each refusal is an
 * InputError naming its flag (exit 2). Pure functions: no I/O.
 */
import { pharosError } from '@pharos/core/errors';

/** Longest `--for`, seconds (7 days: the API's durationS maximum). */
export const MAX_DURATION_S = 7 * 86400;

/** `--for` in seconds: `<n>d`, `<n>h`, `<n>m`, `<n>s` parts in this order, 60 s to 7 days. */
export function parseDuration(text: string, flag = '--for'): number {
  const m = /^(?:(\d{1,3})d)?(?:(\d{1,4})h)?(?:(\d{1,5})m(?:in)?)?(?:(\d{1,6})s)?$/.exec(
    text.trim().toLowerCase(),
  );
  const bad = () =>
    pharosError('PHAROS_MAINTENANCE_DURATION_INVALID', { flag, value: text }, { field: 'durationS' });
  if (!m || text.trim() === '' || m.slice(1).every((x) => x === undefined)) throw bad();
  const [d, h, min, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number];
  const total = d * 86400 + h * 3600 + min * 60 + s;
  if (total < 60 || total > MAX_DURATION_S) throw bad();
  return total;
}

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const GROUPS: Record<string, number[]> = {
  daily: [1, 2, 3, 4, 5, 6, 7],
  weekdays: [1, 2, 3, 4, 5],
  weekend: [6, 7],
};

const FULL_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** An ISO weekday (1 = Monday) of a day name of 3+ letters ('sun', 'Sunday'), or undefined. */
function dayOf(name: string): number | undefined {
  const n = name.toLowerCase();
  if (n.length < 3) return undefined;
  const i = FULL_NAMES.findIndex((d) => d.startsWith(n));
  return i < 0 ? undefined : i + 1;
}

/** `--every`: ISO weekdays (sorted, unique) and the local start time 'HH:MM'. */
export function parseEvery(text: string): { weekdays: number[]; startTime: string } {
  const bad = () => pharosError('PHAROS_MAINTENANCE_EVERY_INVALID', { value: text }, { field: 'weekdays' });
  const m = /^\s*([a-z,\-\s]+?)\s+(?:at\s+)?(\d{1,2}):(\d{2})\s*$/i.exec(text);
  if (!m) throw bad();
  const hour = Number(m[2]);
  const minute = Number(m[3]);
  if (hour > 23 || minute > 59) throw bad();
  const days = new Set<number>();
  for (const part of m[1]!.split(',').map((p) => p.trim().toLowerCase())) {
    if (part === '') throw bad();
    const group = GROUPS[part];
    if (group) {
      for (const d of group) days.add(d);
      continue;
    }
    const range = part.split('-').map((p) => p.trim());
    if (range.length === 2) {
      const a = dayOf(range[0]!);
      const b = dayOf(range[1]!);
      if (a === undefined || b === undefined) throw bad();
      for (let d = a; ; d = (d % 7) + 1) {
        days.add(d);
        if (d === b) break;
      }
      continue;
    }
    const d = dayOf(part);
    if (d === undefined || range.length !== 1) throw bad();
    days.add(d);
  }
  return {
    weekdays: [...days].sort((x, y) => x - y),
    startTime: `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`,
  };
}

/** `--from`/`--until` as ISO 8601 (UTC). */
export function parseInstant(text: string, flag: '--from' | '--until'): string {
  const t = Date.parse(text.trim());
  if (text.trim() === '' || Number.isNaN(t))
    throw pharosError(
      'PHAROS_MAINTENANCE_INVALID',
      {
        detail: `${flag}: '${text}' is not a date and time (e.g. 2026-12-08T22:00+01:00 or '2026-12-08 22:00')`,
      },
      { field: flag === '--from' ? 'startsAt' : 'endsAt' },
    );
  return new Date(t).toISOString();
}

/** The weekdays of a weekly window in words ('Mon, Thu' or 'daily'). */
export function weekdaysText(days: readonly number[]): string {
  if (days.length === 7) return 'daily';
  return days.map((d) => DAYS[d - 1]![0]!.toUpperCase() + DAYS[d - 1]!.slice(1)).join(', ');
}
