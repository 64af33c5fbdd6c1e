/**
 * How Pharos's own tools (the lab, its tests, the fault suite, `pharos
 * check`) reach Patroni's REST API and etcd: plain HTTP for the reference's
 * open setup; for a secured topology (render/infrastructure.ts) https
 * verified against the deployment's CA, the REST API's password for unsafe
 * methods, and an etcd client certificate (plus, to read keys, the etcd
 * root user).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ETCD_CLIENT_PORT } from '../render/etcd.js';
import { ETCD_ROOT_USER, isSecured, PATRONI_REST_USER } from '../render/infrastructure.js';
import { hostPort } from '../render/url.js';
import type { Topology } from '../topology/types.js';
import type { RequestOptions } from './http.js';
import { labLayout } from './layout.js';
import { loadOrCreateSecrets } from './secrets.js';

/** A user and a password. */
export interface Credentials {
  username: string;
  password: string;
}

/** How to reach Patroni's REST API. */
export interface PatroniAccess {
  /** REST API port (topology `patroni.rest_port`). */
  port: number;
  /** PEM of the CA: present = https. */
  ca?: string;
  /** Basic authentication for unsafe methods (POST, PUT, PATCH, DELETE). */
  auth?: Credentials;
}

/** How to reach etcd's client URLs. */
export interface EtcdAccess {
  /** PEM of the CA: present = https. */
  ca?: string;
  /** Client certificate and key (PEM), for etcd's client-cert-auth. */
  cert?: string;
  key?: string;
  /** A user that may read every key (etcd RBAC), when authentication is on. */
  user?: Credentials;
}

/** The base URL of the Patroni REST API at `address`. */
export function patroniUrl(address: string, access: PatroniAccess, path = ''): string {
  return `${access.ca ? 'https' : 'http'}://${hostPort(address, access.port)}${path}`;
}

/** The client URL of the etcd member at `address`. */
export function etcdUrl(address: string, access: EtcdAccess, path = ''): string {
  return `${access.ca ? 'https' : 'http'}://${hostPort(address, ETCD_CLIENT_PORT)}${path}`;
}

/** requestJson options carrying an access's TLS settings. */
export function tlsOptions(access: { ca?: string; cert?: string; key?: string }): RequestOptions {
  return { ca: access.ca, cert: access.cert, key: access.key };
}

/** The open (reference) access: plain HTTP, no credentials. */
export function openAccess(topo: Topology): { patroni: PatroniAccess; etcd: EtcdAccess } {
  return { patroni: { port: topo.patroni.rest_port }, etcd: {} };
}

/**
 * The lab's access in `dir` (absolute): for a secured topology the lab's CA
 * (`pki/ca.crt`), the operator's etcd client certificate
 * (`pki/etcd-client.crt`/`.key`), the REST API password and the etcd root
 * password from secrets.json. Reads the files now.
 */
export function labAccess(topo: Topology, dir: string): { patroni: PatroniAccess; etcd: EtcdAccess } {
  if (!isSecured(topo)) return openAccess(topo);
  const pki = labLayout(dir).pkiDir;
  const ca = readFileSync(join(pki, 'ca.crt'), 'utf8');
  const secrets = loadOrCreateSecrets(dir);
  return {
    patroni: {
      port: topo.patroni.rest_port,
      ca,
      auth: { username: PATRONI_REST_USER, password: secrets.patroni_restapi },
    },
    etcd: {
      ca,
      cert: readFileSync(join(pki, 'etcd-client.crt'), 'utf8'),
      key: readFileSync(join(pki, 'etcd-client.key'), 'utf8'),
      user: { username: ETCD_ROOT_USER, password: secrets.etcd_root },
    },
  };
}
