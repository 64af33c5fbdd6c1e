/**
 * What the `pharos token` verbs do, through the web API (api/client.ts;
 * routes in packages/web/src/api/fleet-agents.ts). Loaded only when a verb
 * runs. The token itself is printed once, by `create`; it is stored hashed.
 */
import type { EnrolmentToken, NewEnrolmentToken } from '@pharos/backend/enrol/tokens';
import { pharosError } from '@pharos/core/errors';
import { type ApiFlags, apiClient } from '../../api/client.js';
import { revokeToken } from '../../api/revoke.js';
import { flagErrors } from '../../flag-errors.js';
import { print, printJson, printList } from '../../output.js';

/** Flags of the `token` verbs. */
export interface TokenFlags extends ApiFlags {
  json?: boolean;
  name?: string;
  validFor?: string;
  usable?: boolean;
}

const UNIT_S: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Seconds of a duration: `90`, `90s`, `30m`, `24h`, `7d`. @throws InputError naming --valid-for. */
export function durationS(v: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(v.trim());
  if (!m)
    throw pharosError(
      'PHAROS_TOKEN_INVALID',
      { detail: `--valid-for: '${v}' is not a duration (e.g. 30m, 24h, 7d, or seconds)` },
      { field: 'validForS' },
    );
  return Number(m[1]) * UNIT_S[m[2] || 's']!;
}

/** The flag of each field of a token the API may name. */
export const TOKEN_FLAGS = { validForS: '--valid-for', name: '--name' } as const;

/** `token create`. */
export async function create(f: TokenFlags): Promise<void> {
  const validForS = durationS(f.validFor ?? '24h');
  const t = await flagErrors(TOKEN_FLAGS, () =>
    apiClient(f).call<NewEnrolmentToken>(
      'POST',
      '/api/enrolment-tokens',
      { name: f.name, validForS },
      'create token',
    ),
  );
  if (f.json) return printJson(t);
  print(`token ${t.id} (${t.name}), valid until ${t.expiresAt}, for one enrolment:`);
  print(t.token);
  print(
    'on the new host: PHAROS_ENROL_TOKEN=<the token> pharos agent enrol --url <this web instance> --ca-file <deployment CA>',
  );
}

/** `token list`. */
export async function list(f: TokenFlags): Promise<void> {
  const tokens = await apiClient(f).call<EnrolmentToken[]>(
    'GET',
    `/api/enrolment-tokens${f.usable ? '?all=false' : ''}`,
    undefined,
    'list tokens',
  );
  printList(tokens, f.json, 'no tokens', (all) =>
    all.map((t) => {
      const what =
        t.state === 'used'
          ? `used ${t.usedAt} by agent ${t.usedByAgent}${t.usedFrom ? ` from ${t.usedFrom}` : ''}`
          : t.state === 'revoked'
            ? `revoked ${t.revokedAt} by ${t.revokedBy}`
            : t.state === 'expired'
              ? `expired ${t.expiresAt}`
              : `usable until ${t.expiresAt}`;
      return `${t.id}  ${t.name}  (by ${t.createdBy} ${t.createdAt}): ${what}`;
    }),
  );
}

/** `token revoke`. */
export async function revoke(id: string, f: TokenFlags): Promise<void> {
  if (!/^\d+$/.test(id))
    throw pharosError('PHAROS_TOKEN_INVALID', {
      detail: `<id>: '${id}' is not a token id (pharos token list)`,
    });
  return revokeToken(f, `/api/enrolment-tokens/${id}`, `token ${id}`);
}
