/**
 * Runs a playbook of a plan (`<plan>/ansible/`) against the test's hosts over
 * SSH, as an operator would: `ansible-playbook` (Debian's ansible) from the
 * plan's ansible directory, as root with the test's key. Output goes to a
 * log file; the PLAY RECAP is parsed for the assertions (changed=0 on a
 * second run).
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';

/** One host's line of the PLAY RECAP. */
export interface RecapLine {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
}

/** The outcome of one ansible-playbook run. */
export interface PlaybookRun {
  code: number;
  /** Host name -> its recap counts. */
  recap: Map<string, RecapLine>;
  durationMs: number;
  logFile: string;
  /** The last lines of the output, for failure messages. */
  tail: string;
}

/** Parses the PLAY RECAP lines of ansible-playbook's output. */
export function parseRecap(output: string): Map<string, RecapLine> {
  const recap = new Map<string, RecapLine>();
  const at = output.lastIndexOf('PLAY RECAP');
  if (at < 0) return recap;
  for (const line of output.slice(at).split('\n').slice(1)) {
    const m = /^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/.exec(line);
    if (!m) continue;
    recap.set(m[1]!, {
      ok: Number(m[2]),
      changed: Number(m[3]),
      unreachable: Number(m[4]),
      failed: Number(m[5]),
    });
  }
  return recap;
}

/**
 * Runs `playbook` in `<planDir>/ansible` with `extraVars` (-e key=value) and
 * the SSH key. Resolves when it ends (whatever the exit code).
 */
export function runPlaybook(opts: {
  planDir: string;
  playbook: string;
  sshKey: string;
  extraVars?: Record<string, string>;
  logFile: string;
  args?: string[];
}): Promise<PlaybookRun> {
  const t0 = Date.now();
  const argv = [opts.playbook, '-u', 'root', '--private-key', opts.sshKey, ...(opts.args ?? [])];
  for (const [k, v] of Object.entries(opts.extraVars ?? {})) argv.push('-e', `${k}=${v}`);
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  log.write(`\n=== ansible-playbook ${argv.join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn('ansible-playbook', argv, {
      cwd: join(opts.planDir, 'ansible'),
      env: {
        ...process.env,
        ANSIBLE_HOST_KEY_CHECKING: 'False',
        // fresh host keys per test run: trust them, remember none
        ANSIBLE_SSH_ARGS:
          '-o ControlMaster=auto -o ControlPersist=120s -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no',
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_CALLBACKS_ENABLED: 'ansible.posix.profile_tasks',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const take = (chunk: Buffer) => {
      out += chunk.toString();
      log.write(chunk);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code) => {
      log.end();
      resolve({
        code: code ?? 1,
        recap: parseRecap(out),
        durationMs: Date.now() - t0,
        logFile: opts.logFile,
        tail: out.split('\n').slice(-60).join('\n'),
      });
    });
  });
}
