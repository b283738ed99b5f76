/**
 * A TuneD profile (tuned.conf), for machines where TuneD owns tuning. Option names follow TuneD's plugins
 * (redhat-performance/tuned, tuned/plugins/): [sysctl] takes sysctl names, [vm] has transparent_hugepages and
 * transparent_hugepage.defrag, [sysfs] takes /sys paths, [bootloader] takes cmdline<suffix>=[+|-]words.
 *
 * TuneD applies a profile's sections in the order they appear (each is one plugin instance, sorted by a
 * priority that defaults to the same value, and the sort is stable). So the writes are emitted in apply
 * order: consecutive writes for one plugin share a section, and when the order goes back to a plugin already
 * used, a further instance is opened with `type=` (e.g. [hugetune_sysctl_2] type=sysctl).
 */
import { THP_DIR } from '../../host/paths';
import type { Collected, PlannedWrite } from './collect';
import type { FileArtifact } from './files';
import { type ArtifactContext, header, plainText } from './text';

export const TUNED_PATH = '/etc/tuned/hugetune/tuned.conf';

/** Options TuneD's plugins know, for the writer and for tests that read the profile back. */
export const TUNED_OPTIONS = {
  main: ['summary', 'description', 'include'],
  /** Options every section (plugin instance) takes: tuned/profiles/unit.py. */
  unit: [
    'type',
    'priority',
    'enabled',
    'replace',
    'prepend',
    'drop',
    'devices',
    'devices_udev_regex',
    'cpuinfo_regex',
    'uname_regex',
    'script_pre',
    'script_post',
  ],
  vm: [
    'transparent_hugepages',
    'transparent_hugepage',
    'transparent_hugepage.defrag',
    'dirty_bytes',
    'dirty_ratio',
    'dirty_background_bytes',
    'dirty_background_ratio',
  ],
  /** Besides cmdline and any cmdline<suffix>. */
  bootloader: [
    'grub2_cfg_file',
    'initrd_dst_img',
    'initrd_add_img',
    'initrd_add_dir',
    'initrd_remove_dir',
    'skip_grub_config',
  ],
} as const;

type Plugin = 'sysctl' | 'vm' | 'sysfs';

/** The plugin and option name a write goes under. */
function optionOf(w: PlannedWrite): { plugin: Plugin; name: string } {
  if (w.sysctl !== null) return { plugin: 'sysctl', name: w.sysctl };
  if (w.path === `${THP_DIR}/enabled`) return { plugin: 'vm', name: 'transparent_hugepages' };
  if (w.path === `${THP_DIR}/defrag`) return { plugin: 'vm', name: 'transparent_hugepage.defrag' };
  return { plugin: 'sysfs', name: w.path };
}

// The summary is an INI value TuneD reads with inline # comments and ${variable} expansion: leave out the
// characters that would cut it short or expand.
const iniText = (s: string): string =>
  plainText(s)
    .replace(/[#;$%]/g, '')
    .trim();

const INCLUDE = /^[A-Za-z0-9_.-]{1,64}(?:,[A-Za-z0-9_.-]{1,64}){0,7}$/;

export function tunedProfile(c: Collected, ctx: ArtifactContext): FileArtifact | null {
  const boot = c.boot && c.boot.add.length + c.boot.remove.length > 0 ? c.boot : null;
  if (c.writes.length === 0 && !boot) return null;
  const include = ctx.tunedInclude?.trim() ?? '';
  if (include !== '' && !INCLUDE.test(include))
    throw new Error(`${JSON.stringify(include)} is not a TuneD profile name`);

  const lines = [
    ...header(ctx, TUNED_PATH, 'a TuneD profile (tuned.conf(5))', [
      'tuned-adm profile <your previous profile> && rm -r /etc/tuned/hugetune',
      'TuneD restores the runtime values it changed when the profile is switched off.',
    ]),
    '# Use: tuned-adm profile hugetune   (check: tuned-adm verify)',
    '# TuneD reapplies the sysctl.d files after its own [sysctl] (reapply_sysctl in tuned-main.conf): use this',
    '# profile or the sysctl.d file, not both with different values.',
    '',
    '[main]',
    `summary=hugetune: ${iniText(ctx.title) || 'huge page settings'}`,
  ];
  if (include !== '') lines.push(`include=${include}`);
  else lines.push('# include=throughput-performance   (optional: build on a stock profile)');

  const used = new Map<Plugin, number>();
  let current: Plugin | null = null;
  for (const w of c.writes) {
    const { plugin, name } = optionOf(w);
    if (plugin !== current) {
      const n = (used.get(plugin) ?? 0) + 1;
      used.set(plugin, n);
      lines.push('');
      if (n === 1) lines.push(`[${plugin}]`);
      else lines.push(`[hugetune_${plugin}_${n}]`, `type=${plugin}`);
      if (plugin === 'vm' && n === 1) {
        lines.push('# Ignored by TuneD when the boot line already sets transparent_hugepage=.');
      }
      current = plugin;
    }
    lines.push(`${name}=${w.value}`);
  }

  if (boot) {
    lines.push(
      '',
      '[bootloader]',
      '# Added to the kernel command line by TuneD (GRUB 2 or BLS); takes effect after a reboot.',
    );
    if (boot.add.length > 0) lines.push(`cmdline_hugetune=+${boot.add.join(' ')}`);
    if (boot.remove.length > 0) {
      // cmdline=-words only drops words an included profile added; it cannot touch the distribution's own.
      lines.push(`# TuneD does not remove parameters it did not add: take out by hand: ${boot.remove.join(' ')}`);
    }
  }
  return { path: TUNED_PATH, text: `${lines.join('\n')}\n` };
}
