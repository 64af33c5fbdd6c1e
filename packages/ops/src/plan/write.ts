/**
 * Puts a plan on disk: all or nothing, modes from the first byte.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { messageOf, PharosError, pharosError } from '@pharos/core/errors';
import type { Plan } from './types.js';

async function isEmptyDirOrMissing(dir: string): Promise<boolean> {
  try {
    const s = await stat(dir);
    if (!s.isDirectory()) throw pharosError('PHAROS_PLAN_OUT_NOT_DIRECTORY', { dir });
    return (await readdir(dir)).length === 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    if (err instanceof PharosError) throw err;
    throw pharosError('PHAROS_PLAN_OUT_UNUSABLE', { dir, path: dir, reason: messageOf(err) }, { cause: err });
  }
}

/**
 * Writes every file of `plan` under `outDir` (created; its parent must
 * exist). The tree is first written to a hidden sibling directory (mode 0700,
 * as it holds the CA key) and renamed into place, so `outDir` either holds
 * the whole plan or nothing. Each file is created with its final mode (keys
 * and password files 0600, scripts 0755, others 0644), never wider.
 *
 * @returns the absolute paths written, in plan order.
 * @throws InputError when `outDir` exists and is not an empty directory (a
 *   plan is never overwritten: it holds the deployment's CA), when its
 *   parent does not exist or is not a directory, or when nothing can be
 *   created there (permissions, /proc...).
 */
export async function writePlan(plan: Plan, outDir: string): Promise<string[]> {
  const target = resolve(outDir);
  if (!(await isEmptyDirOrMissing(target))) {
    throw pharosError('PHAROS_PLAN_OUT_NOT_EMPTY', { dir: outDir });
  }
  const parent = dirname(target);
  const parentStat = await stat(parent).catch((err: NodeJS.ErrnoException) => err);
  if (parentStat instanceof Error) {
    throw parentStat.code === 'ENOENT'
      ? pharosError('PHAROS_PLAN_OUT_PARENT_MISSING', { dir: outDir, parent }, { cause: parentStat })
      : pharosError(
          'PHAROS_PLAN_OUT_UNUSABLE',
          { dir: outDir, path: parent, reason: parentStat.message },
          { cause: parentStat },
        );
  }
  if (!parentStat.isDirectory())
    throw pharosError('PHAROS_PLAN_OUT_PARENT_NOT_DIRECTORY', { dir: outDir, parent });
  const staging = join(parent, `.${basename(target)}.partial-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(staging, { mode: 0o700 });
  } catch (err) {
    throw pharosError(
      'PHAROS_PLAN_OUT_UNCREATABLE',
      { dir: outDir, parent, reason: messageOf(err) },
      { cause: err },
    );
  }
  try {
    for (const f of plan.files) {
      const path = join(staging, ...f.path.split('/'));
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      await writeFile(path, f.content, { mode: f.mode, flag: 'wx' });
      await chmod(path, f.mode);
    }
    await rmdir(target).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    await rename(staging, target);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
  return plan.files.map((f) => join(target, ...f.path.split('/')));
}
