/**
 * The key=value form of a connection string (§34.1.1.1 "Keyword/Value
 * Connection Strings"; libpq `conninfo_parse`): whitespace-separated
 * `key = value` pairs, values single-quoted or with `\\` escapes.
 */
import { pharosError } from '../errors/index.js';
import { type RawParams, storeParam } from './keywords.js';

const isSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';

/**
 * Parses the key=value form into `raw` (libpq `conninfo_parse`).
 * @throws InputError for a missing `=`, an unterminated quote, or a key {@link storeParam} refuses
 */
export function parseKeyValue(text: string, raw: RawParams): void {
  let i = 0;
  const n = text.length;
  while (i < n) {
    if (isSpace(text[i])) {
      i++;
      continue;
    }
    const start = i;
    let name = '';
    while (i < n) {
      if (text[i] === '=') break;
      if (isSpace(text[i])) {
        name = text.slice(start, i);
        while (i < n && isSpace(text[i])) i++;
        break;
      }
      i++;
    }
    if (name === '') name = text.slice(start, i);
    if (text[i] !== '=')
      throw pharosError('PHAROS_CONNINFO_SYNTAX', {
        detail: `missing "=" after "${name}" in connection info string`,
      });
    i++;
    while (i < n && isSpace(text[i])) i++;
    let value = '';
    if (text[i] !== "'") {
      while (i < n) {
        const c = text[i]!;
        if (isSpace(c)) {
          i++;
          break;
        }
        if (c === '\\') {
          i++;
          if (i < n) value += text[i++];
        } else {
          value += c;
          i++;
        }
      }
    } else {
      i++;
      for (;;) {
        if (i >= n)
          throw pharosError('PHAROS_CONNINFO_SYNTAX', {
            detail: 'unterminated quoted string in connection info string',
          });
        const c = text[i]!;
        if (c === '\\') {
          i++;
          if (i < n) value += text[i++];
          continue;
        }
        if (c === "'") {
          i++;
          break;
        }
        value += c;
        i++;
      }
    }
    storeParam(raw, name, value, false);
  }
}
