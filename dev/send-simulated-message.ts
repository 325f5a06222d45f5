import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';

/** `npm run sandbox:send -- "text"` or `-- --file photo.jpg [--caption …]`: a customer writes to the sandbox number. */
const mimeByExtension: Record<string, string> = {
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp', '.mp4': 'video/mp4',
  '.ogg': 'audio/ogg', '.mp3': 'audio/mpeg', '.pdf': 'application/pdf', '.txt': 'text/plain',
};
const sandboxFile = z.object({ apiUrl: z.string(), controlUrl: z.string(), adminToken: z.string() });

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { file: { type: 'string' }, caption: { type: 'string' }, from: { type: 'string' }, name: { type: 'string' } } });
  const dataDir = process.env.THREADLINE_DATA_DIR ?? '.threadline/sandbox';
  const file = path.join(dataDir, 'sandbox.json');
  if (!fs.existsSync(file)) throw new Error(`${file} not found: start the sandbox first with npm run sandbox`);
  const sandbox = sandboxFile.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  const media = values.file
    ? { base64: fs.readFileSync(values.file).toString('base64'), mimeType: mimeByExtension[path.extname(values.file).toLowerCase()] ?? 'application/octet-stream', filename: path.basename(values.file), caption: values.caption }
    : undefined;
  const res = await fetch(`${sandbox.controlUrl}/simulate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: positionals.join(' ') || undefined, from: values.from, name: values.name, media }),
  });
  const sent = z.object({ status: z.number(), wamid: z.string() }).parse(await res.json());
  process.stdout.write(`Meta fake posted ${sent.wamid}; Threadline answered ${sent.status}.\n`);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const conversations = await fetch(`${sandbox.apiUrl}/api/v1/conversations?limit=1`, { headers: { authorization: `Bearer ${sandbox.adminToken}` } });
  process.stdout.write(`${JSON.stringify(await conversations.json(), null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
