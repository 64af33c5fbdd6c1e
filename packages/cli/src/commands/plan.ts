/**
 * `pharos plan --topology FILE --out DIR [--format json]`: every artefact of
 * an HA deployment from one topology file (issue 3; packages/ops/src/plan).
 */

import { pharosError } from '@pharos/core/errors';
import { planToJson } from '@pharos/ops/plan/json';
import { runPlan } from '@pharos/ops/plan/run';
import { type Command, Option } from 'commander';

import { print } from '../output.js';

/**
 * Registers `plan`. Validates the topology (InputError, exit code 2, listing
 * every problem; nothing written), builds the plan, writes it under `--out`
 * (refusing a non-empty directory) and prints the files written; with
 * `--format json` prints the plan as JSON on stdout instead (secret file
 * contents left out), writing it too when `--out` is given.
 */
export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description(
      'write every per-host artefact of a deployment (configs, HBA rules, SQL, certificates, commands, runbook)',
    )
    .requiredOption('--topology <file>', 'topology file (docs/topology.md)')
    .option(
      '--out <dir>',
      'directory to create; the plan goes in DIR/<host name>/, DIR/ca/ and DIR/RUNBOOK.md',
    )
    .addOption(new Option('--format <format>', 'output on stdout').choices(['text', 'json']).default('text'))
    .action(async (f: { topology: string; out?: string; format: 'text' | 'json' }) => {
      if (f.out === undefined && f.format !== 'json') throw pharosError('PHAROS_PLAN_OUT_MISSING');
      const { plan, written } = await runPlan({ topologyFile: f.topology, outDir: f.out });
      const topo = plan.topology;
      if (f.format === 'json') {
        print(JSON.stringify(planToJson(plan), null, 2));
        return;
      }
      print(
        `plan of ${topo.architecture} cluster '${topo.cluster}' written to ${f.out}: ${written.length} files`,
      );
      for (const h of plan.hosts) {
        const agent = h.agentId === undefined ? '' : `, agent ${h.agentId} (${h.agentUser})`;
        print(`  ${h.name.padEnd(16)} ${h.address.padEnd(16)} ${h.roles.join('+')}${agent}`);
      }
      print(`next: read ${f.out}/RUNBOOK.md; keep ${f.out}/ca/root.key offline`);
    });
}
