/**
 * Where `pharos check` reads a host's Pharos configuration files (the
 * agent's `agent.yml`, the web instance's `web.yml`, as `pharos configure`
 * writes them: packages/cli/src/commands/configure-write.ts) and the files
 * they name. In a lab: `<lab dir>/<host>/pharos/`. With `--config-dir DIR`
 * (files collected from the hosts): `DIR/<host>/`. Otherwise only the
 * machine the check runs on: `/etc/pharos/` when the host's address is one
 * of this machine's interface addresses.
 *
 * The files are read as plain YAML (not validated as the agent and web
 * instance do at start): the check judges their content itself.
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { basename, join } from 'node:path';
import { messageOf } from '@pharos/core/errors';
import { parse as parseYaml } from 'yaml';
import { labLayout } from '../lab/layout.js';
import type { TopologyHost } from '../topology/types.js';

/** The two configuration files of a host. */
export type ConfigFileKind = 'agent.yml' | 'web.yml';

/** A configuration file's content as a plain object, or why it could not be read. */
export type ConfigFile =
  | { ok: true; path: string; doc: Record<string, unknown> }
  | { ok: false; path?: string; reason: string };

/** Finds and reads configuration files of the topology's hosts. */
export interface ConfigSource {
  /** Where files come from, for messages ("lab /var/tmp/pharos-lab", "--config-dir DIR", "this machine's /etc/pharos"). */
  describe: string;
  /** Reads `kind` of `host`. Never throws. */
  read(host: TopologyHost, kind: ConfigFileKind): ConfigFile;
  /**
   * Where a file a configuration names (a certificate) is readable here:
   * the path itself in a lab and on this machine, `DIR/<host>/<file name>`
   * with `--config-dir` (collect the files beside the configuration).
   */
  localPath(host: TopologyHost, path: string): string;
}

/** Default directory of the configuration files on a real host (`pharos configure`'s defaults). */
export const ETC_PHAROS = '/etc/pharos';

/** This machine's interface addresses (node's networkInterfaces). */
export function localAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.add(a.address);
  return out;
}

/** Reads a YAML file into a plain object; a reason instead when unreadable or not a mapping. */
export function readYamlFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { ok: false, path, reason: `cannot read ${path}: ${messageOf(err)}` };
  }
  try {
    const doc = parseYaml(text) as unknown;
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
      return { ok: false, path, reason: `${path} is not a YAML mapping` };
    return { ok: true, path, doc: doc as Record<string, unknown> };
  } catch (err) {
    return { ok: false, path, reason: `${path} is not valid YAML: ${messageOf(err)}` };
  }
}

/**
 * The configuration source for the given options: the lab's directory,
 * else `configDir`, else this machine's /etc/pharos for its own addresses.
 */
export function configSource(options: { labDir?: string; configDir?: string }): ConfigSource {
  if (options.labDir !== undefined) {
    const layout = labLayout(options.labDir);
    return {
      describe: `lab ${options.labDir}`,
      read: (host, kind) => readYamlFile(join(layout.pharosDir(host.name), kind)),
      localPath: (_host, path) => path,
    };
  }
  const dir = options.configDir;
  if (dir !== undefined) {
    return {
      describe: `--config-dir ${dir}`,
      read: (host, kind) => readYamlFile(join(dir, host.name, kind)),
      localPath: (host, path) => join(dir, host.name, basename(path)),
    };
  }
  return {
    describe: `this machine's ${ETC_PHAROS}`,
    read: (host, kind) =>
      localAddresses().has(host.address)
        ? readYamlFile(join(ETC_PHAROS, kind))
        : {
            ok: false,
            reason: `${host.name}'s ${kind} is on that host, not here: collect the files into DIR/<host>/ and give --config-dir DIR`,
          },
    localPath: (_host, path) => path,
  };
}
