/**
 * Makes the error of a catalogue code: `throw pharosError('PHAROS_WEBHOOK_URL_INVALID',
 * { name }, { field: 'url' })`. The code's entry (catalog.ts) gives the kind (the
 * class), the HTTP status, the exit code and the message template, whose
 * `{placeholder}`s the params fill; TypeScript checks that every placeholder
 * of the template is given.
 */
import { ERRORS, type ErrorCode, type ErrorKind } from './catalog.js';
import { ConfigError, ConnectError, InputError, PharosError, type PharosErrorOptions } from './kinds.js';

/** The `{name}` placeholders of a template, as a union of names. */
export type Placeholders<T extends string> = T extends `${string}{${infer P}}${infer R}`
  ? P | Placeholders<R>
  : never;

/** What fills a placeholder (written as a template literal would: `undefined` too). */
export type ParamValue = string | number | bigint | boolean | null | undefined;

/** The params object of code `C`: one value per placeholder of its template. */
export type ParamsOf<C extends ErrorCode> = {
  [K in Placeholders<(typeof ERRORS)[C]['message']>]: ParamValue;
};

/** The arguments after the code: params (omitted when the template has none) and options. */
export type ErrorArgs<C extends ErrorCode> = [Placeholders<(typeof ERRORS)[C]['message']>] extends [never]
  ? [params?: Record<string, never>, options?: PharosErrorOptions]
  : [params: ParamsOf<C>, options?: PharosErrorOptions];

/** The class of each kind. */
const KIND_CLASSES = {
  input: InputError,
  config: ConfigError,
  connect: ConnectError,
  state: PharosError,
  internal: PharosError,
} as const satisfies Record<ErrorKind, typeof PharosError>;

/** The class an error of code `C` is an instance of. */
export type ErrorOf<C extends ErrorCode> = InstanceType<(typeof KIND_CLASSES)[(typeof ERRORS)[C]['kind']]>;

/** Fills the `{placeholder}`s of `template` from `params` (a missing one stays as written). */
export function fillTemplate(template: string, params: Readonly<Record<string, ParamValue>>): string {
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

/** The message of code `code` with `params` filled in. */
export function errorMessage<C extends ErrorCode>(code: C, ...[params]: ErrorArgs<C>): string {
  return fillTemplate(ERRORS[code].message, (params ?? {}) as Record<string, ParamValue>);
}

/** Makes the error of catalogue code `code` (see the module note). */
export function pharosError<C extends ErrorCode>(code: C, ...args: ErrorArgs<C>): ErrorOf<C> {
  const [params, options] = args;
  const Kind = KIND_CLASSES[ERRORS[code].kind];
  return new Kind(code, fillTemplate(ERRORS[code].message, params ?? {}), options) as ErrorOf<C>;
}

/** True when `err` is a Pharos error of code `code` (tests and callers that branch on a code). */
export function hasCode(err: unknown, code: ErrorCode): boolean {
  return err instanceof PharosError && err.code === code;
}

/** True when `code` is a code of the catalogue (e.g. the `code` of a web API answer). */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERRORS, code);
}

/**
 * The error of catalogue code `code` with `message` already written (an
 * answer of the web API relayed by the CLI: its code, its words). The kind,
 * HTTP status and exit code come from the code's entry.
 */
export function errorOfCode(code: ErrorCode, message: string, options?: PharosErrorOptions): PharosError {
  const Kind = KIND_CLASSES[ERRORS[code].kind];
  return new Kind(code, message, options);
}

/**
 * `err` again (same code, kind and field) with `message`, e.g. an API
 * field's name replaced by the CLI flag that gave it; `err` is the cause.
 */
export function rephrased(err: PharosError, message: string): PharosError {
  return errorOfCode(err.code, message, { cause: err, ...(err.field ? { field: err.field } : {}) });
}
