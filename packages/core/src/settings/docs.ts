/**
 * Writes the reference of a settings file (a section of docs/settings.md)
 * from its declaration: one table row per field, nested fields as
 * `pem.superuser` and list items as `etcd[].name`, with the type and range,
 * the default, whether it is required and the field's description, all read
 * from the zod schema (its JSON Schema, `z.toJSONSchema`, on the input side).
 */
import { z } from 'zod';
import type { SettingsFile } from './load.js';

interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
}

/** Largest safe integer, which zod writes as the bound of an unbounded integer. */
const SAFE = Number.MAX_SAFE_INTEGER;

function typeOf(s: JsonSchema): string {
  if (s.anyOf) return s.anyOf.map(typeOf).join(' or ');
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(', ');
  if (s.type === 'array') return `list of ${s.items ? typeOf(s.items) : 'values'}`;
  if (s.type === 'object') return 'mapping';
  const bounds: string[] = [];
  if (s.minimum !== undefined && s.minimum > -SAFE) bounds.push(`≥ ${s.minimum}`);
  if (s.exclusiveMinimum !== undefined) bounds.push(`> ${s.exclusiveMinimum}`);
  if (s.maximum !== undefined && s.maximum < SAFE) bounds.push(`≤ ${s.maximum}`);
  if (s.exclusiveMaximum !== undefined) bounds.push(`< ${s.exclusiveMaximum}`);
  if (s.maxItems !== undefined) bounds.push(`at most ${s.maxItems}`);
  const t = Array.isArray(s.type) ? s.type.join(' or ') : (s.type ?? 'any');
  return bounds.length > 0 ? `${t} (${bounds.join(', ')})` : t;
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function rows(s: JsonSchema, prefix: string, out: string[]): void {
  const required = new Set(s.required ?? []);
  for (const [name, field] of Object.entries(s.properties ?? {})) {
    const path = `${prefix}${name}`;
    const dflt =
      field.default === undefined || (typeof field.default === 'object' && field.type === 'object')
        ? ''
        : `\`${JSON.stringify(field.default)}\``;
    out.push(
      `| \`${path}\` | ${cell(typeOf(field))} | ${required.has(name) ? 'yes' : 'no'} | ${dflt} | ${cell(field.description ?? '')} |`,
    );
    if (field.type === 'object' && field.properties) rows(field, `${path}.`, out);
    if (field.type === 'array' && field.items?.type === 'object') rows(field.items, `${path}[].`, out);
  }
}

/** The markdown table of `file`'s fields (see the module note). */
export function settingsTable<S extends z.ZodType>(file: SettingsFile<S>): string {
  const schema = z.toJSONSchema(file.schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const out = ['| field | type | required | default | meaning |', '|---|---|---|---|---|'];
  rows(schema, '', out);
  return out.join('\n');
}

/** Fields of `file` that have no description (a test keeps this empty). */
export function undescribedFields<S extends z.ZodType>(file: SettingsFile<S>): string[] {
  const schema = z.toJSONSchema(file.schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const missing: string[] = [];
  const walk = (s: JsonSchema, prefix: string) => {
    for (const [name, field] of Object.entries(s.properties ?? {})) {
      if (!field.description) missing.push(`${prefix}${name}`);
      if (field.type === 'object') walk(field, `${prefix}${name}.`);
      if (field.type === 'array' && field.items?.type === 'object') walk(field.items, `${prefix}${name}[].`);
    }
  };
  walk(schema, '');
  return missing;
}
