import { describe, expect, it } from 'vitest';
import { emptyJvmThreadCpu, jvmThreadCpu, jvmThreadCpuSince, jvmThreadGroup } from './jvm-threads.ts';

describe('DynamoDB Local CPU by JVM thread', () => {
  it('groups the threads by the names HotSpot, Jetty and DynamoDB Local give them', () => {
    expect(jvmThreadGroup('SQLiteQueue[]')).toBe('sqlite queue');
    expect(jvmThreadGroup('qtp344080246-13')).toBe('http');
    expect(jvmThreadGroup('C2 CompilerThre')).toBe('jit');
    expect(jvmThreadGroup('C1 CompilerThre')).toBe('jit');
    expect(jvmThreadGroup('GC Thread#1')).toBe('gc');
    expect(jvmThreadGroup('G1 Conc#0')).toBe('gc');
    expect(jvmThreadGroup('VM Thread')).toBe('gc');
    expect(jvmThreadGroup('java')).toBe('other');
    expect(jvmThreadGroup('pool-3-thread-6')).toBe('other');
  });

  it.runIf(process.platform === 'linux')(
    "reads a live process's threads from /proc, and nothing of one that is gone",
    () => {
      const before = jvmThreadCpu(process.pid, 10)!;
      const until = Date.now() + 120;
      while (Date.now() < until); // ~120 ms of CPU on this (main) thread
      const spent = jvmThreadCpuSince(before, jvmThreadCpu(process.pid, 10)!);
      expect(spent.other).toBeGreaterThanOrEqual(50);
      expect(spent['sqlite queue'] + spent.http + spent.jit).toBe(0);
      expect(jvmThreadCpu(2 ** 22 + 1, 10)).toBeUndefined();
    },
  );

  it('clamps a group that shrank (its threads ended) at 0', () => {
    const a = { ...emptyJvmThreadCpu(), http: 500, jit: 100 };
    const b = { ...emptyJvmThreadCpu(), http: 300, jit: 400 };
    expect(jvmThreadCpuSince(a, b)).toEqual({ ...emptyJvmThreadCpu(), http: 0, jit: 300 });
  });
});
