/**
 * The revoke step both token commands share (`pharos token revoke`,
 * `pharos api-token revoke`): DELETE one token through the web API, then
 * print `<label>: revoked` or `<label>: already revoked`, or the answer
 * `{ id, revoked }` as JSON. API errors are thrown by {@link apiClient}.
 */
import { print, printJson } from '../output.js';
import { type ApiFlags, apiClient } from './client.js';

/** DELETE `path` (e.g. `/api/api-tokens/3`); `label` names the token in the output (`API token 3`). */
export async function revokeToken(
  f: ApiFlags & { json?: boolean },
  path: string,
  label: string,
): Promise<void> {
  const r = await apiClient(f).call<{ id: number; revoked: boolean }>(
    'DELETE',
    path,
    undefined,
    `revoke ${label}`,
  );
  if (f.json) return printJson(r);
  print(r.revoked ? `${label}: revoked` : `${label}: already revoked`);
}
