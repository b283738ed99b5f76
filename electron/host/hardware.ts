/**
 * CPU and memory hardware details that /proc does not give (CPU model, sockets, DIMM layout), through
 * systeminformation. Optional and off the hot path: loaded only when asked for, and only for the live
 * machine (a snapshot or fake root describes another machine's kernel, not this one's hardware).
 */
import type { Hardware } from '../../shared/api';
import { UserError } from '../../shared/errors';
import type { HostFiles } from '../../shared/host/files';

const TIMEOUT_MS = 10_000;

export async function readHardware(files: HostFiles): Promise<Hardware> {
  if (files.source.kind !== 'live') {
    throw new UserError(
      'hardware details are only available for this machine, not for a snapshot or fake root',
      'bad-request',
    );
  }
  const si = await import('systeminformation');
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new UserError('reading hardware details timed out')), TIMEOUT_MS).unref(),
  );
  const [cpu, dimms] = await Promise.race([Promise.all([si.cpu(), si.memLayout()]), timeout]);
  return {
    cpu: {
      manufacturer: cpu.manufacturer || null,
      brand: cpu.brand || null,
      sockets: cpu.processors || null,
      physicalCores: cpu.physicalCores || null,
      logicalCores: cpu.cores || null,
    },
    // memLayout needs dmidecode and root; without them it reports one unnamed block or nothing.
    dimms: dimms
      .filter((d) => d.size > 0)
      .map((d) => ({
        sizeBytes: d.size,
        bank: d.bank || null,
        type: d.type || null,
        clockMHz: d.clockSpeed || null,
        formFactor: d.formFactor || null,
      })),
  };
}
