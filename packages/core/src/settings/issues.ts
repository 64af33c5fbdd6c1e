/**
 * Turns zod issues into the problems of a settings file: `<field>: <problem>`
 * naming the value, with the field written as in the file
 * (`backends[1].address`), e.g. `port: 70000 is too big (must be at most 65535)`.
 */
import type { z } from 'zod';

/** A control character (C0 or DEL): shown escaped, so a message stays on one line. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Shows a value in a message: strings in single quotes (as JSON when they
 * hold a control character such as a newline), everything else as JSON.
 */
export function show(value: unknown): string {
  if (typeof value === 'string') return CONTROL.test(value) ? JSON.stringify(value) : `'${value}'`;
  if (value === undefined) return 'nothing';
  return JSON.stringify(value);
}

/** Writes a path as the file spells it: `etcd[0].name`; the empty path is `(top level)`. */
export function fieldName(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(top level)' : out;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = data;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${show(value)}`;
}

const EXPECTED: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
};

/** One message per zod issue (unknown keys: one message per key). */
export function schemaProblems(issues: readonly z.core.$ZodIssue[], data: unknown): string[] {
  const problems: string[] = [];
  for (const issue of issues) {
    const field = fieldName(issue.path);
    const value = valueAt(data, issue.path);
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          problems.push(`${fieldName([...issue.path, key])}: unknown field ${show(key)}`);
        }
        break;
      case 'invalid_type':
        problems.push(
          value === undefined
            ? `${field}: required field is missing`
            : `${field}: expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${typeName(value)}`,
        );
        break;
      case 'invalid_value':
        problems.push(
          `${field}: ${show(value)} is not one of ${issue.values.map((v) => show(v)).join(', ')}`,
        );
        break;
      case 'too_small':
        problems.push(
          `${field}: ${show(value)} is too small (must be ${issue.inclusive ? 'at least' : 'over'} ${String(issue.minimum)})`,
        );
        break;
      case 'too_big':
        problems.push(
          `${field}: ${show(value)} is too big (must be ${issue.inclusive ? 'at most' : 'under'} ${String(issue.maximum)})`,
        );
        break;
      default:
        problems.push(
          issue.code === 'custom' && value !== undefined
            ? `${field}: ${show(value)} ${issue.message}`
            : `${field}: ${issue.message} (value ${show(value)})`,
        );
    }
  }
  return problems;
}
