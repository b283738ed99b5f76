/**
 * Samples the counters that change over time (TLB shootdowns today) at a fixed interval, only while someone
 * listens, and fans each sample out to every listener. Reads only /proc/interrupts on the sampling path.
 */
import type { HostSample } from '../../shared/api';
import type { HostFiles } from '../../shared/host/files';
import { parseInterrupts } from '../../shared/host/parse/interrupts';
import { PATHS } from '../../shared/host/paths';

export function takeSample(files: HostFiles, now: number): HostSample {
  const r = files.read(PATHS.interrupts);
  if (r.kind !== 'text') return { at: now, tlb: null };
  const p = parseInterrupts(r.text);
  const row = p.ok ? p.value.rows.get('TLB') : undefined;
  if (!p.ok || !row?.perCpu) return { at: now, tlb: null };
  const cpus = p.value.cpus;
  return { at: now, tlb: { total: row.total, perCpu: row.perCpu.map((count, i) => ({ cpu: cpus[i]!, count })) } };
}

export class Sampler {
  private readonly listeners = new Set<(s: HostSample) => void>();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly files: () => HostFiles,
    readonly intervalMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  subscribe(listener: (s: HostSample) => void): () => void {
    this.listeners.add(listener);
    const files = this.files();
    listener(takeSample(files, files.now?.() ?? this.clock()));
    if (this.timer === null) {
      this.timer = setInterval(() => this.tick(), this.intervalMs);
      this.timer.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  private tick(): void {
    const files = this.files();
    const sample = takeSample(files, files.now?.() ?? this.clock());
    for (const l of this.listeners) l(sample);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
