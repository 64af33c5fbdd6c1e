/**
 * YAML output read by Patroni and patronictl (PyYAML, a YAML 1.1 parser).
 */
import { stringify } from 'yaml';

/**
 * Serialises `value` as YAML 1.1, so strings that YAML 1.1 reads as other
 * types (`on`, `off`, `yes`, `no`, `y`, octal-looking numbers) are quoted:
 * PyYAML would otherwise turn `ssl: on` into a boolean.
 */
export function toYaml(value: unknown): string {
  return stringify(value, { version: '1.1', lineWidth: 0 });
}
