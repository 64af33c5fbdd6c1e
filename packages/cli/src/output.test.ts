/* What list commands print (output.ts), stdout captured. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { columns, printList } from './output.js';

/** Runs `fn` and returns what it wrote on stdout. */
function stdoutOf(fn: () => void): string {
  const out: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => {
    out.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    fn();
  } finally {
    process.stdout.write = write;
  }
  return out.join('');
}

describe('list output', () => {
  const rows = [
    { id: 1, name: 'db1' },
    { id: 12, name: 'replica' },
  ];
  const table = (items: typeof rows) =>
    columns([['ID', 'NAME'], ...items.map((r) => [String(r.id), r.name])]);

  it('prints the items as one JSON document with --json', () => {
    assert.deepEqual(JSON.parse(stdoutOf(() => printList(rows, true, 'no servers', table))), rows);
    assert.equal(
      stdoutOf(() => printList([], true, 'no servers', table)),
      '[]\n',
    );
  });

  it('says so when there are none, else prints the lines, columns padded without trailing spaces', () => {
    assert.equal(
      stdoutOf(() => printList([], false, 'no servers', table)),
      'no servers\n',
    );
    assert.equal(
      stdoutOf(() => printList(rows, undefined, 'no servers', table)),
      'ID  NAME\n1   db1\n12  replica\n',
    );
    assert.deepEqual(
      columns([
        ['A', 'B', 'C'],
        ['long', '', 'x'],
      ]),
      ['A     B  C', 'long     x'],
    );
  });
});
