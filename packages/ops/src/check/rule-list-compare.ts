/**
 * Compares two ordered HBA rule lists (canonical forms, see hba-rule.ts):
 * pg_hba is first-match, so the order matters as much as the rules.
 */

/** The outcome: equal, or the differences in words. */
export interface RuleListComparison {
  equal: boolean;
  /** Rule counts (planned, actual). */
  planned: number;
  actual: number;
  /** Sentences: the first position that differs, rules missing, rules not planned. Empty when equal. */
  differences: string[];
}

const MAX_LISTED = 3;

function listed(rules: string[]): string {
  const shown = rules.slice(0, MAX_LISTED).map((r) => `'${r}'`);
  return rules.length > MAX_LISTED
    ? `${shown.join(', ')} and ${rules.length - MAX_LISTED} more`
    : shown.join(', ');
}

/**
 * Compares `actual` with `planned`, position by position (1-based in the
 * text). Differences: the first differing position with both rules (or the
 * one that exists), the other planned rules absent from `actual`, the
 * other rules of `actual` not in the plan, and "another order" when a rule
 * of the first difference exists elsewhere in the other list.
 */
export function compareRuleLists(planned: string[], actual: string[]): RuleListComparison {
  const n = Math.max(planned.length, actual.length);
  let first = -1;
  for (let i = 0; i < n; i++) {
    if (planned[i] !== actual[i]) {
      first = i;
      break;
    }
  }
  if (first === -1) return { equal: true, planned: planned.length, actual: actual.length, differences: [] };
  const differences: string[] = [];
  const p = planned[first];
  const a = actual[first];
  if (p !== undefined && a !== undefined) differences.push(`rule ${first + 1} is '${a}', planned '${p}'`);
  else if (a === undefined) differences.push(`rule ${first + 1} '${p}' and later are missing`);
  else differences.push(`rule ${first + 1} '${a}' and later are not planned`);
  // The rules of the first difference are named already.
  const missing = planned.filter((r) => !actual.includes(r) && r !== p);
  const extra = actual.filter((r) => !planned.includes(r) && r !== a);
  const moved = (p !== undefined && actual.includes(p)) || (a !== undefined && planned.includes(a));
  if (missing.length > 0) differences.push(`missing: ${listed(missing)}`);
  if (extra.length > 0) differences.push(`not planned: ${listed(extra)}`);
  if (moved) differences.push('rules are in another order (the first match decides)');
  return { equal: false, planned: planned.length, actual: actual.length, differences };
}
