/**
 * Readiness and reload notifications to systemd for `Type=notify` services
 * (pharos-agent.service, pharos-web.service; packaging/systemd/).
 *
 * The protocol (sd_notify(3)): a datagram of `KEY=value` lines to the
 * AF_UNIX socket named by `$NOTIFY_SOCKET`. Node.js has no AF_UNIX datagram
 * sockets, so the message is sent by systemd's own `systemd-notify` program
 * (package systemd on every target: Debian 12/13, RHEL 9). It is a child of
 * the service's main process, so the units set `NotifyAccess=all`; by default
 * `systemd-notify` waits until the service manager has processed the message
 * (sd_notify_barrier, systemd >= 246), so the message is attributed to the
 * unit even though the sender exits at once. `MAINPID=` names this process.
 *
 * Without `$NOTIFY_SOCKET` (not started by systemd, or not Type=notify)
 * nothing is sent and the functions resolve at once.
 */
import { execFile } from 'node:child_process';

/** Path of systemd's notification program (same on Debian and RHEL 9). */
export const SYSTEMD_NOTIFY = '/usr/bin/systemd-notify';

/** The states a service reports (sd_notify(3) variables). */
export type ServiceState = 'ready' | 'reloading' | 'stopping';

const ASSIGNMENTS: Record<ServiceState, string> = {
  ready: 'READY=1',
  reloading: 'RELOADING=1',
  stopping: 'STOPPING=1',
};

/** True when the process was started by systemd as a `Type=notify` service ($NOTIFY_SOCKET is set). */
export function underSystemdNotify(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.NOTIFY_SOCKET);
}

/**
 * Tells systemd the service's state (`ready` after start-up or a reload,
 * `reloading` when a reload begins, `stopping` on shutdown) with a
 * `STATUS=` line for `systemctl status`. Resolves when systemd processed it
 * (or at once when not under systemd). Never throws: a failed notification
 * is returned as an Error so the caller can log it (systemd then times the
 * start out, which names the unit).
 */
export function notifyService(
  state: ServiceState,
  status: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Error | undefined> {
  if (!underSystemdNotify(env)) return Promise.resolve(undefined);
  const args = [`--pid=${process.pid}`, ASSIGNMENTS[state], `STATUS=${status.replaceAll('\n', ' ')}`];
  return new Promise((resolve) => {
    execFile(SYSTEMD_NOTIFY, args, { env, timeout: 10_000 }, (err, _stdout, stderr) => {
      resolve(
        err ? new Error(`${SYSTEMD_NOTIFY} ${args.join(' ')}: ${stderr.trim() || err.message}`) : undefined,
      );
    });
  });
}
