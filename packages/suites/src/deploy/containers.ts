/**
 * Booted hosts for the deployment test: one `systemd-nspawn` container per
 * host of a topology, each on an overlay of the cached Debian 13 root
 * (root-image.ts), with systemd as PID 1 and sshd listening on the host's
 * own loopback address (DESIGN.md §5). Without --private-network the
 * containers share this machine's network namespace, so every service binds
 * its host's address (the plan's sharesLoopback rendering).
 *
 * - `--register=no --keep-unit`: this machine has no systemd as PID 1 (no
 *   machined, no scope units), so nspawn registers nothing.
 * - The overlay's upper layer lives in the work directory and survives a
 *   stop: a stopped host starts again with its disk (the failover test).
 * - Stopping a host is an orderly poweroff (SIGTERM to nspawn: systemd in the
 *   container shuts its services down, as `machinectl poweroff` does). The
 *   end of a test, whose hosts are then deleted, powers them off at once
 *   instead (SIGRTMIN+14 to the container's systemd: no service stopped,
 *   1-2 minutes less for ten hosts under load).
 * - Every nspawn process is recorded (PID, start time) in
 *   `<workDir>/containers.json`; `cleanupLeftovers` stops those of an
 *   earlier run that died, by PID, and unmounts their overlays.
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A host to boot. */
export interface ContainerHost {
  name: string;
  address: string;
}

/** The result of a command run on a host over SSH. */
export interface SshResult {
  code: number;
  stdout: string;
  stderr: string;
}

interface Recorded {
  name: string;
  pid: number;
  startTicks: string;
  merged: string;
}

/**
 * systemd's "immediately power off" signal, SIGRTMIN+14 (systemd(1),
 * "Signals"; SIGRTMIN is 34 with glibc on Linux).
 */
const SIGRTMIN_PLUS_14 = 34 + 14;

/** The container's init: the first child of its nspawn process (undefined when there is none). */
function initOf(r: { pid: number }): number | undefined {
  try {
    const pid = Number(readFileSync(`/proc/${r.pid}/task/${r.pid}/children`, 'utf8').trim().split(' ')[0]);
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Start time of a process (field 22 of /proc/PID/stat), or undefined when it is gone. */
function startTicksOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function alive(r: { pid: number; startTicks: string }): boolean {
  return startTicksOf(r.pid) === r.startTicks;
}

async function waitUntil(what: string, fn: () => Promise<boolean> | boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      if (await fn()) return;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function isMounted(path: string): Promise<boolean> {
  const mounts = readFileSync('/proc/self/mounts', 'utf8');
  return mounts.split('\n').some((l) => l.split(' ')[1] === path);
}

/** The SSH key pair the test uses (made once in the work directory). */
export async function ensureSshKey(workDir: string): Promise<string> {
  const key = join(workDir, 'id_ed25519');
  if (!existsSync(key)) {
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'pharos-deploy-test', '-f', key]);
  }
  return key;
}

/** SSH options for hosts whose keys are made fresh for a test. */
export function sshOptions(key: string): string[] {
  return [
    '-i',
    key,
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'LogLevel=ERROR',
    '-o',
    'BatchMode=yes',
    '-o',
    'ConnectTimeout=5',
  ];
}

/** The booted hosts of one test run. */
export class Containers {
  private readonly recorded = new Map<string, Recorded>();
  private readonly hosts: Map<string, ContainerHost>;

  constructor(
    readonly workDir: string,
    readonly lowerDir: string,
    readonly sshKey: string,
    hosts: readonly ContainerHost[],
    private readonly log: (line: string) => void,
  ) {
    this.hosts = new Map(hosts.map((h) => [h.name, h]));
  }

  private get stateFile(): string {
    return join(this.workDir, 'containers.json');
  }

  private save(): void {
    writeFileSync(this.stateFile, `${JSON.stringify([...this.recorded.values()], null, 2)}\n`);
  }

  private host(name: string): ContainerHost {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no container host named ${name}`);
    return h;
  }

  /** The host's root directory as seen from this machine (the overlay's merged view). */
  rootOf(name: string): string {
    return join(this.workDir, name, 'root');
  }

  /**
   * Stops the containers an earlier run recorded in this work directory and
   * left running (by their recorded PIDs), unmounts the overlays and removes
   * the hosts' directories.
   */
  static async cleanupLeftovers(workDir: string, log: (line: string) => void): Promise<void> {
    const file = join(workDir, 'containers.json');
    if (existsSync(file)) {
      const old = JSON.parse(readFileSync(file, 'utf8')) as Recorded[];
      for (const r of old) {
        if (alive(r)) {
          log(`stopping ${r.name} left running by an earlier run (PID ${r.pid})`);
          await stopRecorded(r);
        }
      }
    }
    const mounts = readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[1] ?? '')
      .filter((m) => m.startsWith(`${workDir}/`));
    for (const m of mounts.reverse()) await run('umount', [m]).catch(() => run('umount', ['-l', m]));
  }

  /**
   * Prepares the host's overlay (first time: hostname, sshd on its address,
   * the test's SSH key), boots it, and waits until sshd answers.
   */
  async start(name: string): Promise<void> {
    const h = this.host(name);
    const base = join(this.workDir, name);
    const merged = this.rootOf(name);
    const upper = join(base, 'upper');
    const fresh = !existsSync(upper);
    for (const d of [upper, join(base, 'work'), merged]) mkdirSync(d, { recursive: true, mode: 0o755 });
    if (!(await isMounted(merged))) {
      await run('mount', [
        '-t',
        'overlay',
        'overlay',
        '-o',
        `lowerdir=${this.lowerDir},upperdir=${upper},workdir=${join(base, 'work')}`,
        merged,
      ]);
    }
    if (fresh) {
      writeFileSync(join(merged, 'etc/hostname'), `${name}\n`);
      writeFileSync(
        join(merged, 'etc/ssh/sshd_config.d/pharos-test.conf'),
        `# the deployment test: this host's own loopback address only\nListenAddress ${h.address}\n`,
      );
      mkdirSync(join(merged, 'root/.ssh'), { recursive: true, mode: 0o700 });
      writeFileSync(join(merged, 'root/.ssh/authorized_keys'), readFileSync(`${this.sshKey}.pub`), {
        mode: 0o600,
      });
    }
    const logFile = join(base, 'console.log');
    const fd = openSync(logFile, 'a');
    const child = spawn(
      'systemd-nspawn',
      [
        '--register=no',
        '--keep-unit',
        '--boot',
        `--directory=${merged}`,
        `--machine=${name}`,
        '--console=read-only',
      ],
      {
        detached: true,
        stdio: ['ignore', fd, fd],
        // systemd 257 in the container runs only on the unified cgroup hierarchy
        env: { ...process.env, SYSTEMD_NSPAWN_UNIFIED_HIERARCHY: '1' },
      },
    );
    closeSync(fd);
    child.unref();
    const pid = child.pid!;
    await waitUntil(`nspawn of ${name} to start`, () => startTicksOf(pid) !== undefined, 5000);
    this.recorded.set(name, { name, pid, startTicks: startTicksOf(pid)!, merged });
    this.save();
    await waitUntil(
      `sshd of ${name} on ${h.address} (console: ${logFile})`,
      async () => {
        if (!alive(this.recorded.get(name)!)) throw new Error(`systemd-nspawn of ${name} exited`);
        return (await this.ssh(name, 'true', 5000)).code === 0;
      },
      90_000,
    );
  }

  /** Runs `command` (a shell command line) on the host as root. */
  async ssh(name: string, command: string, timeoutMs = 60_000): Promise<SshResult> {
    const h = this.host(name);
    try {
      const { stdout, stderr } = await run(
        'ssh',
        [...sshOptions(this.sshKey), `root@${h.address}`, command],
        { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      );
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number | string; stdout?: string; stderr?: string; message: string };
      return {
        code: typeof e.code === 'number' ? e.code : 255,
        stdout: e.stdout ?? '',
        stderr: e.stderr ?? e.message,
      };
    }
  }

  /** Like {@link ssh} but throws (naming the host, command and output) unless it exits 0. */
  async sshOk(name: string, command: string, timeoutMs = 60_000): Promise<string> {
    const r = await this.ssh(name, command, timeoutMs);
    if (r.code !== 0)
      throw new Error(`${name}: '${command}' exited ${r.code}: ${(r.stderr || r.stdout).trim()}`);
    return r.stdout;
  }

  /** Powers the host off (SIGTERM to its nspawn: an orderly shutdown) and waits until it is gone. */
  async stop(name: string): Promise<void> {
    const r = this.recorded.get(name);
    if (!r || !alive(r)) return;
    this.log(`stopping container ${name}`);
    await stopRecorded(r);
  }

  /** True while the host's nspawn runs. */
  running(name: string): boolean {
    const r = this.recorded.get(name);
    return r !== undefined && alive(r);
  }

  /**
   * Stops every host, unmounts the overlays; with `remove`, deletes the
   * hosts' directories, and then powers them off at once (their services
   * are not stopped: nothing on them is kept).
   */
  async down(remove: boolean): Promise<void> {
    await Promise.all(
      [...this.recorded.values()].filter(alive).map((r) => (remove ? powerOffNow(r) : stopRecorded(r))),
    );
    // every host at once: each upper layer holds thousands of files (PostgreSQL, the package)
    await Promise.all(
      [...this.hosts.keys()].map(async (name) => {
        const merged = this.rootOf(name);
        if (await isMounted(merged)) await run('umount', [merged]).catch(() => run('umount', ['-l', merged]));
        if (remove) await rm(join(this.workDir, name), { recursive: true, force: true });
      }),
    );
  }
}

/** Immediate poweroff of a container (SIGRTMIN+14 to its init); an orderly stop if that does not end it in 15 s. */
async function powerOffNow(r: Recorded): Promise<void> {
  const init = initOf(r);
  if (init !== undefined) {
    try {
      process.kill(init, SIGRTMIN_PLUS_14);
      await waitUntil(`container ${r.name} to power off at once`, () => !alive(r), 15_000);
      return;
    } catch {
      // the orderly stop below
    }
  }
  await stopRecorded(r);
}

async function stopRecorded(r: Recorded): Promise<void> {
  try {
    process.kill(r.pid, 'SIGTERM');
  } catch {
    return;
  }
  try {
    await waitUntil(`container ${r.name} to power off`, () => !alive(r), 60_000);
  } catch {
    if (alive(r)) process.kill(r.pid, 'SIGKILL');
    await waitUntil(`container ${r.name} to end`, () => !alive(r), 10_000);
  }
}
