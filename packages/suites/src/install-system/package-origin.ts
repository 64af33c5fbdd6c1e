/**
 * Which Debian release an installed package version comes from, read from
 * the two tools Debian has for it (pure parsers of their output):
 *
 * - `dpkg-query -W -f '${Package}\t${Version}\t${db:Status-Abbrev}\n'`:
 *   the installed packages (status `ii`) and their versions;
 * - `apt-cache madison NAME...`: one line per version the configured
 *   archives carry, `NAME | VERSION | URI SUITE/COMPONENT ARCH Packages`
 *   (apt-cache(8), "madison").
 *
 * A version belongs to every release whose suites carry it: an
 * architecture-independent package at the same version in Debian 12 and 13
 * (libjson-perl 4.10000-1) is Debian 12's own package on a Debian 12 system.
 */

/** Debian release number by codename (the suites `<codename>`, `-updates`, `-security`). */
export const DEBIAN_CODENAMES: Readonly<Record<string, number>> = { bookworm: 12, trixie: 13 };

/** Installed packages: name -> version, from the dpkg-query format above (only status `ii`). */
export function parseDpkgQuery(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [name, version, status] = line.split('\t');
    if (name && version && status?.trim() === 'ii') out.set(name, version);
  }
  return out;
}

/** One line of `apt-cache madison`. */
export interface MadisonRow {
  name: string;
  version: string;
  /** The suite, e.g. `bookworm-security` (from `bookworm-security/main`); '' for a line without one. */
  suite: string;
}

/** Parses `apt-cache madison` output (lines that are not `a | b | c` are ignored). */
export function parseMadison(text: string): MadisonRow[] {
  const rows: MadisonRow[] = [];
  for (const line of text.split('\n')) {
    const parts = line.split('|').map((p) => p.trim());
    if (parts.length !== 3 || !parts[0] || !parts[1]) continue;
    const where = parts[2]!.split(/\s+/);
    rows.push({ name: parts[0], version: parts[1], suite: (where[1] ?? '').split('/')[0]! });
  }
  return rows;
}

/** The release number of a suite (`trixie-updates` -> 13), undefined for a codename not in {@link DEBIAN_CODENAMES}. */
export function releaseOfSuite(suite: string): number | undefined {
  return DEBIAN_CODENAMES[suite.split('-')[0]!];
}

/**
 * For each installed package: the releases whose archives carry its
 * installed version (empty when no configured archive has it).
 */
export function releasesOfInstalled(
  installed: Map<string, string>,
  madison: MadisonRow[],
): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  for (const name of installed.keys()) out.set(name, new Set());
  for (const row of madison) {
    if (installed.get(row.name) !== row.version) continue;
    const release = releaseOfSuite(row.suite);
    if (release !== undefined) out.get(row.name)!.add(release);
  }
  return out;
}
