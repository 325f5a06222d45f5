import path from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import { SOURCE_DIR, filesUnder, foldersIn, parseMetadata, readText } from './project-files';

/**
 * What `sf project convert source` and SDR pass in silence (marketplace-tooling §3) and an org would refuse at
 * deploy: malformed XML, a class or component without its -meta.xml, a wrong LWC target, a permission set naming
 * something the package does not have. Each problem is one line starting with the file it is about.
 */

/** Strict well-formedness of every metadata file (SDR emits empty fields for a malformed one and carries on). */
export function checkXml(projectDir: string): string[] {
  return filesUnder(projectDir, SOURCE_DIR)
    .filter((file) => file.endsWith('-meta.xml'))
    .flatMap((file) => {
      const result = XMLValidator.validate(readText(projectDir, file));
      return result === true ? [] : [`${file}: malformed XML at line ${result.err.line}: ${result.err.msg}`];
    });
}

/** Documented LWC targets (developer.salesforce.com "XML Configuration File Elements"). */
export const LWC_TARGETS = new Set([
  'lightning__AppPage', 'lightning__HomePage', 'lightning__RecordPage', 'lightning__RecordAction', 'lightning__FlowScreen',
  'lightning__Tab', 'lightning__UtilityBar', 'lightning__Inbox', 'lightning__UrlAddressable', 'lightning__GlobalAction',
  'lightningCommunity__Page', 'lightningCommunity__Default', 'lightningSnapin__ChatMessage', 'lightningStatic__Email',
]);

const bundleSchema = z.object({
  LightningComponentBundle: z.object({
    isExposed: z.string().optional(),
    targets: z.object({ target: z.array(z.string()) }).optional(),
  }),
});

/** Every class has its -meta.xml (without one SDR drops the class from the package, silently); every LWC bundle its js, js-meta.xml and known targets. */
export function checkComponentFiles(projectDir: string): string[] {
  const problems: string[] = [];
  const classFiles = filesUnder(projectDir, `${SOURCE_DIR}/classes`);
  for (const file of classFiles.filter((f) => /\.(cls|trigger)$/.test(f))) {
    if (!classFiles.includes(`${file}-meta.xml`)) problems.push(`${file}: has no ${path.posix.basename(file)}-meta.xml next to it`);
  }
  const lwcDir = `${SOURCE_DIR}/lwc`;
  for (const bundle of foldersIn(projectDir, lwcDir)) {
    const dir = `${lwcDir}/${bundle}`;
    const files = filesUnder(projectDir, dir);
    if (!files.includes(`${dir}/${bundle}.js`)) problems.push(`${dir}: has no ${bundle}.js`);
    const metaFile = `${dir}/${bundle}.js-meta.xml`;
    if (!files.includes(metaFile)) {
      problems.push(`${dir}: has no ${bundle}.js-meta.xml`);
      continue;
    }
    if (XMLValidator.validate(readText(projectDir, metaFile)) !== true) continue; // checkXml says why
    const meta = bundleSchema.safeParse(parseMetadata(projectDir, metaFile));
    if (!meta.success) {
      problems.push(`${metaFile}: is not a LightningComponentBundle`);
      continue;
    }
    for (const target of meta.data.LightningComponentBundle.targets?.target ?? []) {
      if (!LWC_TARGETS.has(target)) problems.push(`${metaFile}: unknown target ${target}`);
    }
  }
  return problems;
}

const permissionSetSchema = z.object({
  PermissionSet: z.object({
    classAccesses: z.array(z.object({ apexClass: z.string() })).default([]),
    objectPermissions: z.array(z.object({ object: z.string() })).default([]),
    fieldPermissions: z.array(z.object({ field: z.string() })).default([]),
    externalCredentialPrincipalAccesses: z.array(z.object({ externalCredentialPrincipal: z.string() })).default([]),
  }),
});
const externalCredentialSchema = z.object({
  ExternalCredential: z.object({ externalCredentialParameters: z.array(z.object({ parameterName: z.string(), parameterType: z.string() })).default([]) }),
});

/** What the package defines, by the names a permission set uses. */
function definedNames(projectDir: string) {
  const files = filesUnder(projectDir, SOURCE_DIR);
  const named = (suffix: RegExp) => files.map((f) => suffix.exec(path.posix.basename(f))?.[1]).filter((n): n is string => n !== undefined);
  const fields = files
    .map((f) => /objects\/([^/]+)\/fields\/([^/]+)\.field-meta\.xml$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]}.${m[2]}`);
  const principals = files
    .filter((f) => f.endsWith('.externalCredential-meta.xml') && XMLValidator.validate(readText(projectDir, f)) === true)
    .flatMap((f) => {
      const credential = path.posix.basename(f, '.externalCredential-meta.xml');
      const parsed = externalCredentialSchema.safeParse(parseMetadata(projectDir, f));
      const parameters = parsed.success ? parsed.data.ExternalCredential.externalCredentialParameters : [];
      return parameters.filter((p) => p.parameterType === 'NamedPrincipal').map((p) => `${credential}-${p.parameterName}`);
    });
  return {
    classes: new Set(named(/^(.+)\.cls$/)),
    objects: new Set(foldersIn(projectDir, `${SOURCE_DIR}/objects`).filter((o) => files.includes(`${SOURCE_DIR}/objects/${o}/${o}.object-meta.xml`))),
    fields: new Set(fields),
    principals: new Set(principals),
  };
}

/** Permission sets grant only classes, objects, fields and External Credential principals the package has. */
export function checkPermissionSets(projectDir: string): string[] {
  const defined = definedNames(projectDir);
  return filesUnder(projectDir, `${SOURCE_DIR}/permissionsets`)
    .filter((f) => f.endsWith('.permissionset-meta.xml') && XMLValidator.validate(readText(projectDir, f)) === true)
    .flatMap((file) => {
      const parsed = permissionSetSchema.safeParse(parseMetadata(projectDir, file));
      if (!parsed.success) return [`${file}: is not a PermissionSet (${parsed.error.issues[0]?.message ?? 'unreadable'})`];
      const set = parsed.data.PermissionSet;
      const missing = (kind: string, names: string[], known: Set<string>) => names.filter((n) => !known.has(n)).map((n) => `${file}: names ${kind} ${n}, which is not in force-app`);
      return [
        ...missing('Apex class', set.classAccesses.map((c) => c.apexClass), defined.classes),
        ...missing('object', set.objectPermissions.map((o) => o.object), defined.objects),
        ...missing('field', set.fieldPermissions.map((f) => f.field), defined.fields),
        ...missing('External Credential principal', set.externalCredentialPrincipalAccesses.map((p) => p.externalCredentialPrincipal), defined.principals),
      ];
    });
}
