/**
 * Builds Pharos's packages for the deployment test with `npm run package`'s
 * script (packaging/build.sh), light compression.
 */
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root (packages/suites/dist/deploy -> ../../../..). */
export const REPO_ROOT = new URL('../../../../', import.meta.url).pathname;

/** The files one build made. */
export interface BuiltPackages {
  version: string;
  deb?: string;
  rpm?: string;
  tar?: string;
  /** Bytes per file. */
  sizes: Record<string, number>;
  durationMs: number;
}

/**
 * Runs packaging/build.sh --fast with `version` into `outDir`.
 * @throws Error with the script's output when it fails.
 */
export async function buildPackages(
  version: string,
  outDir: string,
  formats: ('deb' | 'rpm' | 'tar')[],
): Promise<BuiltPackages> {
  const t0 = Date.now();
  try {
    await run(
      'bash',
      [
        join(REPO_ROOT, 'packaging/build.sh'),
        '--fast',
        '--version',
        version,
        '--out',
        outDir,
        '--formats',
        formats.join(','),
      ],
      { cwd: REPO_ROOT, timeout: 10 * 60_000, maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `packaging/build.sh --version ${version} failed: ${(e.stderr || e.stdout || e.message).trim()}`,
    );
  }
  const out: BuiltPackages = { version, sizes: {}, durationMs: Date.now() - t0 };
  const files: Record<'deb' | 'rpm' | 'tar', string> = {
    deb: join(outDir, `pharos_${version}-1_amd64.deb`),
    rpm: join(outDir, `pharos-${version}-1.x86_64.rpm`),
    tar: join(outDir, `pharos-${version}-1.x86_64.tar.gz`),
  };
  for (const f of formats) {
    out[f] = files[f];
    out.sizes[files[f]] = statSync(files[f]).size;
  }
  return out;
}
