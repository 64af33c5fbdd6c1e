/**
 * Polls every web instance's /api/health during an operation (the rolling
 * upgrade): one round every `intervalMs`, all instances at once, each with a
 * timeout; records per round how many answered 200 and their versions.
 */
import { request } from 'node:https';

/** One round of polls. */
export interface PollRound {
  at: number;
  /** Instances that answered 200, by URL, with the version they reported. */
  answered: Map<string, string>;
}

function health(url: string, ca: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request(`${url}api/health`, { ca, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => {
        if (res.statusCode !== 200) return resolve(undefined);
        try {
          resolve(String((JSON.parse(body) as { version?: unknown }).version ?? ''));
        } catch {
          resolve(undefined);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** Starts polling `urls` (https://address:port/) trusting `ca` (PEM). stop() resolves with every round. */
export function pollWebInstances(
  urls: readonly string[],
  ca: string,
  intervalMs = 250,
  timeoutMs = 2000,
): { stop(): Promise<PollRound[]> } {
  const rounds: PollRound[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const at = Date.now();
      const versions = await Promise.all(urls.map((u) => health(u, ca, timeoutMs)));
      const answered = new Map<string, string>();
      versions.forEach((v, i) => {
        if (v !== undefined) answered.set(urls[i]!, v);
      });
      rounds.push({ at, answered });
      const wait = intervalMs - (Date.now() - at);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return rounds;
    },
  };
}
