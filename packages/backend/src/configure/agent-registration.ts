/**
 * One agent's registration with its certificate, in the caller's transaction
 * (shared by `pharos configure` and `pharos agent register`), for the three
 * certificate models of docs/reference/pem-facts.md §7:
 *
 * - per-agent certificates supplied by the operator: CN must be `agentN`
 *   (N = the agent id; without an id asked for, N is taken from the CN);
 * - a common agent user: CN must be that user; the user gets pem_agent and
 *   loses its temporary CONNECT on template1 (common-user.ts);
 * - the built-in CA: a new key and CSR on this host, signed on the primary
 *   (built-in-ca.ts); the key and certificate are written only after the
 *   transaction commits ({@link AgentRegistrationOutcome.writeFiles}).
 *
 * Every certificate is recorded in pem.agent_certificate. Idempotent: the
 * same registration with the same certificate (or, for the built-in CA, a
 * recorded certificate on disk that is valid for 30 more days) changes
 * nothing.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pharosError } from '@pharos/core/errors';
import { createCsr } from '@pharos/core/pki/csr';
import { writeCertFile, writeKeyFile } from '@pharos/core/pki/files';
import type { Queryable } from '@pharos/core/query';
import { caSignerOf, issueThroughBackend } from './built-in-ca.js';
import {
  type CertificateFiles,
  type CertificateFlags,
  readCertificateFiles,
  requireCommonName,
} from './certificate-files.js';
import { type CertificateSource, isCertificateRecorded, recordCertificate } from './certificate-records.js';
import { revokeTemplate1Connect } from './common-user.js';
import { registerAgent, requireUnprivilegedAgentUser } from './register.js';

/** Days before expiry at which a built-in CA certificate is renewed by a re-run. */
export const RENEW_BEFORE_DAYS = 30;

/** What to register. */
export interface AgentRegistrationRequest {
  agentId?: number;
  /** The common agent user (`--use-agent-user`); undefined = `agentN`. */
  commonUser?: string;
  displayName: string;
  hostAddress?: string;
  force: boolean;
  /** Operator-supplied certificate and key, read and checked (readCertificateFiles). */
  supplied?: CertificateFiles;
  /** Directory for the built-in CA's `<user>.key`/`<user>.crt`; undefined = the built-in CA may not be used (-kdc without -ues). */
  builtInCaDir?: string;
  /** Flag names for messages. */
  flags: CertificateFlags & { agentId: string; force: string };
}

/** What the registration did. */
export interface AgentRegistrationOutcome {
  id: number;
  user: string;
  /** Anything written to the backend (agent row, role, grants, certificate record). */
  changed: boolean;
  certificate: {
    source: CertificateSource;
    certFile: string;
    keyFile: string;
    fingerprintSha256: string;
    notAfter: Date;
    /** A new certificate was recorded (and, for the built-in CA, issued). */
    changed: boolean;
  };
  /** The common agent user's explicit CONNECT on template1 was revoked. */
  revokedTemplate1: boolean;
  /** Writes the built-in CA's key (0600) and certificate; call after commit. Resolves true when it wrote. */
  writeFiles(): Promise<boolean>;
}

/**
 * The agent id a supplied per-agent certificate implies: the requested one,
 * else N of a CN `agentN`. @throws InputError when neither gives one.
 */
export function impliedAgentId(req: AgentRegistrationRequest): number | undefined {
  if (req.agentId !== undefined || req.commonUser || !req.supplied) return req.agentId;
  const m = /^agent([1-9]\d*)$/.exec(req.supplied.commonName ?? '');
  if (m) return Number(m[1]);
  throw pharosError('PHAROS_REGISTER_CERT_NOT_AGENT', {
    flag: req.flags.cert,
    path: req.supplied.certFile,
    commonName: req.supplied.commonName ?? '(none)',
    agentIdFlag: req.flags.agentId,
    userHint: req.supplied.commonName ?? 'NAME',
  });
}

/** The built-in CA files of `user` if they hold a recorded certificate valid long enough, else undefined. */
async function reusableFiles(
  tx: Queryable,
  agentId: number,
  user: string,
  certFile: string,
  keyFile: string,
): Promise<CertificateFiles | undefined> {
  let files: CertificateFiles;
  try {
    files = readCertificateFiles(certFile, keyFile);
  } catch {
    return undefined;
  }
  if (files.commonName !== user) return undefined;
  if (files.notAfter.getTime() < Date.now() + RENEW_BEFORE_DAYS * 86_400_000) return undefined;
  return (await isCertificateRecorded(tx, agentId, files.fingerprintSha256)) ? files : undefined;
}

/**
 * Registers the agent and its certificate inside `tx` (see the module note).
 * @throws InputError for a taken id, a wrong CN, or no certificate at all;
 *   PharosError when the built-in CA is wanted but not enabled, or refuses.
 */
export async function registerAgentInTx(
  tx: Queryable,
  req: AgentRegistrationRequest,
): Promise<AgentRegistrationOutcome> {
  if (!req.supplied && req.builtInCaDir === undefined)
    throw pharosError('PHAROS_REGISTER_NO_CERTIFICATE', { cert: req.flags.cert, key: req.flags.key });

  const row = await registerAgent(tx, {
    agentId: impliedAgentId(req),
    user: req.commonUser,
    displayName: req.displayName,
    hostAddress: req.hostAddress,
    force: req.force,
  });
  let revokedTemplate1 = false;
  if (req.commonUser) {
    await requireUnprivilegedAgentUser(tx, row.user);
    revokedTemplate1 = await revokeTemplate1Connect(tx, row.user);
  }
  const base = { id: row.id, user: row.user, revokedTemplate1 };
  if (req.supplied) {
    requireCommonName(req.supplied, row.user, req.flags);
    const recorded = await recordCertificate(tx, row.id, req.supplied, 'supplied');
    return {
      ...base,
      changed: row.changed || revokedTemplate1 || recorded,
      certificate: {
        source: 'supplied',
        certFile: resolve(req.supplied.certFile),
        keyFile: resolve(req.supplied.keyFile),
        fingerprintSha256: req.supplied.fingerprintSha256,
        notAfter: req.supplied.notAfter,
        changed: recorded,
      },
      writeFiles: async () => false,
    };
  }
  const signer = await caSignerOf(tx);
  if (!signer) {
    throw pharosError('PHAROS_REGISTER_NO_CA', { cert: req.flags.cert, key: req.flags.key });
  }
  const dir = resolve(req.builtInCaDir!);
  const certFile = join(dir, `${row.user}.crt`);
  const keyFile = join(dir, `${row.user}.key`);
  const reuse = req.force ? undefined : await reusableFiles(tx, row.id, row.user, certFile, keyFile);
  if (reuse) {
    return {
      ...base,
      changed: row.changed || revokedTemplate1,
      certificate: {
        source: 'built-in-ca',
        certFile,
        keyFile,
        fingerprintSha256: reuse.fingerprintSha256,
        notAfter: reuse.notAfter,
        changed: false,
      },
      writeFiles: async () => false,
    };
  }
  const { csrPem, keyPem } = await createCsr({ commonName: row.user });
  const issued = await issueThroughBackend(tx, signer, row.user, csrPem, keyPem);
  await recordCertificate(tx, row.id, issued, 'built-in-ca', csrPem);
  return {
    ...base,
    changed: true,
    certificate: {
      source: 'built-in-ca',
      certFile,
      keyFile,
      fingerprintSha256: issued.fingerprintSha256,
      notAfter: issued.notAfter,
      changed: true,
    },
    writeFiles: async () => {
      mkdirSync(dir, { recursive: true, mode: 0o750 });
      await writeKeyFile(keyFile, keyPem);
      await writeCertFile(certFile, issued.certPem);
      return true;
    },
  };
}
