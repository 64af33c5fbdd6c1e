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
  /** Patroni's REST API basic authentication (user patroni), for unsafe methods. */
  patroni_restapi: string;
  /** etcd user root (RBAC). */
  etcd_root: string;
  /** etcd user patroni (RBAC: /service/<cluster>/ only). */
  etcd_patroni: string;
  /** The fleet's Patroni cluster (lab/fleet/): its own superuser, replication and rewind users' passwords. */
  fleet_patroni_super: string;
  fleet_patroni_rep: string;
  fleet_patroni_rew: string;
  /** The fleet's Patroni cluster: its REST API's basic authentication (unsafe methods). */
  fleet_patroni_restapi: string;
  /** The fleet's Patroni cluster: its own etcd user (RBAC: /service/<its scope>/ only). */
  fleet_etcd_patroni: string;
}

const NAMES: (keyof LabSecrets)[] = [
  'patroni_super',
  'patroni_rep',
  'patroni_rew',
  'pemsuper',
  'pem_monitor',
  'pem_web_service',
  'patroni_restapi',
  'etcd_root',
  'etcd_patroni',
  'fleet_patroni_super',
  'fleet_patroni_rep',
  'fleet_patroni_rew',
  'fleet_patroni_restapi',
  'fleet_etcd_patroni',
];

/** Path of secrets.json in `dir`. */
export function secretsPath(dir: string): string {
  return join(dir, 'secrets.json');
}

/**
 * Loads the lab's secrets, creating them on first use; a file of an older
 * lab that lacks a password gets it added (and is rewritten, mode 0600).
 */
export function loadOrCreateSecrets(dir: string): LabSecrets {
  const path = secretsPath(dir);
  const known: Partial<LabSecrets> = existsSync(path)
    ? (JSON.parse(readFileSync(path, 'utf8')) as Partial<LabSecrets>)
    : {};
  const missing = NAMES.filter((n) => typeof known[n] !== 'string');
  if (missing.length === 0) return known as LabSecrets;
  const secrets = { ...known } as LabSecrets;
  for (const n of missing) secrets[n] = randomBytes(24).toString('base64url');
  writeFileSync(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}
