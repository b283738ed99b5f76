/**
 * The configuration files that make the settings last: sysctl.d for /proc/sys, tmpfiles.d for sysfs knobs
 * (they are not sysctls), limits.d for a user's memlock limit, and a systemd drop-in for a model server.
 */
import type { Collected } from './collect';
import { type ArtifactContext, header, shWord } from './text';

export interface FileArtifact {
  path: string;
  text: string;
}

export const SYSCTL_PATH = '/etc/sysctl.d/60-hugetune.conf';
export const TMPFILES_PATH = '/etc/tmpfiles.d/60-hugetune.conf';
export const LIMITS_PATH = '/etc/security/limits.d/60-hugetune.conf';
export const dropInPath = (unit: string): string => `/etc/systemd/system/${unit}.d/60-hugetune.conf`;

const isPool = (path: string): boolean => path.endsWith('/nr_hugepages');
const file = (path: string, lines: string[]): FileArtifact => ({ path, text: `${lines.join('\n')}\n` });

export function sysctlConf(c: Collected, ctx: ArtifactContext): FileArtifact | null {
  const writes = c.writes.filter((w) => w.sysctl !== null);
  if (writes.length === 0) return null;
  const notes: string[] = [];
  if (writes.some((w) => w.sysctl === 'vm.hugetlb_optimize_vmemmap') && writes.some((w) => isPool(w.path))) {
    notes.push(
      '# vm.hugetlb_optimize_vmemmap comes before the pool: HVO only optimizes pages allocated while it is on.',
    );
  }
  if (writes.some((w) => isPool(w.path))) {
    notes.push(
      '# A pool set here is allocated once boot is under way and memory is already in use: it can come up short.',
      '# hugepages= on the boot line (bootCmdline) reserves before anything else runs.',
    );
  }
  return file(SYSCTL_PATH, [
    ...header(ctx, SYSCTL_PATH, 'kernel settings applied at boot by systemd-sysctl.service (sysctl.d(5))', [
      `rm ${SYSCTL_PATH}`,
      'The values stay in force until reboot; the rollback script restores the earlier ones now.',
    ]),
    ...notes,
    '',
    ...writes.map((w) => `${w.sysctl} = ${w.value}`),
  ]);
}

/**
 * sysfs writes at boot. The line type is `w`: write the argument if the file exists (tmpfiles.d(5)). `w+`
 * appends, which says the wrong thing for a one-value kernel file; the `-` modifier would keep a refused write
 * from failing systemd-tmpfiles, so the failed unit (and the failed Ansible task that runs the same file)
 * would not show it. Paths and values are allow-listed words, so none needs the quoting, specifier (%) or
 * backslash handling tmpfiles applies to those fields.
 */
export function tmpfilesConf(c: Collected, ctx: ArtifactContext): FileArtifact | null {
  const writes = c.writes.filter((w) => w.sysctl === null);
  if (writes.length === 0) return null;
  const pools = writes.some((w) => isPool(w.path));
  return file(TMPFILES_PATH, [
    ...header(ctx, TMPFILES_PATH, 'sysfs settings written at boot by systemd-tmpfiles (tmpfiles.d(5))', [
      `rm ${TMPFILES_PATH}`,
      'The values stay in force until reboot; the rollback script restores the earlier ones now.',
    ]),
    '# Apply now without a reboot: systemd-tmpfiles --create ' + TMPFILES_PATH,
    '# systemd-tmpfiles-setup.service runs early in boot, but it is not ordered after systemd-sysctl.service:',
    '# a line here may run before the sysctl.d settings are in force.',
    ...(pools
      ? [
          '# Pool pages allocated here may therefore miss HVO (vm.hugetlb_optimize_vmemmap), and they are taken',
          '# from memory that is already in use. Per-node pools at boot are more reliable on the boot line:',
          '# hugepagesz=SIZE hugepages=0:N,1:M reserves N pages on node 0 and M on node 1 before anything else runs.',
        ]
      : []),
    '',
    '#Type Path Mode User Group Age Argument',
    ...writes.map((w) => `w ${w.path} - - - - ${w.value}`),
  ]);
}

export function limitsConf(c: Collected, ctx: ArtifactContext): FileArtifact | null {
  if (c.users.length === 0) return null;
  return file(LIMITS_PATH, [
    ...header(ctx, LIMITS_PATH, 'memlock limit for a login session (limits.conf(5), pam_limits)', [
      `rm ${LIMITS_PATH}`,
      'Takes effect from the next login.',
    ]),
    '# pam_limits applies this to login sessions only: a systemd service takes LimitMEMLOCK= in its unit instead.',
    '',
    ...c.users.flatMap((u) => [`${u} soft memlock unlimited`, `${u} hard memlock unlimited`]),
  ]);
}

/**
 * Environment= quoting (systemd.syntax(7), "Quoting"): the whole assignment in double quotes, so spaces and =
 * stay in the value; backslash and the quote escaped C-style; % doubled because specifiers are expanded
 * (systemd.unit(5)). $ has no meaning in Environment=. Control characters were refused in collect().
 */
export function systemdEnvironment(name: string, value: string): string {
  const v = value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('%', '%%');
  return `Environment="${name}=${v}"`;
}

/** numactl's own options before the unit's command, keeping ExecStart='s prefix characters (-, +, !, :) first. */
function wrapExecStart(numactl: string, execStart: string): string | null {
  const m = /^([-+!:]*)(.*)$/s.exec(execStart.trim())!;
  const flags = m[1]!;
  const command = m[2]!.trim();
  // @ (set argv[0]) and a command list (;) cannot be wrapped by a prefix; neither can an empty command.
  if (command === '' || command.startsWith('@') || /(^|\s)\\?;(\s|$)/.test(command) || /\p{Cc}/u.test(command)) {
    return null;
  }
  return `${flags}/usr/bin/${numactl} ${command}`;
}

export function serviceDropIn(c: Collected, ctx: ArtifactContext): FileArtifact | null {
  const s = c.service;
  if (!s) return null;
  const path = dropInPath(s.unit);
  // A unit name may hold \ (systemd-escape's \x2d): the commands to copy quote it as the shell needs.
  const unit = shWord(s.unit);
  const lines = [
    ...header(ctx, path, `settings for ${s.unit} (a systemd drop-in, systemd.unit(5))`, [
      `rm ${shWord(path)} && systemctl daemon-reload && systemctl restart ${unit}`,
    ]),
    `# Takes effect after: systemctl daemon-reload && systemctl restart ${unit}`,
    '',
    '[Service]',
  ];
  if (s.memlock) {
    lines.push('# Lets the server lock the model in memory (--mlock); systemd services ignore limits.conf.');
    lines.push('LimitMEMLOCK=infinity');
  }
  for (const [name, value] of s.environment) lines.push(systemdEnvironment(name, value));
  if (s.numactl !== null) {
    const wrapped = ctx.execStart ? wrapExecStart(s.numactl, ctx.execStart) : null;
    lines.push(
      `# NUMA binding: the server should start as "${s.numactl} <its command>". A drop-in cannot add a prefix`,
      '# to a command: it must replace ExecStart=, first with an empty ExecStart= (which clears the one in the',
      '# unit; a service without Type=oneshot takes only one) and then the whole new command line.',
    );
    if (wrapped !== null) {
      lines.push('ExecStart=', `ExecStart=${wrapped}`);
    } else {
      lines.push(
        ctx.execStart
          ? "# The unit's ExecStart= uses @ or several commands, which a prefix cannot wrap: edit it by hand."
          : `# The unit's command was not given, so no ExecStart= is written: see it with systemctl cat ${unit},`,
        ...(ctx.execStart ? [] : ['# then add the two lines here with the numactl prefix in front of it.']),
      );
    }
  }
  return file(path, lines);
}
