/**
 * Test support: reads a Prometheus text exposition (format 0.0.4,
 * prometheus.io/docs/instrumenting/exposition_formats) twice over: with
 * parse-prometheus-text-format (a port of the Prometheus Python client's
 * parser; its output is prom2json's shape), and with a strict line check of
 * its own, since that parser is lenient: every line is a `# HELP`, a
 * `# TYPE` or a sample; a family's HELP and TYPE come once, before its
 * samples (a histogram's and summary's `_bucket`, `_sum`, `_count` samples
 * belong to their family); names match `[a-zA-Z_:][a-zA-Z0-9_:]*`, label names
 * `[a-zA-Z_][a-zA-Z0-9_]*` (not `__`-prefixed); label values use only the
 * escapes `\\`, `\"`, `\n`; values are Go floats; a counter's samples end in
 * `_total`; no sample (name and labels) appears twice.
 */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

/** One family as parsed. */
export interface ParsedFamily {
  name: string;
  help: string;
  type: string;
  metrics: { labels?: Record<string, string>; value: string }[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const VALUE = '(?:[+-]?(?:\\d+\\.?\\d*(?:[eE][+-]?\\d+)?|\\.\\d+(?:[eE][+-]?\\d+)?)|[+-]Inf|NaN)';
const SAMPLE = new RegExp(`^(${NAME})(\\{(?:${LABEL}(?:,${LABEL})*,?)?\\})? (${VALUE})( -?\\d+)?$`);
const HELP = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);

/**
 * Checks `text` (module doc) and returns the parsed families by name.
 * @throws Error naming the line and what is wrong.
 */
export function checkExposition(text: string): Map<string, ParsedFamily> {
  const helped = new Set<string>();
  const typed = new Map<string, string>();
  const sampled = new Set<string>();
  const seen = new Set<string>();
  text.split('\n').forEach((line, i) => {
    const where = `line ${i + 1} '${line.slice(0, 120)}'`;
    if (line === '') return;
    let m = HELP.exec(line);
    if (m) {
      if (helped.has(m[1]!) || sampled.has(m[1]!)) throw new Error(`${where}: HELP again or after samples`);
      helped.add(m[1]!);
      return;
    }
    m = TYPE.exec(line);
    if (m) {
      if (typed.has(m[1]!) || sampled.has(m[1]!)) throw new Error(`${where}: TYPE again or after samples`);
      typed.set(m[1]!, m[2]!);
      return;
    }
    if (line.startsWith('#')) throw new Error(`${where}: a comment that is neither HELP nor TYPE`);
    m = SAMPLE.exec(line);
    if (!m) throw new Error(`${where}: not a sample line`);
    const sampleName = m[1]!;
    if (m[2] && /[{,]__/.test(m[2])) throw new Error(`${where}: a label name starting with __ is reserved`);
    // a histogram's or summary's samples are <family>_bucket, _sum, _count (and the family itself for quantiles)
    const base = sampleName.replace(/_(bucket|sum|count)$/, '');
    const family = typed.has(sampleName)
      ? sampleName
      : ['histogram', 'summary'].includes(typed.get(base) ?? '')
        ? base
        : undefined;
    if (family === undefined) throw new Error(`${where}: no TYPE before the first sample of ${sampleName}`);
    const name = family;
    const type = typed.get(name)!;
    if (type === 'counter' && !name.endsWith('_total'))
      throw new Error(`${where}: a counter not named *_total`);
    const key = `${sampleName}${m[2] ?? ''}`;
    if (seen.has(key)) throw new Error(`${where}: the same sample twice`);
    seen.add(key);
    sampled.add(name);
  });
  const families = parsePrometheusTextFormat(text) as ParsedFamily[];
  return new Map(families.map((f) => [f.name, f]));
}
