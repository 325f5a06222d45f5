import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * Summarises a V8 `.cpuprofile` (from `npm run bench:ingest -- --cpu-prof`): CPU time by package
 * or project file (self time), and the functions with the most self and inclusive time.
 *
 *   npx tsx bench/profile-summary.ts /tmp/tl-bench-XXXX/CPU.*.cpuprofile [--top 30] [--filter text] [--callers writev]
 */
const profileSchema = z.object({
  nodes: z.array(z.object({
    id: z.number(),
    callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
    children: z.array(z.number()).optional(),
  })),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

const root = path.resolve(__dirname, '..');

function areaOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(garbage collector)') return '(gc)';
    if (functionName === '(program)') return '(program: native/unattributed)';
    return `(native) ${functionName}`;
  }
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0] === 'internal' ? url.slice(5).split('/').slice(0, 2).join('/') : url.slice(5)}`;
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = file.slice(nm + '/node_modules/'.length).split('/');
    return `pkg ${rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : rest[0] ?? ''}`;
  }
  return path.relative(root, file);
}

function main(): void {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
  if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [--top N] [--filter text] [--callers functionName]');
  const topIndex = args.indexOf('--top');
  const top = topIndex >= 0 ? Number(args[topIndex + 1]) : 30;
  const filterIndex = args.indexOf('--filter');
  const filter = filterIndex >= 0 ? args[filterIndex + 1] : undefined;
  const callersIndex = args.indexOf('--callers');
  const callersOf = callersIndex >= 0 ? args[callersIndex + 1] : undefined;
  const profile = profileSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));

  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = (id: number) => {
    const n = byId.get(id);
    if (!n) return '?';
    const where = areaOf(n.callFrame.url, n.callFrame.functionName);
    return `${n.callFrame.functionName || '(anonymous)'}  ${where}:${n.callFrame.lineNumber + 1}`;
  };

  const self = new Map<string, number>();
  /** For --callers NAME: self time of NAME by the chain of its nearest callers outside node internals. */
  const callers = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const areas = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const n = byId.get(id);
    if (!n) return;
    const area = areaOf(n.callFrame.url, n.callFrame.functionName);
    areas.set(area, (areas.get(area) ?? 0) + dt);
    const key = keyOf(id);
    self.set(key, (self.get(key) ?? 0) + dt);
    if (callersOf && n.callFrame.functionName === callersOf) {
      const chain: string[] = [];
      for (let cur = parent.get(id); cur !== undefined && chain.length < 4; cur = parent.get(cur)) {
        const frame = byId.get(cur)?.callFrame;
        if (frame && frame.url && !frame.url.startsWith('node:')) chain.push(keyOf(cur));
      }
      const k = chain.join('  <  ');
      callers.set(k, (callers.get(k) ?? 0) + dt);
    }
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = keyOf(cur);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    }
  });
  const idle = areas.get('(idle)') ?? 0;
  const busy = total - idle;
  const pct = (ms: number) => `${((ms / busy) * 100).toFixed(1).padStart(5)}%`;
  const show = (title: string, map: Map<string, number>, n: number) => {
    process.stdout.write(`\n${title}\n`);
    [...map.entries()]
      .filter(([k]) => !k.startsWith('(idle)') && (!filter || k.includes(filter)))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .forEach(([k, ms]) => process.stdout.write(`  ${pct(ms)}  ${(ms / 1000).toFixed(2).padStart(7)} s  ${k}\n`));
  };
  process.stdout.write(`profile ${file}: ${(total / 1000).toFixed(1)} s sampled, ${(busy / 1000).toFixed(1)} s busy (${((busy / total) * 100).toFixed(0)}%); percentages are of busy time\n`);
  show('self time by package / file', areas, top);
  show('self time by function', self, top);
  show('inclusive time by function', inclusive, top);
  if (callersOf) show(`callers of ${callersOf} (nearest non-node frames)`, callers, top);
}

main();
