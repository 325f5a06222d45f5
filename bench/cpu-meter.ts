import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';

/**
 * Where the CPU went during a phase, from /proc: the whole machine, the Threadline process, the
 * baseline process, every PostgreSQL process, and the load generator itself. On a 2-core machine
 * they all compete, so this says which one a missed target is waiting on. Linux only; elsewhere
 * every figure reads 0.
 */
export interface CpuSnapshot {
  at: number;
  machineBusy: number;
  machineTotal: number;
  processes: Record<string, number>;
  postgres: Map<number, number>;
  selfMicros: number;
}

export interface CpuShare {
  seconds: number;
  /** Percent of the whole machine (all cores). */
  machinePercent: number;
  /** Percent of one core, per process group. */
  corePercent: Record<string, number>;
}

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

function processTicks(pid: number | string): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  } catch {
    return 0; // exited meanwhile
  }
}

/** Ticks of every PostgreSQL process by pid, so processes that come and go are counted fairly. */
function postgresTicks(): Map<number, number> {
  const ticks = new Map<number, number>();
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return ticks;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') ticks.set(Number(entry), processTicks(entry));
    } catch {
      // gone
    }
  }
  return ticks;
}

function machineTicks(): { busy: number; total: number } {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

export class CpuMeter {
  private readonly ticksPerSecond = clockTicks();

  constructor(private readonly pids: Record<string, number>) {}

  snapshot(): CpuSnapshot {
    const machine = machineTicks();
    const processes: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) processes[name] = processTicks(pid);
    const usage = process.cpuUsage();
    return { at: performance.now(), machineBusy: machine.busy, machineTotal: machine.total, processes, postgres: postgresTicks(), selfMicros: usage.user + usage.system };
  }

  share(from: CpuSnapshot, to: CpuSnapshot = this.snapshot()): CpuShare {
    const seconds = (to.at - from.at) / 1000;
    // A process that exits between snapshots (a PostgreSQL autovacuum worker) takes its ticks along.
    const pct = (ticks: number) => (seconds > 0 ? Math.max(0, Math.round((ticks / this.ticksPerSecond / seconds) * 1000) / 10) : 0);
    const corePercent: Record<string, number> = {};
    for (const name of Object.keys(this.pids)) corePercent[name] = pct((to.processes[name] ?? 0) - (from.processes[name] ?? 0));
    // New processes count whole; ones that exited in between are missed (their share lands in "other").
    let postgres = 0;
    for (const [pid, ticks] of to.postgres) postgres += ticks - (from.postgres.get(pid) ?? 0);
    corePercent.postgres = pct(postgres);
    corePercent.loadgen = seconds > 0 ? Math.round(((to.selfMicros - from.selfMicros) / 1e6 / seconds) * 1000) / 10 : 0;
    const total = to.machineTotal - from.machineTotal;
    const machinePercent = total > 0 ? Math.round(((to.machineBusy - from.machineBusy) / total) * 1000) / 10 : 0;
    const known = Object.values(corePercent).reduce((a, b) => a + b, 0);
    // Kernel (loopback networking), exited processes and anything else running on the machine.
    corePercent.other = Math.max(0, Math.round((machinePercent * os.cpus().length - known) * 10) / 10);
    return { seconds, machinePercent, corePercent };
  }
}

export interface BusyProcess {
  pid: number;
  name: string;
  corePercent: number;
}

function allProcessTicks(): Map<number, { name: string; ticks: number }> {
  const result = new Map<number, { name: string; ticks: number }>();
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return result;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      result.set(Number(entry), { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ticks: Number(fields[11] ?? 0) + Number(fields[12] ?? 0) });
    } catch {
      // gone
    }
  }
  return result;
}

/**
 * How busy the machine is before the run, and with what: other work on a 2-core machine (tests,
 * another benchmark on the same PostgreSQL) would skew every figure, so the report says so.
 */
export async function machineActivity(seconds: number, excludePids: number[]): Promise<{ machinePercent: number; busiest: BusyProcess[] }> {
  const ticksPerSecond = clockTicks();
  const before = allProcessTicks();
  const machineBefore = machineTicks();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const after = allProcessTicks();
  const machineAfter = machineTicks();
  const busiest: BusyProcess[] = [];
  for (const [pid, p] of after) {
    if (excludePids.includes(pid)) continue;
    const delta = p.ticks - (before.get(pid)?.ticks ?? p.ticks);
    const corePercent = Math.round((delta / ticksPerSecond / seconds) * 1000) / 10;
    if (corePercent >= 2) busiest.push({ pid, name: p.name, corePercent });
  }
  busiest.sort((a, b) => b.corePercent - a.corePercent);
  const total = machineAfter.total - machineBefore.total;
  return { machinePercent: total > 0 ? Math.round(((machineAfter.busy - machineBefore.busy) / total) * 1000) / 10 : 0, busiest: busiest.slice(0, 8) };
}
