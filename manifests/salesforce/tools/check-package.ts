import path from 'node:path';
import { checkApex } from './apex-syntax';
import { checkComponentFiles, checkPermissionSets, checkXml } from './metadata-checks';
import { checkPackageXml } from './package-xml';
import { runLwcTests } from './lwc-tests';

/**
 * `npm run check -w manifests/salesforce`: every offline check of the package (marketplace-tooling §3, §4). What
 * needs an org (Apex compile and tests, deploy validation, `sf package version create`) is listed in the README.
 */
export const PROJECT_DIR = path.join(__dirname, '..');

export interface CheckResult {
  name: string;
  problems: string[];
}

/** The file checks, fast and without child processes. */
export async function checkSources(projectDir: string): Promise<CheckResult[]> {
  return [
    { name: 'metadata XML is well-formed', problems: checkXml(projectDir) },
    { name: 'Apex parses and is formatted', problems: await checkApex(projectDir) },
    { name: 'classes and LWC bundles have their -meta.xml; LWC targets are known', problems: checkComponentFiles(projectDir) },
    { name: 'manifest/package.xml equals the component set of force-app', problems: await checkPackageXml(projectDir) },
    { name: 'permission sets name only what force-app has', problems: checkPermissionSets(projectDir) },
  ];
}

async function main(): Promise<void> {
  const results = await checkSources(PROJECT_DIR);
  const lwc = await runLwcTests(PROJECT_DIR);
  results.push({ name: `LWC tests (sfdx-lwc-jest)${lwc.summary ? `: ${lwc.summary.replace(/\s+/g, ' ')}` : ''}`, problems: lwc.problems });
  for (const { name, problems } of results) {
    console.log(`${problems.length === 0 ? '✓' : '✗'} ${name}`);
    for (const problem of problems) console.error(`  ✗ ${problem}`);
  }
  if (results.some((r) => r.problems.length > 0)) process.exitCode = 1;
}

if (require.main === module) void main();
