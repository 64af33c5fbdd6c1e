/**
 * Test support: the API fuzzer's cases, made from the OpenAPI document the
 * web instance serves (GET /api/openapi.json), so every route — including
 * routes added later — is fuzzed without the fuzzer knowing it. For each
 * operation, one parameter or body field at a time gets a hostile value
 * (values.ts) while the rest of the request stays as valid as the caller
 * can make it; whole bodies of the wrong type and unknown fields are sent
 * too.
 *
 * A case of a mutating operation (POST, PUT, PATCH, DELETE) is made only
 * when the request MUST be refused: the operation's own schema rejects it
 * (checked here with Ajv under fastify's options: types coerced, defaults
 * applied, unknown fields kept), or its value can never be stored (a NUL in
 * a string, an integer outside PostgreSQL's integer), or the caller may not
 * make it at all (`ctx.mayChange` false: an anonymous caller, a reader on an
 * administrator's route; those also get the valid request). So any change
 * to what is stored after such a request is a defect, and so is any 5xx.
 * Reads get every hostile value.
 *
 * Each case names the input it made hostile (`field`: a path or query
 * parameter, or a top-level body property), so a 400 can be checked to name
 * it too.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
import { hostileJson, hostileText, plausible, type Schema, typesOf } from './values.js';

/** One request to send. */
export interface FuzzCase {
  method: string;
  /** Path and query, encoded. */
  url: string;
  /** `METHOD /path/{param}` of the operation. */
  operation: string;
  /** JSON body (undefined: none), or a raw text body. */
  body?: unknown;
  rawBody?: string;
  /** What was made hostile, e.g. `body.url: NUL inside`. */
  label: string;
  /** The parameter or top-level body property made hostile (a 400 must name it); undefined for the body as a whole. */
  field?: string;
  mutating: boolean;
}

/** The parts of an OpenAPI 3.1 document the fuzzer reads. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, Schema> };
}

interface OpenApiOperation {
  parameters?: { name: string; in: string; required?: boolean; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

/** What the caller knows of valid requests. */
export interface FuzzContext {
  /** A valid value of path parameter `name` of `path` (e.g. an existing webhook's id); default '1'. */
  pathValue(path: string, name: string): string;
  /** A valid body for `METHOD path` (default: made from the schema, see values.ts plausible()). */
  baseBody(operation: string): unknown;
  /** Operations not fuzzed, with the reason (e.g. logout would end the fuzzer's session). */
  skip: Record<string, string>;
  /** False when the caller may not change anything through `operation` (default true): every request must be refused. */
  mayChange?(operation: string): boolean;
}

const MUTATING = new Set(['post', 'put', 'patch', 'delete']);
const INT4_MAX = 2147483647;

/** `schema` with every local `$ref` replaced by what it points at. */
export function deref(schema: unknown, doc: OpenApiDocument, seen = new Set<string>()): unknown {
  if (Array.isArray(schema)) return schema.map((s) => deref(s, doc, seen));
  if (!schema || typeof schema !== 'object') return schema;
  const ref = (schema as { $ref?: unknown }).$ref;
  if (typeof ref === 'string' && ref.startsWith('#/components/schemas/') && !seen.has(ref)) {
    const target = doc.components?.schemas?.[ref.slice('#/components/schemas/'.length)];
    return deref(target, doc, new Set([...seen, ref]));
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = deref(v, doc, seen);
  return out;
}

/** Validators with fastify's Ajv options (fastify's default: coerceTypes 'array', useDefaults; Pharos keeps unknown fields). */
function validatorFactory(): (schema: Schema) => ValidateFunction {
  const ajv = new Ajv({
    coerceTypes: 'array',
    useDefaults: true,
    removeAdditional: false,
    allErrors: false,
    strict: false,
    validateSchema: false,
  });
  // ajv-formats is CommonJS: its default export arrives as the module object under NodeNext
  (formats as unknown as { default: (a: Ajv) => void }).default(ajv);
  const cache = new Map<string, ValidateFunction>();
  return (schema) => {
    const key = JSON.stringify(schema);
    const v = cache.get(key) ?? ajv.compile(schema);
    cache.set(key, v);
    return v;
  };
}

/** True when `v` holds a NUL anywhere (keys included): PostgreSQL stores no NUL in text or jsonb. */
function hasNul(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('\u0000');
  if (Array.isArray(v)) return v.some(hasNul);
  if (v && typeof v === 'object')
    return Object.entries(v).some(([k, x]) => k.includes('\u0000') || hasNul(x));
  return false;
}

/**
 * True when `v` is an integer (or integer text) outside PostgreSQL's integer
 * range and the field is declared an integer (a `number` field is stored as
 * double precision, a JSON field as jsonb: both hold it).
 */
function outsideInt4(v: unknown, field: Schema | undefined): boolean {
  const types = typesOf(field);
  if (!field || !types.includes('integer') || types.includes('number')) return false;
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && Math.abs(n) > INT4_MAX;
}

/** Every case of `doc` (see the module doc), in document order. */
export function fuzzCases(doc: OpenApiDocument, ctx: FuzzContext): { cases: FuzzCase[]; skipped: string[] } {
  const validator = validatorFactory();
  const cases: FuzzCase[] = [];
  const skipped: string[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, rawOp] of Object.entries(ops)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const operation = `${method.toUpperCase()} ${path}`;
      if (ctx.skip[operation]) {
        skipped.push(`${operation}: ${ctx.skip[operation]}`);
        continue;
      }
      const op = deref(rawOp, doc) as OpenApiOperation;
      cases.push(...operationCases(path, method, op, ctx, validator));
    }
  }
  return { cases, skipped };
}

function operationCases(
  path: string,
  method: string,
  op: OpenApiOperation,
  ctx: FuzzContext,
  validator: (s: Schema) => ValidateFunction,
): FuzzCase[] {
  const operation = `${method.toUpperCase()} ${path}`;
  const mutating = MUTATING.has(method);
  const mayChange = ctx.mayChange?.(operation) ?? true;
  const params = op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  const bodySchema = op.requestBody?.content?.['application/json']?.schema;
  const baseParams: Record<string, string> = {};
  for (const p of pathParams) baseParams[p.name] = ctx.pathValue(path, p.name);
  const baseQuery: Record<string, string> = {};
  for (const p of queryParams) if (p.required) baseQuery[p.name] = String(plausible(p.schema));
  const baseBody = bodySchema ? (ctx.baseBody(operation) ?? plausible(bodySchema)) : undefined;

  const urlOf = (pv: Record<string, string>, q: Record<string, string> | string) => {
    const filled = path.replace(/\{([^}]+)\}/g, (_, n: string) => encodeURIComponent(pv[n] ?? ''));
    const qs = typeof q === 'string' ? q : new URLSearchParams(q).toString();
    return qs ? `${filled}?${qs}` : filled;
  };
  const out: FuzzCase[] = [];
  const add = (c: Omit<FuzzCase, 'method' | 'operation' | 'mutating'>) =>
    out.push({ method: method.toUpperCase(), operation, mutating, ...c });
  /** For a mutating operation: true when the request must be refused (module doc). */
  const refused = (schema: Schema | undefined, data: unknown, value: unknown, field?: Schema) => {
    if (!mutating || !mayChange) return true;
    if (hasNul(value) || outsideInt4(value, field)) return true;
    if (!schema) return false;
    return !validator(schema)(structuredClone(data));
  };
  const withBody = (c: Omit<FuzzCase, 'method' | 'operation' | 'mutating' | 'body'>) =>
    bodySchema ? { ...c, body: baseBody } : c;

  const paramsSchema: Schema = {
    type: 'object',
    properties: Object.fromEntries(pathParams.map((p) => [p.name, p.schema ?? {}])),
  };
  for (const p of pathParams) {
    for (const h of hostileText(p.schema)) {
      const pv = { ...baseParams, [p.name]: String(h.value) };
      if (!refused(paramsSchema, pv, h.value, p.schema)) continue;
      add(withBody({ url: urlOf(pv, baseQuery), label: `path ${p.name}: ${h.label}`, field: p.name }));
    }
  }

  const querySchema: Schema = {
    type: 'object',
    properties: Object.fromEntries(queryParams.map((p) => [p.name, p.schema ?? {}])),
    additionalProperties: false,
  };
  for (const p of queryParams) {
    for (const h of hostileText(p.schema)) {
      const q = { ...baseQuery, [p.name]: String(h.value) };
      if (!refused(querySchema, q, h.value, p.schema)) continue;
      add(withBody({ url: urlOf(baseParams, q), label: `query ${p.name}: ${h.label}`, field: p.name }));
    }
    const twice = `${new URLSearchParams(baseQuery).toString()}&${p.name}=1&${p.name}=2`.replace(/^&/, '');
    if (!mutating)
      add({ url: urlOf(baseParams, twice), label: `query ${p.name} given twice`, field: p.name });
  }
  // an unknown query parameter: only where the route declares its query (otherwise it is ignored, and
  // a mutating request would simply be carried out)
  if (!mutating || queryParams.length > 0)
    add(
      withBody({
        url: urlOf(baseParams, { ...baseQuery, zzz_unknown: '1' }),
        label: 'unknown query parameter',
        field: 'zzz_unknown',
      }),
    );

  if (bodySchema) {
    const url = urlOf(baseParams, baseQuery);
    const props = bodySchema.properties ?? {};
    for (const [name, s] of Object.entries(props)) {
      for (const h of hostileJson(s)) {
        const body = { ...(baseBody as Record<string, unknown>), [name]: h.value };
        if (!refused(bodySchema, body, h.value, s)) continue;
        add({ url, body, label: `body.${name}: ${h.label}`, field: name });
      }
    }
    const unknown = { ...(baseBody as Record<string, unknown>), zzz_unknown: 1 };
    if (refused(bodySchema, unknown, undefined))
      add({ url, body: unknown, label: 'body: unknown field', field: 'zzz_unknown' });
    for (const h of [
      { label: 'an array', value: [] },
      { label: 'a string', value: 'x' },
      { label: 'a number', value: 1 },
      { label: 'null', value: null },
    ]) {
      if (refused(bodySchema, h.value, h.value)) add({ url, body: h.value, label: `body: ${h.label}` });
    }
    add({ url, rawBody: '{"__proto__": {"isAdmin": true}}', label: 'body: __proto__' });
    add({ url, rawBody: '{"a":', label: 'body: truncated JSON' });
  }
  // a caller who may change nothing here also sends the request as valid as it can be made
  if (mutating && !mayChange) add(withBody({ url: urlOf(baseParams, baseQuery), label: 'a valid request' }));
  return out;
}
