import fs from 'node:fs';
import path from 'node:path';
import type { RuleKind } from './rule-kinds';

/** The README documents one example per rule kind ("Rule examples"); the console offers it as a starting point. */
const README = path.join(__dirname, '../../README.md');

/** The JSON of `kind`'s example in a README's text: the fenced json block under its "#### `kind`" heading. */
export function exampleInReadme(readme: string, kind: string): string | undefined {
  return new RegExp(`#### \`${kind}\`\\n\`\`\`json\\n([\\s\\S]*?)\\n\`\`\``).exec(readme)?.[1];
}

let readme: string | null | undefined;

/** The README's example definition of `kind`, as written there; undefined where the README is not shipped. */
export function ruleExample(kind: RuleKind): string | undefined {
  if (readme === undefined) {
    try {
      readme = fs.readFileSync(README, 'utf8');
    } catch {
      readme = null;
    }
  }
  return readme === null ? undefined : exampleInReadme(readme, kind);
}
