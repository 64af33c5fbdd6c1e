/**
 * Pharos's own configure flags for reading the HA stack when etcd and
 * Patroni's REST API are secured (topology `infrastructure_security:
 * secured`, docs/configure.md): they are not flags of configure-pem-server.sh.
 *
 * - `--patroni-rest-ca FILE`: Patroni's REST API answers over HTTPS with a
 *   certificate from this CA. Written to the agent's configuration
 *   (`patroni_rest_ca_file`: its Patroni probes use https) and, on a web
 *   host, to the web's (`patroni_rest_urls` https on every backend host,
 *   `rest_ca_file`).
 * - `--etcd-endpoints URL,...`, `--etcd-cert FILE`, `--etcd-key FILE` (web
 *   hosts): the etcd members the overview asks for health, and the web's
 *   etcd client certificate (etcd requires one with client-cert-auth).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { messageOf, pharosError } from '@pharos/core/errors';
import type { Command } from 'commander';

/** The flags as commander parses them. */
export interface HaAccessFlags {
  patroniRestCa?: string;
  etcdEndpoints?: string;
  etcdCert?: string;
  etcdKey?: string;
}

/** The checked values (absolute paths). */
export interface HaAccess {
  patroniRestCaFile?: string;
  etcdEndpoints?: string[];
  etcdCertFile?: string;
  etcdKeyFile?: string;
}

/** Adds the flags to `cmd`. */
export function addHaAccessFlags(cmd: Command): Command {
  return cmd
    .option('--patroni-rest-ca <file>', "Patroni's REST API uses HTTPS with certificates from this CA")
    .option(
      '--etcd-endpoints <urls>',
      'web: etcd client URLs whose health the overview shows (comma-separated)',
    )
    .option('--etcd-cert <file>', "web: the web's etcd client certificate")
    .option('--etcd-key <file>', 'web: its private key (mode 0600)');
}

function readable(flag: string, path: string): string {
  try {
    readFileSync(path);
  } catch (err) {
    throw pharosError('PHAROS_CLI_FILE_UNREADABLE', { flag, path, reason: messageOf(err) });
  }
  return resolve(path);
}

/** An etcd or Patroni base URL: http(s)://host:port, nothing else (the web configuration's rule). */
const BASE_URL = /^https?:\/\/[^/?#@\s]+\/?$/;

/**
 * Checks the flags before configure connects anywhere: files readable, URLs
 * of the form `http(s)://host:port`, `--etcd-cert` and `--etcd-key` together
 * and only with `--etcd-endpoints`. @throws InputError naming the flag.
 */
export function toHaAccess(f: HaAccessFlags): HaAccess {
  const out: HaAccess = {};
  if (f.patroniRestCa !== undefined) out.patroniRestCaFile = readable('--patroni-rest-ca', f.patroniRestCa);
  if (f.etcdEndpoints !== undefined) {
    const urls = f.etcdEndpoints.split(',').map((u) => u.trim());
    for (const u of urls) {
      if (!BASE_URL.test(u)) {
        throw pharosError('PHAROS_CONFIGURE_ETCD_ENDPOINT_INVALID', { url: u });
      }
    }
    out.etcdEndpoints = urls;
  }
  if ((f.etcdCert === undefined) !== (f.etcdKey === undefined)) {
    throw pharosError('PHAROS_CLI_FLAG_PAIR', { first: '--etcd-cert', second: '--etcd-key' });
  }
  if (f.etcdCert !== undefined && f.etcdKey !== undefined) {
    if (out.etcdEndpoints === undefined) {
      throw pharosError('PHAROS_CONFIGURE_ETCD_ENDPOINTS_MISSING');
    }
    out.etcdCertFile = readable('--etcd-cert', f.etcdCert);
    out.etcdKeyFile = readable('--etcd-key', f.etcdKey);
  }
  return out;
}
