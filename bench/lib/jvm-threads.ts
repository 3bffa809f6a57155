/**
 * Where DynamoDB Local's CPU goes, by JVM thread (Linux: /proc/<pid>/task/<tid>/{comm,stat}), for the
 * saturation benchmark. The JVM names its threads, so the kernel's per-thread times split its CPU into
 * what it does for the calls and what it does for itself:
 *
 *  - `sqlite queue`: DynamoDB Local runs every storage operation on ONE thread (`SQLiteQueue[…]`): it
 *    reads the stored items (JSON, bound by Jackson) and writes them back through sqlite4java. Being
 *    one thread, it caps DynamoDB Local's throughput whatever the cores: 1000 ÷ its ms per case.
 *  - `http`: the Jetty pool (`qtp…`) parsing requests and writing answers;
 *  - `jit`: HotSpot's C1/C2 compilers (a JVM warming up: it fades as the code gets compiled);
 *  - `gc`: the collector's threads and the VM thread;
 *  - `other`: the rest.
 */
import { readdirSync, readFileSync } from 'node:fs';

export const JVM_THREAD_GROUPS = ['sqlite queue', 'http', 'jit', 'gc', 'other'] as const;
export type JvmThreadGroup = (typeof JVM_THREAD_GROUPS)[number];
export type JvmThreadCpu = Record<JvmThreadGroup, number>;

/** The group of a JVM thread by its name as the kernel keeps it (at most 15 characters). */
export function jvmThreadGroup(comm: string): JvmThreadGroup {
  if (comm.startsWith('SQLiteQueue')) return 'sqlite queue';
  if (comm.startsWith('qtp')) return 'http';
  if (/^C[12] CompilerThre/.test(comm)) return 'jit';
  if (/^(GC Thread|G1 |VM Thread)/.test(comm)) return 'gc';
  return 'other';
}

export function emptyJvmThreadCpu(): JvmThreadCpu {
  return { 'sqlite queue': 0, http: 0, jit: 0, gc: 0, other: 0 };
}

/** CPU ms (user + system) of each group of `pid`'s threads so far; undefined if it is not readable. */
export function jvmThreadCpu(pid: number, tickMs: number): JvmThreadCpu | undefined {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  const cpu = emptyJvmThreadCpu();
  for (const tid of tids) {
    try {
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // After the parenthesised name: state is field 3, utime 14, stime 15 (1-based).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpu[jvmThreadGroup(comm)] += (Number(fields[11]) + Number(fields[12])) * tickMs;
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return cpu;
}

/** b − a, group by group (threads that ended in between make a group smaller: clamped at 0). */
export function jvmThreadCpuSince(a: JvmThreadCpu, b: JvmThreadCpu): JvmThreadCpu {
  const d = emptyJvmThreadCpu();
  for (const g of JVM_THREAD_GROUPS) d[g] = Math.max(0, b[g] - a[g]);
  return d;
}

/** a + b, group by group. */
export function addJvmThreadCpu(a: JvmThreadCpu, b: JvmThreadCpu): JvmThreadCpu {
  const d = emptyJvmThreadCpu();
  for (const g of JVM_THREAD_GROUPS) d[g] = a[g] + b[g];
  return d;
}
