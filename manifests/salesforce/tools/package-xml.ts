import fs from 'node:fs';
import path from 'node:path';
import { ComponentSet } from '@salesforce/source-deploy-retrieve';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';

/** The committed manifest `sf project deploy --manifest` takes, checked against what SDR reads from force-app. */
export const MANIFEST = 'manifest/package.xml';

const packageSchema = z.object({
  Package: z.object({
    types: z.array(z.object({ name: z.string(), members: z.array(z.string()) })),
    version: z.string(),
  }),
});
const parser = new XMLParser({ parseTagValue: false, isArray: (name) => name === 'types' || name === 'members' });

type Members = Map<string, Set<string>>;

function membersOf(xml: string): { members: Members; version: string } {
  const { Package } = packageSchema.parse(parser.parse(xml));
  return { members: new Map(Package.types.map((t) => [t.name, new Set(t.members)])), version: Package.version };
}

/** `Type Member` of each entry in `a` that `b` lacks. */
function difference(a: Members, b: Members): string[] {
  return [...a].flatMap(([type, members]) => [...members].filter((m) => !b.get(type)?.has(m)).map((m) => `${type} ${m}`));
}

/**
 * `ComponentSet.fromSource(force-app).getPackageXml()` against manifest/package.xml: the same types and members, and
 * the project's sourceApiVersion. One line per component that is only on one side.
 */
export async function checkPackageXml(projectDir: string): Promise<string[]> {
  const manifestFile = path.join(projectDir, MANIFEST);
  if (!fs.existsSync(manifestFile)) return [`${MANIFEST}: is missing`];
  const text = fs.readFileSync(manifestFile, 'utf8');
  if (XMLValidator.validate(text) !== true) return [`${MANIFEST}: malformed XML`];
  const parsedManifest = (() => {
    try {
      return membersOf(text);
    } catch {
      return undefined;
    }
  })();
  if (parsedManifest === undefined) return [`${MANIFEST}: is not a Package with types and a version`];
  const project = JSON.parse(fs.readFileSync(path.join(projectDir, 'sfdx-project.json'), 'utf8')) as { sourceApiVersion: string };
  const components = ComponentSet.fromSource(path.join(projectDir, 'force-app'));
  // Given, SDR does not look for an API version in the sf config around the working directory (3 s, and not ours).
  components.apiVersion = components.sourceApiVersion = project.sourceApiVersion;
  const source = membersOf(await components.getPackageXml());
  return [
    ...difference(source.members, parsedManifest.members).map((c) => `${MANIFEST}: does not list ${c}, which force-app has`),
    ...difference(parsedManifest.members, source.members).map((c) => `${MANIFEST}: lists ${c}, which force-app does not have`),
    ...(parsedManifest.version === project.sourceApiVersion ? [] : [`${MANIFEST}: version ${parsedManifest.version} is not sfdx-project.json's sourceApiVersion ${project.sourceApiVersion}`]),
  ];
}
