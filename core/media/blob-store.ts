import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/** Where downloaded media bytes live between Meta and the helpdesk/CRM. Keys look like `<workspace>/<yyyy>/<mm>/<uuid>`. */
export interface BlobStore {
  put(key: string, data: Buffer, contentType: string): Promise<void>;
  get(key: string): Promise<{ data: Buffer; contentType: string } | null>;
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
}

export class InvalidBlobKeyError extends Error {
  override readonly name = 'InvalidBlobKeyError';
  readonly code = 'INVALID_BLOB_KEY';
}

const metaSuffix = '.meta.json';
// Segments start with a letter or digit, so they can never be `.`/`..` nor clash with our dot-prefixed temp files.
const segmentPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const sidecarSchema = z.object({ contentType: z.string().min(1) });

/** Blobs as files under one folder; each has a `<file>.meta.json` sidecar holding its content type. */
export class LocalFolderBlobStore implements BlobStore {
  private readonly root: string;

  constructor(rootDir: string) {
    this.root = path.resolve(rootDir);
  }

  async put(key: string, data: Buffer, contentType: string): Promise<void> {
    const file = this.pathFor(key);
    if (contentType.trim() === '') throw new Error('contentType must not be empty');
    await fs.mkdir(path.dirname(file), { recursive: true });
    // Sidecar first, data last: a reader that sees the data file always finds its content type.
    await writeAtomically(file + metaSuffix, Buffer.from(JSON.stringify({ contentType })));
    await writeAtomically(file, data);
  }

  async get(key: string): Promise<{ data: Buffer; contentType: string } | null> {
    const file = this.pathFor(key);
    const data = await readIfExists(file);
    if (data === null) return null;
    const sidecar = await readIfExists(file + metaSuffix);
    const parsed = sidecar === null ? undefined : sidecarSchema.safeParse(safeJson(sidecar.toString('utf8')));
    return { data, contentType: parsed?.success ? parsed.data.contentType : 'application/octet-stream' };
  }

  async delete(key: string): Promise<void> {
    const file = this.pathFor(key);
    // Data first, so `get` reports the blob gone as soon as anything is removed.
    await fs.rm(file, { force: true });
    await fs.rm(file + metaSuffix, { force: true });
  }

  private pathFor(key: string): string {
    const segments = key.split('/');
    const valid = !key.endsWith(metaSuffix) && segments.every((s) => segmentPattern.test(s));
    if (!valid) throw new InvalidBlobKeyError(`Invalid blob key "${key}": use relative a/b/c segments of letters, digits, '.', '_' or '-'`);
    const file = path.resolve(this.root, ...segments);
    // Belt and braces: the pattern already rules out traversal, this rules out surprises from path.resolve.
    if (!file.startsWith(this.root + path.sep)) throw new InvalidBlobKeyError(`Blob key "${key}" resolves outside the store`);
    return file;
  }
}

/** Write to a temp file in the same folder, fsync, then rename: readers see the old file or the whole new one. */
async function writeAtomically(file: string, data: Buffer): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${crypto.randomUUID()}.tmp`);
  try {
    const handle = await fs.open(temp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
}

async function readIfExists(file: string): Promise<Buffer | null> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return null;
    throw err;
  }
}

/** Duck-typed: fs errors may come from another realm (jest), where instanceof Error fails. */
function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === code;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
