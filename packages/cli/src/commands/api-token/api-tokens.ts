/**
 * What the `pharos api-token` verbs do, through the web API (api/client.ts;
 * routes in packages/web/src/api/api-tokens.ts). Loaded only when a verb
 * runs. The token itself is printed once, by `create`; it is stored hashed.
 */
import { pharosError } from '@pharos/core/errors';
import { type ApiFlags, apiClient } from '../../api/client.js';
import { revokeToken } from '../../api/revoke.js';
import { flagErrors } from '../../flag-errors.js';
import { print, printJson, printList } from '../../output.js';
import { TOKEN_FLAGS } from '../token/tokens.js';

/** Flags of the `api-token` verbs. */
export interface ApiTokenFlags extends ApiFlags {
  json?: boolean;
  name?: string;
  validFor?: string;
  all?: boolean;
}

/** A token as the API lists it (packages/web/src/api/shapes/api-tokens.ts). */
interface ApiTokenInfo {
  id: number;
  name: string;
  role: string;
  createdAt: string;
  expiresAt: string;
  state: 'active' | 'expired' | 'revoked';
  revokedAt: string | null;
  revokedBy: string | null;
  lastUsedAt: string | null;
  lastUsedFrom: string | null;
}

const UNIT_S: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Seconds of a duration: `90`, `90s`, `30m`, `24h`, `90d`, from 60 s to 366 days. @throws InputError naming --valid-for. */
export function validForS(v: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(v.trim());
  if (!m)
    throw pharosError(
      'PHAROS_API_TOKEN_INVALID',
      { detail: `--valid-for: '${v}' is not a duration (e.g. 30m, 24h, 90d, or seconds)` },
      { field: 'validForS' },
    );
  const seconds = Number(m[1]) * UNIT_S[m[2] || 's']!;
  if (seconds < 60 || seconds > 366 * 86_400)
    throw pharosError(
      'PHAROS_API_TOKEN_INVALID',
      { detail: `--valid-for: '${v}' is not from 1 minute to 366 days` },
      { field: 'validForS' },
    );
  return seconds;
}

/** `api-token create`. */
export async function create(f: ApiTokenFlags): Promise<void> {
  const seconds = validForS(f.validFor ?? '90d');
  const t = await flagErrors(TOKEN_FLAGS, () =>
    apiClient(f).call<{ id: number; name: string; role: string; token: string; expiresAt: string }>(
      'POST',
      '/api/api-tokens',
      { name: f.name, validForS: seconds },
      'create API token',
    ),
  );
  if (f.json) return printJson(t);
  print(`API token ${t.id} (${t.name}) of role ${t.role}, valid until ${t.expiresAt}; shown this once:`);
  print(t.token);
  print('send it as "Authorization: Bearer <token>" (the CLI reads it from PHAROS_API_TOKEN)');
}

/** `api-token list`. */
export async function list(f: ApiTokenFlags): Promise<void> {
  const tokens = await apiClient(f).call<ApiTokenInfo[]>(
    'GET',
    `/api/api-tokens${f.all ? '?all=true' : ''}`,
    undefined,
    'list API tokens',
  );
  printList(tokens, f.json, 'no API tokens', (all) =>
    all.map((t) => {
      const state =
        t.state === 'revoked'
          ? `revoked ${t.revokedAt} by ${t.revokedBy}`
          : t.state === 'expired'
            ? `expired ${t.expiresAt}`
            : `active until ${t.expiresAt}`;
      const used = t.lastUsedAt
        ? `last used ${t.lastUsedAt}${t.lastUsedFrom ? ` from ${t.lastUsedFrom}` : ''}`
        : 'never used';
      return `${t.id}  ${t.name}  (role ${t.role}, made ${t.createdAt}): ${state}; ${used}`;
    }),
  );
}

/** `api-token revoke`. */
export async function revoke(id: string, f: ApiTokenFlags): Promise<void> {
  if (!/^\d+$/.test(id) || Number(id) < 1 || Number(id) > 2_147_483_647)
    throw pharosError(
      'PHAROS_API_TOKEN_INVALID',
      { detail: `<id>: '${id}' is not an API token id (pharos api-token list)` },
      { field: 'id' },
    );
  return revokeToken(f, `/api/api-tokens/${id}`, `API token ${id}`);
}
