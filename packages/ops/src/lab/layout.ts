/**
 * Where the lab keeps things, under its directory (`--dir`, default
 * /var/tmp/pharos-lab: world-traversable, so the postgres OS user can reach
 * its data directories, and kept across reboots):
 *
 *   lab.json, secrets.json (0600), lab.log
 *   pki/ca.crt, pki/ca.key (0600), pki/server.crt, pki/server.key
 *   <host>/                    one directory per host of the topology
 *     etcd.conf, etcd-data/    etcd members
 *     patroni.yml, data/, run/, log/, pgpass   backends (owned by postgres)
 *     pharos/agent.yml, agent.pgpass, agent.crt, agent.key, spool/   agents
 *     pharos/web.yml, web.crt, web.key, web.pgpass                   web hosts
 *     <kind>.out               stdout/stderr of each process
 */
import { join } from 'node:path';
import type { LabSite } from '../render/site.js';

/** Default lab directory. */
export const DEFAULT_LAB_DIR = '/var/tmp/pharos-lab';

/** Paths of one lab. */
export interface LabLayout {
  dir: string;
  pkiDir: string;
  hostDir(host: string): string;
  /** Pharos's files of a host (agent and web configuration, certificates). */
  pharosDir(host: string): string;
  outFile(host: string, kind: string): string;
  site(binDir: string): LabSite;
}

/** The layout of the lab in `dir` (absolute). */
export function labLayout(dir: string): LabLayout {
  const hostDir = (host: string) => join(dir, host);
  return {
    dir,
    pkiDir: join(dir, 'pki'),
    hostDir,
    pharosDir: (host) => join(dir, host, 'pharos'),
    outFile: (host, kind) => join(dir, host, `${kind}.out`),
    site: (binDir) => ({ hostDir, binDir, caFile: join(dir, 'pki', 'ca.crt') }),
  };
}
