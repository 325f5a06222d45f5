import fs from 'node:fs';
import path from 'node:path';

/** shared/ sits beside the repo checkout (locally and in CI): <root>/main/test/fakes/meta → <root>/shared. */
export const whatsappFixturesDir = path.resolve(__dirname, '../../../../shared/fixtures/whatsapp');

const cache = new Map<string, string>();

/** Parsed fresh on every call, so callers may mutate what they get. `name` with or without `.json`. */
export function readFixture(name: string): unknown {
  const file = name.endsWith('.json') ? name : `${name}.json`;
  let text = cache.get(file);
  if (text === undefined) {
    text = fs.readFileSync(path.join(whatsappFixturesDir, file), 'utf8');
    cache.set(file, text);
  }
  return JSON.parse(text);
}

export function fixtureExists(name: string): boolean {
  const file = name.endsWith('.json') ? name : `${name}.json`;
  return fs.existsSync(path.join(whatsappFixturesDir, file));
}
