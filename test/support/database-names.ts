import crypto from 'node:crypto';

/** A template per test run, so concurrent runs on one server do not collide. */
export function templateName(): string {
  return `tl_tpl_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
}

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
