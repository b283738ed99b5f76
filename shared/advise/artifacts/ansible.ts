/**
 * An Ansible playbook that makes the same settings on one or many hosts: sysctls through ansible.posix.sysctl
 * (into the same sysctl.d file), sysfs knobs through the same tmpfiles.d file, the boot line, and the limits
 * and service files. Written by hand as text (the app ships no YAML library): every string that comes from a
 * change goes out as a double-quoted scalar, and free text only in comments.
 *
 * Order follows the apply script: HVO, then the sysctl pools that shrink, then the tmpfiles.d file (its own
 * lines in apply order), then the remaining sysctls; so HVO is on before any pool grows and every shrink comes
 * before every growth.
 */
import { PATHS } from '../../host/paths';
import type { Collected, PlannedWrite } from './collect';
import {
  dropInPath,
  LIMITS_PATH,
  limitsConf,
  serviceDropIn,
  SYSCTL_PATH,
  TMPFILES_PATH,
  tmpfilesConf,
  type FileArtifact,
} from './files';
import { type ArtifactContext, plainText, yamlString } from './text';

export const ANSIBLE_PATH = 'hugetune.yml';
/** Debian and Ubuntu's grub-mkconfig reads /etc/default/grub.d/*.cfg after /etc/default/grub. */
export const GRUB_DROP_IN = '/etc/default/grub.d/60-hugetune.cfg';

const q = yamlString;
/**
 * Ansible renders module arguments as Jinja templates, so a value holding {{ would run on the controller.
 * Text that is not ours alone (file contents with environment values, loader commands) is tagged !unsafe,
 * which Ansible passes through untemplated.
 */
const unsafe = (s: string): string => `!unsafe ${yamlString(s)}`;
/** A file's text as a YAML literal block, indented under its key. */
const block = (text: string, indent: string): string[] =>
  text
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => (l === '' ? '' : indent + l));

function sysctlTask(w: PlannedWrite): string[] {
  return [
    `    - name: ${q(`Set ${w.sysctl} to ${w.value}`)}`,
    '      ansible.posix.sysctl:',
    `        name: ${q(w.sysctl!)}`,
    `        value: ${q(w.value)}`,
    `        sysctl_file: ${SYSCTL_PATH}`,
    '        sysctl_set: true',
    '        reload: true',
    '        state: present',
  ];
}

function copyTask(name: string, dest: string, text: string, extra: string[] = []): string[] {
  return [
    `    - name: ${q(name)}`,
    '      ansible.builtin.copy:',
    `        dest: ${q(dest)}`,
    '        owner: root',
    '        group: root',
    '        mode: "0644"',
    '        content: !unsafe |',
    ...block(text, '          '),
    ...extra,
  ];
}

export function ansiblePlaybook(c: Collected, ctx: ArtifactContext): FileArtifact | null {
  const tmpfiles = tmpfilesConf(c, ctx);
  const limits = limitsConf(c, ctx);
  const dropIn = serviceDropIn(c, ctx);
  const boot = c.boot && c.boot.add.length + c.boot.remove.length > 0 ? c.boot : null;
  if (c.writes.length === 0 && !boot && !limits && !dropIn) return null;

  const sysctls = c.writes.filter((w) => w.sysctl !== null);
  const first = sysctls.filter(
    (w) =>
      w.path === PATHS.hvoSysctl ||
      (w.path.endsWith('/nr_hugepages') && w.before !== null && Number(w.value) < Number(w.before)),
  );
  const rest = sysctls.filter((w) => !first.includes(w));
  const tasks: string[][] = [];
  const handlers: string[][] = [];
  tasks.push(...first.map(sysctlTask));
  if (tmpfiles) {
    tasks.push(
      copyTask('Install the tmpfiles.d file for the sysfs settings', TMPFILES_PATH, tmpfiles.text, [
        '      register: hugetune_tmpfiles',
      ]),
      [
        '    - name: "Write the sysfs settings now"',
        `      ansible.builtin.command: ${q(`systemd-tmpfiles --create ${TMPFILES_PATH}`)}`,
        '      when: hugetune_tmpfiles is changed',
        '      changed_when: true',
      ],
    );
  }
  tasks.push(...rest.map(sysctlTask));

  if (boot) {
    let grubby = false;
    // A loader edit made of commands alone (grubby, kernelstub) can run on the targets as it is. An edit that
    // rewrites a file holds that machine's whole file, which is no edit for other hosts: not used here.
    const loader = ctx.loader && (ctx.loader.apply ?? 'commands') === 'commands' ? ctx.loader.commands : [];
    if (loader.length > 0) {
      // The exact edit for the loader of the machine the advice was made for: check the targets use the same.
      tasks.push(
        loader.flatMap((cmd, i) => [
          `    - name: ${q(`Change the boot line (${i + 1} of ${loader.length}), for the boot loader of ${plainText(ctx.machine)}`)}`,
          `      ansible.builtin.shell: ${unsafe(cmd)}`,
          '      changed_when: true',
        ]),
      );
    } else if (boot.add.length > 0) {
      // Why a grub.d file and a handler rather than lineinfile on /etc/default/grub: lineinfile must match a
      // shell-quoted line that distributions and users write in many ways, and a rerun can append the words
      // twice. A file of our own is written whole (idempotent), removed whole (rm and update-grub), and keeps
      // the words in GRUB_CMDLINE_LINUX_DEFAULT, which recovery entries leave out: a pool too big to boot
      // with can still be fixed from the recovery entry. Debian and Ubuntu read grub.d; Fedora and RHEL boot
      // BLS entries that grubby edits in place.
      const words = boot.add.join(' ');
      tasks.push(
        copyTask(
          'Add the boot parameters (GRUB on Debian and Ubuntu)',
          GRUB_DROP_IN,
          `# Written by hugetune: boot parameters; remove this file and run update-grub to undo\nGRUB_CMDLINE_LINUX_DEFAULT="\${GRUB_CMDLINE_LINUX_DEFAULT:-} ${words}"\n`,
          ["      when: ansible_facts['os_family'] == 'Debian'", '      notify: update-grub'],
        ),
      );
      // grubby replaces a parameter that is already there, so a key given twice (hugepagesz=1G hugepages=2
      // hugepagesz=2M hugepages=512) would lose its first pair: those lines are left to the by-hand step.
      const keys = boot.add.map((w) => w.split('=')[0]);
      grubby = new Set(keys).size === keys.length;
      if (grubby) {
        tasks.push([
          '    - name: "Add the boot parameters (grubby on Fedora and RHEL)"',
          `      ansible.builtin.command: ${q(`grubby --update-kernel=ALL --args="${words}"`)}`,
          "      when: ansible_facts['os_family'] == 'RedHat'",
          '      changed_when: true',
        ]);
      }
      handlers.push([
        '    - name: update-grub',
        '      ansible.builtin.command: update-grub',
        '      changed_when: true',
      ]);
    }
    if (boot.remove.length > 0 || (loader.length === 0 && boot.add.length > 0)) {
      const others = grubby
        ? 'boot loaders other than GRUB on Debian and grubby'
        : 'boot loaders other than GRUB on Debian';
      const todo = [
        ...(loader.length === 0 && boot.add.length > 0 ? [`add ${boot.add.join(' ')} (${others})`] : []),
        ...(boot.remove.length > 0 ? [`remove ${boot.remove.join(' ')}`] : []),
      ];
      tasks.push([
        '    - name: "Boot line steps to take by hand"',
        '      ansible.builtin.debug:',
        `        msg: ${unsafe(`Boot line: ${todo.join('; ')}; then reboot.`)}`,
      ]);
    }
  }

  if (limits) tasks.push(copyTask('Allow memlock for the model server user', LIMITS_PATH, limits.text));
  if (dropIn && c.service) {
    // The service is not restarted here: the model server may be serving; restart it when convenient.
    tasks.push(
      copyTask(`Settings for ${c.service.unit}`, dropInPath(c.service.unit), dropIn.text, [
        '      notify: systemd daemon-reload',
      ]),
    );
    handlers.push([
      '    - name: systemd daemon-reload',
      '      ansible.builtin.systemd:',
      '        daemon_reload: true',
    ]);
  }

  const usesFacts = tasks.some((t) => t.some((l) => l.includes('ansible_facts')));
  const lines = [
    '---',
    `# ${ANSIBLE_PATH}: hugetune's settings as an Ansible playbook`,
    `# Written by hugetune ${plainText(ctx.version, 40)}: ${plainText(ctx.title)}`,
    `# Machine: ${plainText(ctx.machine)}`,
    '# Check first: ansible-playbook --check --diff -l HOST hugetune.yml   Run: ansible-playbook -l HOST hugetune.yml',
    '# Needs the ansible.posix collection (ansible-galaxy collection install ansible.posix).',
    '- name: "hugetune: huge page settings"',
    '  hosts: all',
    '  become: true',
    `  gather_facts: ${usesFacts ? 'true' : 'false'}`,
    '  tasks:',
    ...tasks.flat(),
  ];
  if (tasks.length === 0) lines.push('    []');
  if (handlers.length > 0) lines.push('  handlers:', ...handlers.flat());
  return { path: ANSIBLE_PATH, text: `${lines.join('\n')}\n` };
}
