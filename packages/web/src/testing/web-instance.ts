/**
 * Test support: writes a web instance's configuration file (YAML, with a
 * password_file of mode 0600 and its own TLS certificate from the test CA) and
 * starts the instance through the real entry points, loadWebConfig and
 * startWebServer.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadWebConfig } from '../config.js';
import { startWebServer, type WebServer } from '../server.js';
import { PASSWORDS, type TestBackend } from './backend-fixture.js';

/** A started test instance and the files it uses. */
export interface TestInstance extends WebServer {
  address: string;
  configFile: string;
  logFile: string;
}

/** Writes the configuration of an instance on `address`:8443 and starts it; `extra` overrides fields. */
export async function startTestInstance(
  backend: TestBackend,
  address: string,
  extra: Record<string, unknown> = {},
): Promise<TestInstance> {
  const name = `web-${address}`;
  const tls = backend.pki.issue(name, [address]);
  const passwordFile = join(backend.dir, `${name}.password`);
  writeFileSync(passwordFile, `${PASSWORDS.pemweb}\n`, { mode: 0o600 });
  const logFile = join(backend.dir, `${name}.log`);
  const configFile = join(backend.dir, `${name}.yml`);
  const doc = {
    listen_address: address,
    port: 8443,
    tls_cert_file: tls.cert,
    tls_key_file: tls.key,
    backend: backend.backendConninfo(),
    password_file: passwordFile,
    source_address: address,
    login_backend: backend.loginConninfo(),
    session_ttl_s: 600,
    log_file: logFile,
    ...extra,
  };
  writeFileSync(configFile, stringify(doc), { mode: 0o600 });
  const server = await startWebServer(loadWebConfig(configFile));
  return { ...server, address, configFile, logFile };
}
