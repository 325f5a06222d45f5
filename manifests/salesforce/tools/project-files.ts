import fs from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';

/** Where the package's source sits inside the sfdx project (sfdx-project.json's default package directory). */
export const SOURCE_DIR = 'force-app/main/default';

/** Every file under `dir` (project-relative, POSIX separators), skipping installed packages. */
export function filesUnder(projectDir: string, dir: string): string[] {
  const abs = path.join(projectDir, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { withFileTypes: true }).flatMap((entry) => {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : filesUnder(projectDir, rel);
    return [rel];
  });
}

/** The names of the direct sub-folders of `dir` (LWC bundles, objects). */
export function foldersIn(projectDir: string, dir: string): string[] {
  const abs = path.join(projectDir, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
}

export const readText = (projectDir: string, rel: string): string => fs.readFileSync(path.join(projectDir, rel), 'utf8');

/** Elements that may repeat in the metadata we read: always arrays, so a single entry reads like many. */
const REPEATED = new Set(['classAccesses', 'objectPermissions', 'fieldPermissions', 'externalCredentialPrincipalAccesses', 'externalCredentialParameters', 'types', 'members', 'target']);
const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (name) => REPEATED.has(name) });

/** A metadata file's root element (well-formedness is checked apart, by XMLValidator). */
export function parseMetadata(projectDir: string, rel: string): Record<string, unknown> {
  return parser.parse(readText(projectDir, rel)) as Record<string, unknown>;
}
