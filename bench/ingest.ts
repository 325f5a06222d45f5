import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { account } from './accounting';
import { createBenchDatabase, dropBenchDatabase, InboxProbe, prepareBenchDatabase, serverInfo, type BenchDatabase } from './bench-database';
import { startChild, type RunningChild } from './child-process';
import { CpuMeter, machineActivity } from './cpu-meter';
import { TrafficGenerator } from './fixture-mix';
import { ProcessingSampler, waitForDrain } from './inbox-watch';
import { closedLoop, openLoop, type LoadRun } from './load-generator';
import { round, summarize, type LoadSummary } from './load-summary';
import { parseOptions, type BenchOptions } from './options';
import { checkTargets, formatLoad, formatReport, type BenchResult, type ProcessingFigures } from './report';
import { PostFactory, type WebhookPost } from './webhook-posts';

/**
 * `npm run bench:ingest`: Threadline's webhook ingest on this machine, against real PostgreSQL.
 *
 *   1. warm-up          open loop at the offered rate, then a short burst at the baseline
 *   2. max throughput   closed loop (64 keep-alive connections) against Threadline, then the same
 *                       POSTs against the baseline (HMAC check + 200): acknowledged events/s, ratio
 *   3. latency          open loop at 1,000 events/s: p50/p99 acknowledgement latency
 *   4. processing       open loop at 1,000 events/s for 60 s while sampling the inbox each second
 *   5. accounting       lost / duplicated / unprocessed, counted in the database
 *
 * Servers run as child processes; the inbox backlog is drained between phases so each phase
 * starts from the same state.
 */

const log = (line: string) => process.stdout.write(`${line}\n`);

interface Context {
  options: BenchOptions;
  threadline: RunningChild;
  baseline: RunningChild;
  probe: InboxProbe;
  cpu: CpuMeter;
  runs: LoadRun[];
}

async function drain(ctx: Context, label: string) {
  const result = await waitForDrain(ctx.probe, ctx.options.drainTimeoutSeconds);
  if (result.startBacklog > 0) {
    log(`  drain after ${label}: ${result.startBacklog.toLocaleString('en-US')} pending → ${result.drained ? '0' : 'NOT drained'} in ${result.seconds} s (${result.perSecond} events/s)`);
  }
  await ctx.probe.settle();
  return result;
}

async function warmUp(ctx: Context, posts: WebhookPost[]): Promise<LoadSummary[]> {
  log(`\n[1/5] warm-up: ${ctx.options.warmupSeconds} s at ${ctx.options.rate} events/s against Threadline, then ${Math.min(2, ctx.options.warmupSeconds)} s against the baseline`);
  const run = await openLoop(ctx.threadline.url, posts, { rate: ctx.options.rate });
  ctx.runs.push(run);
  const threadline = summarize('warm-up', 'threadline', run, null, ctx.options.warmupSeconds);
  log(formatLoad(threadline));
  const base = await closedLoop(ctx.baseline.url, posts, { concurrency: ctx.options.concurrency, seconds: Math.min(2, ctx.options.warmupSeconds), cycle: true });
  const baseline = summarize('warm-up', 'baseline', base, null);
  log(formatLoad(baseline));
  await drain(ctx, 'warm-up');
  return [threadline, baseline];
}

async function maxThroughput(ctx: Context, posts: WebhookPost[]): Promise<BenchResult['max']> {
  const { concurrency, maxSeconds } = ctx.options;
  log(`\n[2/5] max acknowledged throughput: closed loop, ${concurrency} keep-alive connections, ${maxSeconds} s each`);
  let before = ctx.cpu.snapshot();
  const run = await closedLoop(ctx.threadline.url, posts, { concurrency, seconds: maxSeconds });
  const threadline = summarize('max throughput', 'threadline', run, ctx.cpu.share(before));
  ctx.runs.push(run);
  log(formatLoad(threadline));
  // The worker catches up before the baseline runs, so it does not steal the baseline's CPU.
  const drainAfter = await drain(ctx, 'max throughput (worker capacity with no ingest)');
  before = ctx.cpu.snapshot();
  const base = await closedLoop(ctx.baseline.url, posts, { concurrency, seconds: maxSeconds, cycle: true });
  const baseline = summarize('max throughput', 'baseline', base, ctx.cpu.share(before));
  log(formatLoad(baseline));
  const ratio = baseline.acknowledgedPerSecond > 0 ? round(threadline.acknowledgedPerSecond / baseline.acknowledgedPerSecond, 3) : 0;
  log(`  ratio Threadline / baseline: ${ratio}`);
  return { threadline, baseline, ratio, drainAfter };
}

async function latency(ctx: Context, posts: WebhookPost[]): Promise<BenchResult['latency']> {
  const { rate, latencySeconds } = ctx.options;
  log(`\n[3/5] latency: open loop at ${rate} events/s for ${latencySeconds} s (latency from the scheduled send time)`);
  const before = ctx.cpu.snapshot();
  const run = await openLoop(ctx.threadline.url, posts, { rate });
  ctx.runs.push(run);
  const load = summarize('latency', 'threadline', run, ctx.cpu.share(before), latencySeconds);
  log(formatLoad(load));
  const drainAfter = await drain(ctx, 'latency');
  return { load, drainAfter };
}

async function processing(ctx: Context, posts: WebhookPost[]): Promise<ProcessingFigures> {
  const { rate, processingSeconds } = ctx.options;
  log(`\n[4/5] processing: open loop at ${rate} events/s for ${processingSeconds} s; inbox sampled every second`);
  const sinceId = await ctx.probe.maxId();
  let printedAt = 0;
  let phaseStart = performance.now();
  const sampler = new ProcessingSampler(ctx.probe, sinceId, (s) => {
    const t = (s.at - phaseStart) / 1000;
    if (t - printedAt >= 5) {
      printedAt = Math.floor(t);
      log(`    t=${t.toFixed(0).padStart(3)} s  processed ${s.processed.toLocaleString('en-US').padStart(8)}  backlog ${s.pending.toLocaleString('en-US').padStart(7)}`);
    }
  });
  const before = ctx.cpu.snapshot();
  phaseStart = performance.now();
  sampler.start();
  const run = await openLoop(ctx.threadline.url, posts, { rate });
  const cpu = ctx.cpu.share(before);
  ctx.runs.push(run);
  const load = summarize('processing', 'threadline', run, cpu, processingSeconds);
  const windowEnd = run.startedAt + processingSeconds * 1000;
  // Keep sampling until the phase's backlog is gone.
  const deadline = performance.now() + ctx.options.drainTimeoutSeconds * 1000;
  let drainedAt: number | null = null;
  while (performance.now() < deadline) {
    const last = sampler.samples[sampler.samples.length - 1];
    if (last && last.at > windowEnd && last.pending === 0) {
      drainedAt = last.at;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  sampler.stop();
  await sampler.sample();
  log(formatLoad(load));
  const steadyFrom = Math.min(5, processingSeconds / 4);
  const processedAtEnd = sampler.valueAt(windowEnd, 'processed');
  const processedAtSteady = sampler.valueAt(run.startedAt + steadyFrom * 1000, 'processed');
  const inWindow = sampler.samples.filter((s) => s.at <= windowEnd);
  const figures: ProcessingFigures = {
    offeredPerSecond: load.offeredPerSecond,
    windowSeconds: processingSeconds,
    windowPerSecond: round(processedAtEnd / processingSeconds, 1),
    steadyPerSecond: round((processedAtEnd - processedAtSteady) / (processingSeconds - steadyFrom), 1),
    steadyFromSecond: round(steadyFrom, 1),
    backlogAtEnd: Math.round(sampler.valueAt(windowEnd, 'pending')),
    maxBacklog: Math.max(0, ...inWindow.map((s) => s.pending)),
    drainSeconds: drainedAt === null ? null : round(Math.max(0, drainedAt - windowEnd) / 1000, 1),
    latencyMs: await ctx.probe.processingLatency(sinceId),
    load,
    cpu,
  };
  log(`  processed/s sustained ${figures.steadyPerSecond} (window ${figures.windowPerSecond}); backlog at end ${figures.backlogAtEnd}, max ${figures.maxBacklog}; `
    + `backlog 0 ${figures.drainSeconds === null ? 'not reached' : `${figures.drainSeconds} s after the window`}; stored→processed p50 ${Math.round(figures.latencyMs.p50)} ms, p99 ${Math.round(figures.latencyMs.p99)} ms`);
  return figures;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-bench-'));
  const appSecret = crypto.randomBytes(16).toString('hex');
  const baseTime = Math.floor(Date.now() / 1000) - 6 * 3600;

  log(`Threadline ingest benchmark${options.quick ? ' (quick)' : ''}; logs and profiles in ${outDir}`);
  const built = performance.now();
  const generator = new TrafficGenerator(options.seed, options.customers, baseTime);
  const factory = new PostFactory(generator, appSecret);
  const pools = {
    warmup: factory.build(options.rate * options.warmupSeconds),
    max: factory.build(options.maxPoolEvents),
    latency: factory.build(options.rate * options.latencySeconds),
    processing: factory.build(options.rate * options.processingSeconds),
  };
  const allPosts = Object.values(pools).flat();
  log(`built ${allPosts.length.toLocaleString('en-US')} signed POSTs (${allPosts.reduce((n, p) => n + p.events.length, 0).toLocaleString('en-US')} events, `
    + `${generator.outbound.length.toLocaleString('en-US')} outbound messages to seed) in ${((performance.now() - built) / 1000).toFixed(1)} s`);

  let database: BenchDatabase | null = null;
  const children: RunningChild[] = [];
  let probe: InboxProbe | null = null;
  try {
    database = await createBenchDatabase(options.adminUrl);
    log(`database ${database.name}`);
    await prepareBenchDatabase(database.url, generator.seededCustomers(), generator.outbound, baseTime);
    const pg = await serverInfo(database.url);

    const threadline = await startChild({
      name: 'threadline',
      script: 'bench/threadline-process.ts',
      logFile: path.join(outDir, 'threadline.log'),
      nodeArgs: options.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', outDir] : [],
      env: {
        NODE_ENV: 'production',
        BENCH_DATABASE_URL: database.url,
        BENCH_APP_SECRET: appSecret,
        BENCH_LOG_LEVEL: options.logLevel,
        ...(options.workerConcurrency ? { BENCH_WORKER_CONCURRENCY: String(options.workerConcurrency) } : {}),
      },
    });
    children.push(threadline);
    const baseline = await startChild({
      name: 'baseline',
      script: 'bench/baseline-server.ts',
      logFile: path.join(outDir, 'baseline.log'),
      env: { NODE_ENV: 'production', BENCH_APP_SECRET: appSecret },
    });
    children.push(baseline);
    log(`threadline ${threadline.url} (pid ${threadline.pid}), baseline ${baseline.url} (pid ${baseline.pid})`);
    probe = await InboxProbe.open(database.url);
    const quietDeadline = performance.now() + options.waitQuietSeconds * 1000;
    let idle = await machineActivity(2, [process.pid, threadline.pid, baseline.pid]);
    let foreignBackends = await probe.foreignActivity(database.name);
    let quiet = idle.machinePercent < 10 && foreignBackends.length === 0;
    while (!quiet && performance.now() < quietDeadline) {
      idle = await machineActivity(2, [process.pid, threadline.pid, baseline.pid]);
      foreignBackends = await probe.foreignActivity(database.name);
      quiet = idle.machinePercent < 10 && foreignBackends.length === 0;
    }
    log(`machine before load: ${idle.machinePercent}% busy${idle.busiest.length ? ` (${idle.busiest.map((p) => `${p.name}[${p.pid}] ${p.corePercent}%`).join(', ')})` : ''}`
      + `${foreignBackends.length ? `; other databases active on this PostgreSQL: ${foreignBackends.join(', ')}` : ''}`);
    if (!quiet) log('WARNING: the machine is not quiet; other work competes for the 2 cores and skews every figure (see "other" in the cpu lines).');
    const ctx: Context = { options, threadline, baseline, probe, cpu: new CpuMeter({ threadline: threadline.pid, baseline: baseline.pid }), runs: [] };

    const warmup = await warmUp(ctx, pools.warmup);
    const max = await maxThroughput(ctx, pools.max);
    const lat = await latency(ctx, pools.latency);
    const proc = await processing(ctx, pools.processing);

    log('\n[5/5] accounting: every acknowledged event looked up in the database');
    const final = await waitForDrain(probe, options.drainTimeoutSeconds);
    if (!final.drained) log(`  backlog not drained within ${options.drainTimeoutSeconds} s: ${final.startBacklog} were pending`);
    const accounting = await account(probe, ctx.runs);

    const cpus = os.cpus();
    const result: BenchResult = {
      quick: options.quick,
      machine: {
        cpus: cpus.length,
        cpuModel: cpus[0]?.model.trim() ?? 'unknown',
        memoryGb: round(os.totalmem() / 2 ** 30, 1),
        node: process.version,
        os: `${os.type()} ${os.release()}`,
        postgres: pg.version,
        postgresSettings: pg.settings,
      },
      database: database.name,
      environment: { quiet, idleMachinePercent: idle.machinePercent, busiestBefore: idle.busiest, foreignBackends },
      options: {
        concurrency: options.concurrency, rate: options.rate, warmupSeconds: options.warmupSeconds, maxSeconds: options.maxSeconds,
        latencySeconds: options.latencySeconds, processingSeconds: options.processingSeconds, customers: options.customers, seed: options.seed,
        workerConcurrency: options.workerConcurrency ?? 'default',
      },
      warmup,
      max,
      latency: lat,
      processing: proc,
      accounting,
    };
    const checks = checkTargets(result);
    log(formatReport(result, checks));
    const { load: _load, ...processingFigures } = proc;
    log(JSON.stringify({
      bench: 'ingest',
      quick: options.quick,
      pass: checks.every((c) => c.pass),
      targets: Object.fromEntries(checks.map((c) => [c.name, { pass: c.pass, required: c.target, measured: c.measured }])),
      machine: result.machine,
      environment: result.environment,
      offeredEventsPerSecond: { max: max.threadline.offeredPerSecond, latency: lat.load.offeredPerSecond, processing: proc.offeredPerSecond },
      acknowledgedEventsPerSecond: { threadline: max.threadline.acknowledgedPerSecond, baseline: max.baseline.acknowledgedPerSecond },
      ratioToBaseline: max.ratio,
      ackLatencyMs: { atRate: lat.load.offeredPerSecond, ...lat.load.latency },
      ackLatencyMsAtMax: max.threadline.latency,
      processedEventsPerSecond: proc.steadyPerSecond,
      processing: processingFigures,
      workerDrainEventsPerSecond: max.drainAfter.perSecond,
      lost: accounting.lost,
      duplicated: accounting.duplicated,
      accounting,
      cpu: { max: max.threadline.cpu, baseline: max.baseline.cpu, latency: lat.load.cpu, processing: proc.cpu },
      options: result.options,
      database: database.name,
      logs: outDir,
    }));
  } finally {
    await probe?.close().catch(() => undefined);
    for (const child of children.reverse()) {
      const code = await child.stop().catch(() => null);
      if (code !== 0) log(`${child.name} exited with ${code}; see ${child.logFile}`);
    }
    if (database) {
      if (options.keep) log(`kept database ${database.name} (${database.url})`);
      else await dropBenchDatabase(database).catch((error: unknown) => log(`could not drop ${database?.name}: ${String(error)}`));
    }
    if (options.cpuProf) log(`CPU profiles: ${fs.readdirSync(outDir).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(outDir, f)).join(', ') || 'none written'}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:ingest failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
