/**
 * The life cycle of a long-running command (`pharos agent run`, `pharos web
 * run`) as a systemd service (packaging/systemd/pharos-*.service):
 *
 * - start: load the configuration, start, then tell systemd `READY=1`
 *   (Type=notify; @pharos/core/service-notify);
 * - SIGHUP (`systemctl reload`): load the configuration again; when it is
 *   invalid, log why and keep running with the old one; otherwise
 *   `RELOADING=1`, stop the running instance gracefully (the agent's spool
 *   is closed on disk: every sample stays in it, and a batch in flight keeps
 *   its id), start with the new configuration, `READY=1`. A start that fails
 *   after the stop ends the process with exit code 1 (systemd restarts it:
 *   Restart=on-failure);
 * - SIGTERM/SIGINT: `STOPPING=1`, stop gracefully, resolve.
 *
 * Messages go to stderr (the journal under systemd).
 */
import { messageOf } from '@pharos/core/errors';
import { notifyService } from '@pharos/core/service-notify';

/** What a service command provides. */
export interface ServiceDefinition<C, H> {
  /** The component's name in messages: `agent`, `web`. */
  name: string;
  /** Reads and validates the configuration. @throws on an invalid or unreadable file. */
  load(): C;
  /** Starts with a loaded configuration; resolves once running. */
  start(config: C): Promise<H>;
  /** Stops gracefully. */
  stop(handle: H): Promise<void>;
  /** One line for `systemctl status` (STATUS=) once running. */
  status(handle: H, config: C): string;
}

/**
 * Runs `def` until SIGTERM or SIGINT (see the module note). Resolves after
 * the graceful stop. Rejects when the first start fails (the caller reports
 * it and exits non-zero).
 */
export async function runService<C, H>(def: ServiceDefinition<C, H>): Promise<void> {
  const say = (line: string) => process.stderr.write(`pharos ${def.name}: ${line}\n`);
  const notify = async (state: 'ready' | 'reloading' | 'stopping', status: string) => {
    const err = await notifyService(state, status);
    if (err) say(`could not notify systemd: ${err.message}`);
  };
  let config = def.load();
  let handle = await def.start(config);
  await notify('ready', def.status(handle, config));

  let queue: Promise<void> = Promise.resolve();
  let stopped = false;
  const reload = async () => {
    if (stopped) return;
    let next: C;
    try {
      next = def.load();
    } catch (err) {
      say(`reload refused, still running with the previous configuration: ${messageOf(err)}`);
      await notify('ready', `reload refused (${messageOf(err)}); ${def.status(handle, config)}`);
      return;
    }
    await notify('reloading', 'reloading the configuration');
    say('reloading: stopping gracefully, then starting with the new configuration');
    await def.stop(handle);
    try {
      handle = await def.start(next);
    } catch (err) {
      say(`could not start with the new configuration: ${messageOf(err)}`);
      process.exit(1);
    }
    config = next;
    say('reloaded');
    await notify('ready', def.status(handle, config));
  };
  const onHup = () => {
    queue = queue.then(reload);
  };
  process.on('SIGHUP', onHup);
  await new Promise<void>((resolve) => {
    const stop = () => {
      stopped = true;
      process.off('SIGHUP', onHup);
      queue = queue.then(async () => {
        await notify('stopping', 'stopping');
        await def.stop(handle).catch((err) => say(`stop: ${messageOf(err)}`));
      });
      void queue.then(resolve, resolve);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
