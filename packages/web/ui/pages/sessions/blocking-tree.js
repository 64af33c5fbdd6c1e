// @ts-check
// Who blocks whom among a server's sessions (pg_blocking_pids, read by the
// agent: packages/agent/src/monitor/live-sessions.ts), as a forest: a root
// is a session that blocks others and waits for no one in the set; its
// children are the sessions it blocks, and so on. A session blocked by
// several appears under each. Cycles (a deadlock not yet broken) are cut
// where a pid repeats on its own path. No DOM here: unit-tested under Node.

/** @typedef {{ pid: number, blockedBy: readonly number[] }} Blockable */
/**
 * @template {Blockable} S
 * @typedef {{ session: S, blocks: BlockNode<S>[] }} BlockNode
 */

/**
 * The blocking forest of `sessions` (only sessions that block or are blocked).
 * @template {Blockable} S
 * @param {readonly S[]} sessions
 * @returns {BlockNode<S>[]}
 */
export function blockingTree(sessions) {
  const byPid = new Map(sessions.map((s) => [s.pid, s]));
  /** @type {Map<number, S[]>} */
  const blocked = new Map();
  for (const s of sessions)
    for (const b of s.blockedBy) {
      const list = blocked.get(b) ?? [];
      list.push(s);
      blocked.set(b, list);
    }
  /**
   * @param {S} s
   * @param {Set<number>} path
   * @returns {BlockNode<S>}
   */
  const node = (s, path) => ({
    session: s,
    blocks: (blocked.get(s.pid) ?? [])
      .filter((c) => !path.has(c.pid))
      .map((c) => node(c, new Set([...path, c.pid]))),
  });
  const roots = sessions.filter((s) => blocked.has(s.pid) && s.blockedBy.every((b) => !byPid.has(b)));
  // a cycle with no way in: start at its lowest pid
  const seen = new Set();
  /** @param {BlockNode<S>} n */
  const mark = (n) => {
    seen.add(n.session.pid);
    n.blocks.forEach(mark);
  };
  const forest = roots.map((r) => node(r, new Set([r.pid])));
  forest.forEach(mark);
  for (const s of [...sessions].sort((a, b) => a.pid - b.pid))
    if (blocked.has(s.pid) && !seen.has(s.pid)) {
      const n = node(s, new Set([s.pid]));
      mark(n);
      forest.push(n);
    }
  return forest;
}
