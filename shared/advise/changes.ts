/**
 * What the advisor proposes, as data: every recommendation carries the exact changes that carry it out, and
 * every artifact (sysctl.d, tmpfiles.d, boot line, apply and rollback scripts, TuneD, Ansible, a systemd
 * drop-in) and the guided setup are written from these same values.
 */
import type { Evidence } from './findings';

/** A runtime write to an allow-listed kernel file (shared/advise/settings.ts), with the value read before. */
export interface WriteChange {
  kind: 'write';
  path: string;
  value: string;
  /** What the file held when the advice was made (the rollback target); null when it was not readable. */
  before: string | null;
}

/** Kernel parameters to set (value null: a bare flag) and to drop, on the boot line; takes effect on reboot. */
export interface BootChange {
  kind: 'boot';
  set: { key: string; value: string | null }[];
  remove: string[];
}

/** A memlock limit, for a user (limits.d) or a systemd service (LimitMEMLOCK). */
export interface MemlockChange {
  kind: 'memlock';
  scope: 'user' | 'service';
  /** The user name or the unit name. */
  name: string;
  limit: 'infinity';
}

/** How a model server is started: environment, NUMA binding, memlock; written as a systemd drop-in. */
export interface ServiceChange {
  kind: 'service';
  unit: string;
  environment: Record<string, string>;
  /** A numactl prefix for ExecStart, or null. */
  numactl: string | null;
}

export type Change = WriteChange | BootChange | MemlockChange | ServiceChange;

export type Severity = 'info' | 'suggested' | 'important' | 'critical';

export interface Recommendation {
  id: string;
  severity: Severity;
  title: string;
  /** Why, in plain words, with the figures. */
  reason: string;
  evidence: Evidence[];
  changes: Change[];
  needsReboot: boolean;
  risk: string;
  /** Kernel documentation section, commit, or the runtime's own source. */
  reference: string;
  /** Commands to run by hand (launch lines, a compaction), when a change is not a setting. */
  commands?: string[];
}

/** One line for a change, as the CLI, the Advisor and the Setup show it. */
export function describeChange(c: Change): string {
  switch (c.kind) {
    case 'write':
      return `${c.path}: ${c.before ?? '?'} → ${c.value}`;
    case 'boot':
      return `boot line: ${[...c.set.map((x) => (x.value === null ? x.key : `${x.key}=${x.value}`)), ...c.remove.map((k) => `remove ${k}`)].join(' ')}`;
    case 'memlock':
      return `memlock unlimited for ${c.scope === 'service' ? `the service ${c.name}` : `the user ${c.name}`}`;
    case 'service':
      return `${c.unit}: ${[c.numactl ? `run under ${c.numactl}` : '', ...Object.entries(c.environment).map(([k, v]) => `${k}=${v}`)].filter(Boolean).join(', ')}`;
  }
}
