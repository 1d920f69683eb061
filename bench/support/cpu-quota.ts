// An operating-system CPU quota for a whole browser (every process and thread of it: the page's
// main thread, its workers, the network and GPU processes), so a phone's slowness applies to work
// moved into a worker as much as to the main thread. DevTools' Emulation.setCPUThrottlingRate
// slows only a page's main thread (a worker runs at full speed under it, and the protocol refuses
// to throttle worker targets), which would reward moving work off the main thread for no reason.
//
// Linux cgroup v1 CPU controller (mounted at /sys/fs/cgroup/cpu on this machine and in CI; needs
// root): a group of our own with cpu.cfs_quota_us / cpu.cfs_period_us, and the browser's process
// tree in its cgroup.procs (children forked later inherit the group). Quota 2.5 ms per 10 ms
// period = a quarter of one core for the whole browser; a short period keeps the slowdown even
// (a task of 25 ms of work spans several periods) instead of long pauses every 100 ms.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CPU_CGROUP = '/sys/fs/cgroup/cpu';
export const PERIOD_US = 10_000;

/** Every process below `pid` (itself included), read from /proc. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch { /* exited meanwhile */ }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift()!;
    out.push(p);
    queue.push(...(children.get(p) ?? []));
  }
  return out;
}

/**
 * The browser process of a Chromium launched with `marker` among its arguments (e.g. its unique
 * --remote-debugging-port=N): the one process with it and no --type= (its children have one).
 * Playwright 1.65's Browser has no process(); this finds it from /proc instead.
 */
export function browserPid(marker: string): number | undefined {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const args = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (args.includes(marker) && !args.some((a) => a.startsWith('--type='))) return Number(name);
    } catch { /* exited meanwhile */ }
  }
  return undefined;
}

export class CpuQuota {
  private constructor(readonly dir: string) {}

  /** A cgroup of our own, or the reason there cannot be one here. */
  static create(name = `hourmesh-bench-${process.pid}`): CpuQuota | string {
    if (!existsSync(join(CPU_CGROUP, 'cpu.cfs_quota_us'))) return `no cgroup v1 cpu controller at ${CPU_CGROUP}`;
    const dir = join(CPU_CGROUP, name);
    try {
      // Groups left by an earlier run that was killed: empty, their owner gone.
      for (const old of readdirSync(CPU_CGROUP)) {
        const owner = /^hourmesh-bench-(\d+)$/.exec(old)?.[1];
        if (owner && !existsSync(`/proc/${owner}`)) {
          try { rmdirSync(join(CPU_CGROUP, old)); } catch { /* still holds a process */ }
        }
      }
      if (!existsSync(dir)) mkdirSync(dir);
      const quota = new CpuQuota(dir);
      quota.set(null);
      return quota;
    } catch (error) {
      return `cannot create or write ${dir}: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  /** `quotaUs` of CPU time per PERIOD_US for the whole group; null = unlimited. */
  set(quotaUs: number | null): void {
    writeFileSync(join(this.dir, 'cpu.cfs_period_us'), String(PERIOD_US));
    writeFileSync(join(this.dir, 'cpu.cfs_quota_us'), quotaUs === null ? '-1' : String(Math.max(1_000, Math.round(quotaUs))));
  }

  /** Moves `pid` and all its descendants into the group; returns how many moved. */
  adopt(pid: number): number {
    let moved = 0;
    for (const p of processTree(pid)) {
      try {
        writeFileSync(join(this.dir, 'cgroup.procs'), String(p));
        moved++;
      } catch { /* exited meanwhile */ }
    }
    return moved;
  }

  /** Pids in the group now. */
  members(): number[] {
    return readFileSync(join(this.dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  }

  /** Throttled periods and time so far (cpu.stat), to show the quota did bite. */
  stat(): { periods: number; throttled: number; throttledMs: number } {
    const s = Object.fromEntries(readFileSync(join(this.dir, 'cpu.stat'), 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ')));
    return { periods: Number(s.nr_periods), throttled: Number(s.nr_throttled), throttledMs: Number(s.throttled_time) / 1e6 };
  }

  /** Moves whatever is left back to the root group and removes ours. */
  destroy(): void {
    try {
      for (const p of this.members()) {
        try { writeFileSync(join(CPU_CGROUP, 'cgroup.procs'), String(p)); } catch { /* exited */ }
      }
      rmdirSync(this.dir);
    } catch { /* already gone */ }
  }
}
