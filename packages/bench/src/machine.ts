/**
 * The machine a benchmark ran on: enough to compare reports between
 * machines (CPU, memory, OS, kernel, and the versions of every real part).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, hostname, loadavg, release, totalmem } from 'node:os';

/** Facts about this machine. Versions are the programs' own `--version` output ('' when absent). */
export interface MachineInfo {
  hostname: string;
  /** First 8 hex digits of /etc/machine-id ('' when there is none). */
  machineId: string;
  cpuModel: string;
  cpus: number;
  memoryGiB: number;
  os: string;
  kernel: string;
  node: string;
  postgres: string;
  psql: string;
  patroni: string;
  etcd: string;
  /** 1, 5 and 15 minute load averages when the run started (the machine may be shared). */
  loadAverageAtStart: number[];
}

function version(cmd: string, args: string[] = ['--version']): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 })
      .split('\n')[0]!
      .trim();
  } catch {
    return '';
  }
}

function osName(): string {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? '';
  } catch {
    return '';
  }
}

/** The 1, 5 and 15 minute load averages now, rounded to 0.01. */
export function loadAverage(): number[] {
  return loadavg().map((x) => Math.round(x * 100) / 100);
}

/** Reads the facts; `postgresBinDir` is where the server binaries are (for `postgres --version`). */
export function machineInfo(postgresBinDir: string): MachineInfo {
  let machineId = '';
  try {
    machineId = readFileSync('/etc/machine-id', 'utf8').trim().slice(0, 8);
  } catch {
    /* none */
  }
  return {
    hostname: hostname(),
    machineId,
    cpuModel: cpus()[0]?.model ?? '',
    cpus: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: osName(),
    kernel: release(),
    node: process.version,
    postgres: version(`${postgresBinDir}/postgres`),
    psql: version('psql'),
    patroni: version('patroni'),
    etcd: version('etcd'),
    loadAverageAtStart: loadAverage(),
  };
}

/** The report's file name stem: `<YYYY-MM-DD>-<hostname>[-<machine id>]`, in the local date, file-name safe. */
export function reportStem(m: Pick<MachineInfo, 'hostname' | 'machineId'>, date = new Date()): string {
  const d = `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
  const who = [m.hostname, m.machineId]
    .filter(Boolean)
    .join('-')
    .replace(/[^A-Za-z0-9._-]/g, '_');
  return `${d}-${who || 'unknown'}`;
}
