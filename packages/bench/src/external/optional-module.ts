/**
 * Benchmarks other packages provide (the web API latency, the agent's probe
 * cost) are loaded at run time, so the harness builds and runs whether or
 * not they exist yet. A missing module or export is reported as "not
 * measured" with the reason; nothing is ever made up in its place.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Root of the workspace packages (packages/). */
const PACKAGES = fileURLToPath(new URL('../../../', import.meta.url));

/** A loaded export, or why it is not available. */
export type Optional<T> = { ok: true; value: T; file: string } | { ok: false; reason: string; file: string };

/**
 * Imports `packages/<relFile>` (a compiled .js file, e.g.
 * 'web/dist/bench/api-latency.js') and returns its export `name` when it is
 * a function. Reasons: "module missing", "export <name> missing", or the
 * import's error message.
 */
export async function loadOptionalFunction<T extends (...args: never[]) => unknown>(
  relFile: string,
  name: string,
): Promise<Optional<T>> {
  const file = `${PACKAGES}${relFile}`;
  const shown = `packages/${relFile}`;
  if (!existsSync(file)) return { ok: false, reason: `module missing (${shown})`, file: shown };
  try {
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const fn = mod[name];
    if (typeof fn !== 'function')
      return { ok: false, reason: `export ${name} missing in ${shown}`, file: shown };
    return { ok: true, value: fn as T, file: shown };
  } catch (err) {
    return { ok: false, reason: `cannot load ${shown}: ${(err as Error).message}`, file: shown };
  }
}

/** Result of an optional benchmark: its figures, or why there are none. */
export type OptionalFigures<F> =
  | { measured: true; source: string; seconds: number; figures: F }
  | { measured: false; source: string; reason: string };

/**
 * Loads `name` from `relFile` and runs it with `args`; a missing module or
 * export, or a run that throws, gives `measured: false` with the reason.
 */
export async function runOptional<F>(
  relFile: string,
  name: string,
  args: unknown[],
): Promise<OptionalFigures<F>> {
  const m = await loadOptionalFunction<(...a: unknown[]) => Promise<F>>(relFile, name);
  if (!m.ok) return { measured: false, source: m.file, reason: m.reason };
  const started = performance.now();
  try {
    const figures = await m.value(...args);
    return { measured: true, source: m.file, seconds: (performance.now() - started) / 1000, figures };
  } catch (err) {
    return { measured: false, source: m.file, reason: `failed: ${(err as Error).message}` };
  }
}
