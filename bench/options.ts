/** Command-line flags of `npm run bench:ingest` and the phase lengths they imply. */
export interface BenchOptions {
  quick: boolean;
  keep: boolean;
  cpuProf: boolean;
  adminUrl: string;
  /** Closed-loop connections in the max-throughput phase. */
  concurrency: number;
  /** Offered rate (distinct events/s) of the latency and processing phases. */
  rate: number;
  warmupSeconds: number;
  maxSeconds: number;
  latencySeconds: number;
  processingSeconds: number;
  /** Longest wait for the inbox backlog to reach 0 between phases. */
  drainTimeoutSeconds: number;
  customers: number;
  seed: number;
  /** Events pre-built for the max-throughput phase; the phase ends early if they run out. */
  maxPoolEvents: number;
  workerConcurrency: number | null;
  /** Wait up to this long for the machine to be quiet before the load starts (shared machines). */
  waitQuietSeconds: number;
  logLevel: string;
}

const USAGE = `Usage: npm run bench:ingest -- [flags]
  --quick                  short phases for a smoke run (~30 s of load)
  --keep                   keep the tl_bench_<timestamp> database after the run
  --cpu-prof               write a V8 CPU profile of the Threadline process (see bench/profile-summary.ts)
  --processing-seconds N   length of the processing phase (default 60)
  --concurrency N          connections of the closed-loop phase (default 64)
  --rate N                 offered events/s of the latency and processing phases (default 1000)
  --customers N            distinct customers (wa_ids) in the generated traffic (default 2000)
  --worker-concurrency N   graphile-worker concurrency in the Threadline process (default: runtime default)
  --seed N                 seed of the traffic generator (default 1)
  --wait-quiet N           wait up to N s for the machine to be idle (<10% busy, no other busy database) first
  --log-level LEVEL        Threadline log level (default warn)
Database: BENCH_DATABASE_URL or DATABASE_URL (admin connection), default postgres://postgres@127.0.0.1:5432/test`;

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    if (!arg.startsWith('--')) throw new Error(`Unexpected argument ${arg}\n${USAGE}`);
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    if (['quick', 'keep', 'cpu-prof'].includes(name)) {
      flags.add(name);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`--${name} needs a value\n${USAGE}`);
    values.set(name, value);
  }
  const known = new Set(['processing-seconds', 'concurrency', 'rate', 'customers', 'worker-concurrency', 'seed', 'log-level', 'wait-quiet']);
  for (const name of values.keys()) if (!known.has(name)) throw new Error(`Unknown flag --${name}\n${USAGE}`);
  const num = (name: string, fallback: number): number => {
    const raw = values.get(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${raw}`);
    return n;
  };
  const quick = flags.has('quick');
  const rate = num('rate', 1000);
  const maxSeconds = quick ? 4 : 15;
  return {
    quick,
    keep: flags.has('keep'),
    cpuProf: flags.has('cpu-prof'),
    adminUrl: env.BENCH_DATABASE_URL ?? env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    concurrency: Math.round(num('concurrency', 64)),
    rate,
    warmupSeconds: quick ? 2 : 5,
    maxSeconds,
    latencySeconds: quick ? 5 : 15,
    processingSeconds: num('processing-seconds', quick ? 10 : 60),
    drainTimeoutSeconds: quick ? 60 : 240,
    customers: Math.round(num('customers', 2000)),
    seed: Math.round(num('seed', 1)),
    // Room for 8,000 events/s; past that the phase just ends early (its rate stays exact).
    maxPoolEvents: maxSeconds * 8_000,
    workerConcurrency: values.has('worker-concurrency') ? Math.round(num('worker-concurrency', 8)) : null,
    logLevel: values.get('log-level') ?? 'warn',
    waitQuietSeconds: values.has('wait-quiet') ? num('wait-quiet', 0) : 0,
  };
}
