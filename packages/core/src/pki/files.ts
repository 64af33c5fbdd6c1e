/**
 * Writing keys and certificates to disk: atomically (temporary file in the
 * same directory, fsync, rename), with the final mode from the first byte.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Writes `text` to `path` atomically with exactly `mode`, never wider at any moment. */
async function writeAtomic(path: string, text: string, mode: number): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  // Created with `mode` (the umask can only narrow it), then set exactly
  // before any content is written; 'wx' refuses to follow an existing file.
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.chmod(mode);
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } catch (err) {
    await fh.close();
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await fh.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}

/**
 * Writes a private key (PEM) to `path` with mode 0600, atomically: the file
 * is never readable by others, not even while being written, and a reader
 * never sees half a key. PostgreSQL refuses a `server.key` readable by group
 * or others (docs/reference/pem-facts.md §7: mode 0600, owned by the database user; the
 * owner is the writing process's user: chown separately if needed).
 * @throws the fs error (ENOENT for a missing directory, EACCES...).
 */
export async function writeKeyFile(path: string, pem: string): Promise<void> {
  await writeAtomic(path, pem, 0o600);
}

/** Writes a certificate or CRL (PEM) to `path` with mode 0644, atomically. @throws the fs error. */
export async function writeCertFile(path: string, pem: string): Promise<void> {
  await writeAtomic(path, pem, 0o644);
}
