import fs from 'node:fs';
import path from 'node:path';
import { exampleInReadme } from '../../core/automation/rule-examples';
import { RULE_KINDS, ruleKinds } from '../../core/automation/rule-kinds';

/** Issue 7: every rule type documented in README with an example; each example must be a valid definition. */
const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');

test.each(RULE_KINDS)('README has a valid %s example', (kind) => {
  const example = exampleInReadme(readme, kind);
  expect(example).toBeDefined();
  const parsed = ruleKinds[kind].safeParse(JSON.parse(example ?? 'null'));
  expect(parsed.error?.issues ?? []).toEqual([]);
});
