/**
 * The packaged objects and fields as the org sees them (reference §5.2): custom names carry the package namespace
 * (`threadline__WhatsApp_Message__c`), standard ones never do; '' is an unpackaged dev org.
 */
export function packaged(namespace: string, name: string): string {
  return namespace !== '' && name.endsWith('__c') ? `${namespace}__${name}` : name;
}

/** A record's fields with their custom names namespaced, for writing. */
export function packagedFields(namespace: string, fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).map(([name, value]) => [packaged(namespace, name), value]));
}
