import fs from 'node:fs';
import path from 'node:path';

/** The app folder as it would be zipped: relative paths (forward slashes) to contents. */
export interface AppFiles {
  files: Map<string, Buffer>;
  /** What cannot go in a Zendesk app zip at all (symlinks, special files), one line each. */
  problems: string[];
}

/**
 * Reads every file under `dir`. Zendesk's marketplace validator rejects symlinks in the zip, and a link
 * is how a file from outside the app would slip in, so a link is a problem, never followed. Dotfiles are
 * left out, as zcli leaves them out of its zip.
 */
export function readAppFolder(dir: string): AppFiles {
  const files = new Map<string, Buffer>();
  const problems: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.')) continue;
      const rel = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isSymbolicLink()) problems.push(`${rel}: is a symlink; Zendesk rejects symlinks in an app (copy the file into the app instead)`);
      else if (entry.isDirectory()) walk(rel);
      else if (entry.isFile()) files.set(rel, fs.readFileSync(path.join(dir, rel)));
      else problems.push(`${rel}: is not a regular file`);
    }
  };
  walk('');
  return { files, problems };
}

/** Width and height of a PNG from its IHDR chunk; undefined when it is not a PNG. */
export function pngSize(bytes: Buffer): { width: number; height: number } | undefined {
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(signature) || bytes.toString('ascii', 12, 16) !== 'IHDR') return undefined;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}
