/**
 * Test support: hostile values for the API fuzzer, by what a parameter or
 * body field is declared as (its JSON schema's `type`): wrong types, huge and
 * negative numbers, NUL bytes and other control characters, long strings,
 * SQL and path metacharacters, unknown fields (security review L2). Each
 * value has a short label, so a failing case names what was sent.
 */

/** One hostile value and what it is. */
export interface Hostile {
  label: string;
  value: unknown;
}

/** A JSON schema, as far as the fuzzer reads it. */
export interface Schema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  pattern?: string;
  format?: string;
  anyOf?: Schema[];
  oneOf?: Schema[];
  additionalProperties?: boolean | Schema;
  default?: unknown;
}

const NUL_STRINGS: Hostile[] = [
  { label: 'NUL alone', value: '\u0000' },
  { label: 'NUL inside', value: 'a\u0000b' },
  { label: 'startup-packet injection', value: 'x\u0000options\u0000-c work_mem=64kB' },
];

const STRINGS: Hostile[] = [
  ...NUL_STRINGS,
  { label: 'empty string', value: '' },
  { label: 'control characters', value: 'a\r\nb\u001b[31m' },
  { label: 'RTL override and emoji', value: 'x\u202e\u{1f600}' },
  { label: 'lone surrogate', value: '\ud800' },
  { label: 'SQL metacharacters', value: "x'; DROP TABLE pem.agent;--" },
  { label: 'path traversal', value: '../../etc/passwd' },
  { label: '4000 characters', value: 'x'.repeat(4000) },
];

const INTEGERS: Hostile[] = [
  { label: '2^31', value: 2147483648 },
  { label: '-2^31-1', value: -2147483649 },
  { label: '2^53', value: 9007199254740992 },
  { label: '1e20', value: 1e20 },
  { label: '1e308', value: 1e308 },
  { label: '-1', value: -1 },
  { label: '0', value: 0 },
  { label: '1.5', value: 1.5 },
];

const NUMBERS: Hostile[] = [
  { label: '1e308', value: 1e308 },
  { label: '-1e308', value: -1e308 },
  { label: '5e-324', value: 5e-324 },
];

const WRONG_TYPES: Hostile[] = [
  { label: 'a string', value: 'abc' },
  { label: 'a number', value: 12345 },
  { label: 'true', value: true },
  { label: 'null', value: null },
  { label: 'an object', value: { zzz: 1 } },
  { label: 'an array', value: [1, 'a', null] },
  { label: 'an empty array', value: [] },
];

/** The declared types of `s` (all JSON types when it declares none). */
export function typesOf(s: Schema | undefined): string[] {
  if (!s) return ['string', 'integer', 'number', 'boolean', 'array', 'object'];
  if (s.type) return Array.isArray(s.type) ? s.type : [s.type];
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return [...new Set(alts.flatMap(typesOf))];
  if (s.enum || s.const !== undefined) return ['string'];
  return ['string', 'integer', 'number', 'boolean', 'array', 'object'];
}

/** Hostile JSON values for a body field declared as `s`. */
export function hostileJson(s: Schema | undefined): Hostile[] {
  const types = typesOf(s);
  const out: Hostile[] = [...WRONG_TYPES];
  if (types.includes('string'))
    out.push(...STRINGS, { label: 'not an enum member', value: 'zz-not-a-member' });
  if (types.includes('integer')) out.push(...INTEGERS);
  if (types.includes('number')) out.push(...NUMBERS);
  if (types.includes('array')) {
    out.push(
      { label: 'array with NUL string', value: ['a\u0000b'] },
      { label: 'array with objects', value: [{}, { zzz: 1 }] },
      { label: 'array of 3000', value: Array.from({ length: 3000 }, (_, i) => i) },
    );
  }
  if (types.includes('object')) {
    out.push(
      { label: 'object with NUL key', value: { 'a\u0000b': 'x' } },
      { label: 'object with NUL value', value: { a: 'x\u0000y' } },
      { label: 'nested 50 deep', value: nested(50) },
    );
  }
  return out;
}

/** Hostile texts for a path or query parameter (always sent as text). */
export function hostileText(s: Schema | undefined): Hostile[] {
  const types = typesOf(s);
  const out: Hostile[] = [
    { label: 'a word', value: 'abc' },
    { label: 'NUL', value: '\u0000' },
    { label: 'NUL inside', value: '1\u00002' },
    { label: 'SQL metacharacters', value: "1'; select pg_sleep(3)--" },
    { label: 'RTL override', value: '\u202e1' },
    { label: '190 characters', value: '9'.repeat(190) },
    { label: 'empty', value: '' },
  ];
  if (types.includes('integer') || types.includes('number')) {
    out.push(
      { label: '2^31', value: '2147483648' },
      { label: '2^63', value: '9223372036854775808' },
      { label: '30 digits', value: '999999999999999999999999999999' },
      { label: '-1', value: '-1' },
      { label: '1.5', value: '1.5' },
      { label: '1e3', value: '1e3' },
      { label: '0x10', value: '0x10' },
      { label: 'Infinity', value: 'Infinity' },
    );
  }
  if (types.includes('string') && s?.format === 'date-time') {
    out.push(
      { label: 'year 275760', value: '+275760-09-13T00:00:00Z' },
      { label: 'February 30', value: '2026-02-30T00:00:00Z' },
      { label: 'offset +99:99', value: '2026-01-01T00:00:00+99:99' },
    );
  }
  return out;
}

function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/**
 * A value that fits `s`, as far as one can be made without knowing the
 * route: the default, the first enum member, the minimum, a short string
 * within the length bounds; objects get their required properties. Not
 * guaranteed valid (patterns and formats are not solved): the fuzzer checks.
 */
export function plausible(s: Schema | undefined): unknown {
  if (!s) return 'x';
  if (s.default !== undefined) return s.default;
  if (s.const !== undefined) return s.const;
  if (s.enum && s.enum.length > 0) return s.enum[0];
  const alts = s.anyOf ?? s.oneOf;
  if (alts && alts.length > 0) return plausible(alts.find((a) => a.type !== 'null') ?? alts[0]);
  const type = typesOf(s).find((t) => t !== 'null') ?? 'string';
  switch (type) {
    case 'integer':
    case 'number':
      return s.minimum !== undefined && s.minimum > 1 ? s.minimum : 1;
    case 'boolean':
      return true;
    case 'array':
      return Array.from({ length: s.minItems ?? 0 }, () => plausible(s.items));
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const k of s.required ?? []) o[k] = plausible(s.properties?.[k]);
      return o;
    }
    default:
      if (s.format === 'date-time') return new Date().toISOString();
      if (s.format === 'email') return 'fuzz@example.com';
      return 'fuzz'.padEnd(s.minLength ?? 1, 'z').slice(0, Math.max(s.maxLength ?? 64, 1));
  }
}
