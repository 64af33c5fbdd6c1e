/**
 * The lab's passwords: generated once (24 random bytes, base64url), kept in
 * `<lab dir>/secrets.json` mode 0600, never printed except where the user
 * asks for the login.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every password the lab's deployment uses, by role name. */
export interface LabSecrets {
  patroni_super: string;
  patroni_rep: string;
  patroni_rew: string;
  /** The reference's installing superuser, and the web login the lab prints. */
  pemsuper: string;
  /** The agents' monitoring role (pg_monitor) used by the agent-server bindings. */
  pem_monitor: string;
  /** The web instances' service role (member of pem_web). */
  pem_web_service: string;
}

/** Path of secrets.json in `dir`. */
export function secretsPath(dir: string): string {
  return join(dir, 'secrets.json');
}

/** Loads the lab's secrets, creating them on first use. */
export function loadOrCreateSecrets(dir: string): LabSecrets {
  const path = secretsPath(dir);
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as LabSecrets;
  const gen = () => randomBytes(24).toString('base64url');
  const secrets: LabSecrets = {
    patroni_super: gen(),
    patroni_rep: gen(),
    patroni_rew: gen(),
    pemsuper: gen(),
    pem_monitor: gen(),
    pem_web_service: gen(),
  };
  writeFileSync(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}
