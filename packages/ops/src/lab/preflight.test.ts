import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { requireFreeEndpoints, requireNoRunningLab, requirePrograms } from './preflight.js';
import { startTicksOf } from './processes.js';
import { writeState } from './state.js';

describe('lab preflight', () => {
  let server: Server;
  let dir: string;
  before(async () => {
    server = createServer();
    await new Promise<void>((r) => server.listen(54321, '127.0.13.1', () => r()));
    dir = mkdtempSync(join(tmpdir(), 'pharos-preflight-'));
  });
  after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('an address:port already taken is named with its host and service', async () => {
    await assert.rejects(
      requireFreeEndpoints([
        { host: 'pem-web-1', service: 'web application', address: '127.0.13.1', port: 54321 },
        { host: 'pem-web-2', service: 'web application', address: '127.0.13.2', port: 54321 },
      ]),
      (err: Error) =>
        (err as { code?: string }).code === 'PHAROS_LAB_ENDPOINTS_TAKEN' &&
        err.message.includes('127.0.13.1:54321 (web application of pem-web-1): already in use') &&
        !err.message.includes('127.0.13.2'),
    );
  });

  test('free endpoints pass', async () => {
    await requireFreeEndpoints([{ host: 'h', service: 's', address: '127.0.13.3', port: 54321 }]);
  });

  test('a missing program is named with its Debian package', () => {
    assert.throws(
      () => requirePrograms({ 'pharos-no-such-program': 'pharos-pkg' }),
      /missing program: pharos-no-such-program \(Debian package pharos-pkg\); run scripts\/install-system.sh/,
    );
  });

  test('a previous lab with a live process is reported with how to stop it', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    try {
      writeState({
        version: 1,
        topologyFile: 'x',
        dir,
        createdAt: new Date().toISOString(),
        phase: 'up',
        webUrls: [],
        processes: [
          {
            host: 'etcd-node-1',
            kind: 'etcd',
            pid: child.pid!,
            startTicks: startTicksOf(child.pid!)!,
            command: ['sleep'],
            logFile: '/dev/null',
          },
        ],
      });
      assert.throws(
        () => requireNoRunningLab(dir),
        new RegExp(`a lab is already running in ${dir} \\(1 processes.*pharos lab down --dir ${dir}`),
      );
    } finally {
      child.kill();
    }
  });

  test('a previous lab whose processes are gone does not block', () => {
    writeState({
      version: 1,
      topologyFile: 'x',
      dir,
      createdAt: new Date().toISOString(),
      phase: 'up',
      webUrls: [],
      processes: [
        { host: 'h', kind: 'etcd', pid: 999_999_999, startTicks: 1, command: ['x'], logFile: '/dev/null' },
      ],
    });
    requireNoRunningLab(dir);
  });
});
