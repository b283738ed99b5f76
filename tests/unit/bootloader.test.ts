/**
 * The boot command line for the loader in use, against the files distributions really install
 * (tests/fixtures/bootloaders: Debian 12 and Ubuntu 24.04 /etc/default/grub, Ubuntu's cloud drop-in, Fedora 40
 * BLS entries, an Arch /etc/kernel/cmdline, Pop!_OS's kernelstub configuration): detection, exact edits and
 * diffs, grubby and kernelstub arguments checked against those tools' own rules, capture in snapshots and the
 * capture script, the simulator, and a property test of the edit itself. Nothing here writes files.
 */
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { editWords, keyOf, texts, valueOf, wordsOf, BootEditError } from '../../shared/advise/boot-params';
import {
  BOOT_PATHS,
  detectBootLoader,
  grubbyArgs,
  lineDiff,
  planBootEdit,
  reservationsOf,
  simulateGrubby,
  type BootLoaderInfo,
} from '../../shared/advise/bootloader';
import type { BootChange } from '../../shared/advise/changes';
import { CAPTURE_FILES, CAPTURE_TREES } from '../../shared/host/capture-spec';
import { MemoryFiles, type DirList, type FileRead, type HostFiles } from '../../shared/host/files';
import { parseSnapshot, snapshotFiles, takeSnapshot } from '../../shared/host/snapshot';
import { SimMachine } from '../../shared/sim/machine';
import { PROFILES } from '../../shared/sim/profiles';
import { simFiles } from '../../shared/sim/write';
import { fixtureFiles, REPO } from '../helpers';

const ROOTS = resolve(REPO, 'tests/fixtures/bootloaders');
const HP = 'hugepagesz=1G hugepages=16 hugepagesz=2M hugepages=1024 default_hugepagesz=1G transparent_hugepage=never';
const GIB = 1048576;

/** A tree with some reads or listings replaced (x86-64 unless told otherwise, as the fixtures hold no /proc). */
function overlay(
  base: HostFiles,
  reads: Record<string, FileRead> = {},
  lists: Record<string, DirList> = {},
): HostFiles {
  const r: Record<string, FileRead> = { [BOOT_PATHS.arch]: { kind: 'text', text: 'x86_64\n' }, ...reads };
  return {
    source: base.source,
    read: (p) => r[p] ?? base.read(p),
    list: (d) => lists[d] ?? base.list(d),
  };
}
const root = (name: string, reads: Record<string, FileRead> = {}, lists: Record<string, DirList> = {}) =>
  overlay(fixtureFiles(join(ROOTS, name)), reads, lists);
const fixture = (name: string, path: string) => readFileSync(join(ROOTS, name, path), 'utf8');
const text = (t: string): FileRead => ({ kind: 'text', text: t });
const mem = (files: Record<string, string>) => overlay(MemoryFiles.fromTexts({ kind: 'root', label: 'test' }, files));

/** "hugepagesz=1G hugepages=32 quiet" -> a BootChange; remove as given. */
function ch(set: string, remove: string[] = []): BootChange {
  return {
    kind: 'boot',
    set: set
      .split(/\s+/)
      .filter(Boolean)
      .map((w) => {
        const eq = w.indexOf('=');
        return eq === -1 ? { key: w, value: null } : { key: w.slice(0, eq), value: w.slice(eq + 1) };
      }),
    remove,
  };
}

/** The info a second look at the machine would give after the edit was written. */
function afterWrite(info: BootLoaderInfo, file: string, after: string): BootLoaderInfo {
  return detectBootLoader(
    overlay(MemoryFiles.fromTexts({ kind: 'root', label: 'after' }, { ...info.texts, [file]: after }), {}),
  );
}

describe('detection from the files distributions install', () => {
  it('Debian 12: GRUB, update-grub, the stock "quiet"', () => {
    const info = detectBootLoader(root('debian-12'));
    expect(info.loader).toBe('grub');
    expect(info.os?.id).toBe('debian');
    expect(info.current).toEqual({
      params: ['quiet'],
      source: '/etc/default/grub GRUB_CMDLINE_LINUX + /etc/default/grub GRUB_CMDLINE_LINUX_DEFAULT',
    });
    expect(info.regenerate).toEqual(['update-grub']);
    expect(info.archDefaultKiB).toBe(2048);
    expect(info.evidence).toEqual(
      expect.arrayContaining([
        { path: '/etc/os-release', value: 'ID=debian' },
        { path: '/etc/default/grub', value: 'present' },
      ]),
    );
    expect(info.diagnostics).toEqual([]);
  });

  it('Ubuntu 24.04: "quiet splash"; the cloud image drop-in wins over /etc/default/grub', () => {
    expect(detectBootLoader(root('ubuntu-24.04')).current?.params).toEqual(['quiet', 'splash']);
    const cloud = detectBootLoader(root('ubuntu-24.04-cloud'));
    expect(cloud.loader).toBe('grub');
    expect(cloud.current?.params).toEqual(['console=tty1', 'console=ttyS0']);
    expect(cloud.evidence).toContainEqual({
      path: '/etc/default/grub.d/50-cloudimg-settings.cfg',
      value: 'sets GRUB_CMDLINE_LINUX_DEFAULT',
    });
  });

  it('Fedora 40: GRUB with BLS entries; the newest kernel (6.10 after 6.8), never the rescue entry', () => {
    const info = detectBootLoader(root('fedora-40'));
    expect(info.loader).toBe('grub-bls');
    expect(info.entry).toBe('/boot/loader/entries/3f1c0a9d2b7e4c5f8a6d1e0b9c2f4a73-6.10.12-200.fc40.x86_64.conf');
    expect(info.current?.params.join(' ')).toBe(
      `root=UUID=6a8f0c2e-51d4-4b7a-9e3c-2d1f7b9a0e45 ro rootflags=subvol=root rhgb quiet ${HP}`,
    );
    expect(info.evidence).toContainEqual({ path: '/etc/default/grub', value: 'GRUB_ENABLE_BLSCFG=true' });
    expect(info.evidence).toContainEqual({ path: '/boot/loader/entries', value: '3 entries read' });
  });

  it('systemd-boot through /etc/kernel/cmdline, regenerated the way each distribution does it', () => {
    const arch = detectBootLoader(root('arch-systemd-boot'));
    expect(arch.loader).toBe('systemd-boot');
    expect(arch.current?.params.slice(2).join(' ')).toBe(`quiet ${HP}`);
    expect(arch.regenerate).toEqual(['mkinitcpio -P']);
    const line = 'root=UUID=1 ro quiet\n';
    const debian = detectBootLoader(mem({ '/etc/os-release': 'ID=debian\n', '/etc/kernel/cmdline': line }));
    expect(debian.regenerate[0]).toMatch(/linux-version list.*kernel-install add "\$v" "\/boot\/vmlinuz-\$v"/);
    const fedora = detectBootLoader(mem({ '/etc/os-release': 'ID=fedora\n', '/etc/kernel/cmdline': line }));
    expect(fedora.regenerate[0]).toMatch(/\/usr\/lib\/modules\/\*\/vmlinuz.*kernel-install add/);
    const pve = detectBootLoader(
      mem({
        '/etc/os-release': 'ID=debian\n',
        '/etc/kernel/cmdline': line,
        '/etc/kernel/proxmox-boot-uuids': 'A1B2-C3D4\n',
      }),
    );
    expect(pve.regenerate).toEqual(['proxmox-boot-tool refresh']);
  });

  it('Pop!_OS: kernelstub, with user.kernel_options as the current parameters', () => {
    const info = detectBootLoader(root('pop-22.04'));
    expect(info.loader).toBe('kernelstub');
    expect(info.current?.params.join(' ')).toBe(`quiet loglevel=0 systemd.show_status=false splash ${HP}`);
  });

  it('nothing recognisable: unknown, with the running line as a guide and an honest refusal', () => {
    const files = mem({ '/proc/cmdline': 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet\n' });
    const info = detectBootLoader(files);
    expect(info.loader).toBe('unknown');
    const edit = planBootEdit(info, ch('transparent_hugepage=madvise'));
    expect(edit.apply).toBe('manual');
    expect(edit.refused).toMatch(/edit your boot loader's kernel command line by hand/);
    expect(edit.note).toMatch(/set transparent_hugepage=madvise/);
    expect(edit.diff.at(-1)).toBe('+BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet transparent_hugepage=madvise');
  });

  it('a denied /etc/default/grub or BLS directory is a diagnostic, never a crash', () => {
    const denied = detectBootLoader(root('debian-12', { '/etc/default/grub': { kind: 'denied' } }));
    expect(denied.loader).toBe('grub');
    expect(denied.current).toBeNull();
    expect(denied.diagnostics).toContain('/etc/default/grub: permission denied');
    const edit = planBootEdit(denied, ch('transparent_hugepage=madvise'));
    expect(edit.apply).toBe('manual');
    expect(edit.refused).toMatch(/could not be read/);

    const bls = detectBootLoader(root('fedora-40', {}, { '/boot/loader/entries': { kind: 'denied' } }));
    expect(bls.loader).toBe('grub-bls');
    expect(bls.current).toBeNull();
    expect(bls.diagnostics.join('\n')).toMatch(/\/boot\/loader\/entries: permission denied/);
    // A plain key can still be set with grubby; a reservation needs the ones already there.
    expect(planBootEdit(bls, ch('transparent_hugepage=madvise')).commands).toEqual([
      'grubby --update-kernel=ALL --args=transparent_hugepage=madvise',
    ]);
    const pairs = planBootEdit(bls, ch('hugepagesz=1G hugepages=32'));
    expect(pairs.apply).toBe('manual');
    expect(pairs.refused).toMatch(/run hugetune as root/);
  });
});

describe('GRUB: /etc/default/grub edited in place', () => {
  it('Debian 12: adds to GRUB_CMDLINE_LINUX_DEFAULT, diff of one line, update-grub, and idempotent', () => {
    const info = detectBootLoader(root('debian-12'));
    const edit = planBootEdit(info, ch('hugepagesz=1G hugepages=16 transparent_hugepage=madvise'));
    expect(edit.apply).toBe('file');
    expect(edit.file).toBe('/etc/default/grub');
    expect(edit.before).toBe(fixture('debian-12', 'etc/default/grub'));
    expect(edit.diff).toEqual([
      '--- /etc/default/grub',
      '+++ /etc/default/grub',
      '@@ -9 +9 @@',
      '-GRUB_CMDLINE_LINUX_DEFAULT="quiet"',
      '+GRUB_CMDLINE_LINUX_DEFAULT="quiet hugepagesz=1G hugepages=16 transparent_hugepage=madvise"',
    ]);
    expect(edit.after).toBe(
      edit.before!.replace(
        'GRUB_CMDLINE_LINUX_DEFAULT="quiet"',
        'GRUB_CMDLINE_LINUX_DEFAULT="quiet hugepagesz=1G hugepages=16 transparent_hugepage=madvise"',
      ),
    );
    expect(edit.commands).toEqual(['update-grub']);
    expect(edit.rollbackCommands).toEqual(['update-grub']);
    expect(edit.note).toMatch(/recovery entries/);
    expect(edit.note).toMatch(
      /press e on the first entry, delete hugepagesz=1G hugepages=16 transparent_hugepage=madvise in/,
    );
    expect(edit.note).toMatch(/recovery mode/);

    const again = planBootEdit(
      afterWrite(info, edit.file!, edit.after!),
      ch('hugepagesz=1G hugepages=16 transparent_hugepage=madvise'),
    );
    expect(again.changed).toBe(false);
    expect(again.diff).toEqual([]);
    expect(again.commands).toEqual([]);
  });

  it('Ubuntu 24.04 with huge pages set: the 1 GiB count changes, the 2 MiB pair stays, THP is replaced', () => {
    const grub = fixture('ubuntu-24.04', 'etc/default/grub').replace('"quiet splash"', `"quiet splash ${HP}"`);
    const info = detectBootLoader(root('ubuntu-24.04', { '/etc/default/grub': text(grub) }));
    const edit = planBootEdit(info, ch('hugepagesz=1G hugepages=32 transparent_hugepage=madvise'));
    expect(edit.diff.slice(3)).toEqual([
      `-GRUB_CMDLINE_LINUX_DEFAULT="quiet splash ${HP}"`,
      '+GRUB_CMDLINE_LINUX_DEFAULT="quiet splash hugepagesz=1G hugepages=32 hugepagesz=2M hugepages=1024 default_hugepagesz=1G transparent_hugepage=madvise"',
    ]);
    const r = reservationsOf(edit.params!, 2048);
    expect([...r.counts]).toEqual([
      [GIB, '32'],
      [2048, '1024'],
    ]);
    expect(
      planBootEdit(
        afterWrite(info, edit.file!, edit.after!),
        ch('hugepagesz=1G hugepages=32 transparent_hugepage=madvise'),
      ).changed,
    ).toBe(false);
  });

  it('removing a reservation takes its size and count together; default_hugepagesz= is separate', () => {
    const grub = fixture('ubuntu-24.04', 'etc/default/grub').replace('"quiet splash"', `"quiet splash ${HP}"`);
    const info = detectBootLoader(root('ubuntu-24.04', { '/etc/default/grub': text(grub) }));
    expect(planBootEdit(info, ch('', ['hugepagesz=2M'])).params!.join(' ')).toBe(
      'quiet splash hugepagesz=1G hugepages=16 default_hugepagesz=1G transparent_hugepage=never',
    );
    expect(planBootEdit(info, ch('', ['hugepages'])).params!.join(' ')).toBe(
      'quiet splash default_hugepagesz=1G transparent_hugepage=never',
    );
    // Changing the default size leaves every reservation as it was.
    expect(planBootEdit(info, ch('default_hugepagesz=2M')).params!.join(' ')).toBe(
      'quiet splash hugepagesz=1G hugepages=16 hugepagesz=2M hugepages=1024 default_hugepagesz=2M transparent_hugepage=never',
    );
  });

  it('the Ubuntu cloud image: the drop-in that sets the variable last is the file edited', () => {
    const info = detectBootLoader(root('ubuntu-24.04-cloud'));
    const edit = planBootEdit(info, ch('hugepages=512'));
    expect(edit.file).toBe('/etc/default/grub.d/50-cloudimg-settings.cfg');
    expect(edit.diff.slice(3)).toEqual([
      '-GRUB_CMDLINE_LINUX_DEFAULT="console=tty1 console=ttyS0"',
      '+GRUB_CMDLINE_LINUX_DEFAULT="console=tty1 console=ttyS0 hugepagesz=2M hugepages=512"',
    ]);
    expect(edit.note).toMatch(/sourced after \/etc\/default\/grub/);
  });

  it('only GRUB_CMDLINE_LINUX set: that one, and the note says it applies to recovery too', () => {
    const grub = fixture('debian-12', 'etc/default/grub').replace('GRUB_CMDLINE_LINUX_DEFAULT="quiet"\n', '');
    const edit = planBootEdit(
      detectBootLoader(root('debian-12', { '/etc/default/grub': text(grub) })),
      ch('transparent_hugepage=madvise'),
    );
    expect(edit.diff.slice(3)).toEqual([
      '-GRUB_CMDLINE_LINUX=""',
      '+GRUB_CMDLINE_LINUX="transparent_hugepage=madvise"',
    ]);
    expect(edit.note).toMatch(/every entry, recovery included/);
  });

  it('a parameter already in GRUB_CMDLINE_LINUX is changed there, never contradicted in _DEFAULT', () => {
    const grub = fixture('debian-12', 'etc/default/grub').replace(
      'GRUB_CMDLINE_LINUX=""',
      'GRUB_CMDLINE_LINUX="transparent_hugepage=never"',
    );
    const edit = planBootEdit(
      detectBootLoader(root('debian-12', { '/etc/default/grub': text(grub) })),
      ch('transparent_hugepage=madvise'),
    );
    expect(edit.diff.slice(3)).toEqual([
      '-GRUB_CMDLINE_LINUX="transparent_hugepage=never"',
      '+GRUB_CMDLINE_LINUX="transparent_hugepage=madvise"',
    ]);
  });

  it('neither variable set: GRUB_CMDLINE_LINUX_DEFAULT is added', () => {
    const info = detectBootLoader(mem({ '/etc/os-release': 'ID=debian\n', '/etc/default/grub': 'GRUB_TIMEOUT=5\n' }));
    const edit = planBootEdit(info, ch('transparent_hugepage=madvise'));
    expect(edit.after).toBe('GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT="transparent_hugepage=madvise"\n');
  });

  const line = (value: string) =>
    planBootEdit(
      detectBootLoader(
        mem({ '/etc/os-release': 'ID=debian\n', '/etc/default/grub': `${value}\nGRUB_CMDLINE_LINUX=""\n` }),
      ),
      ch('hugepagesz=1G hugepages=4'),
    );

  it('keeps the quoting: single quotes, escaped quotes, export, a trailing comment; bare words get quotes', () => {
    expect(line("GRUB_CMDLINE_LINUX_DEFAULT='quiet splash'").after).toMatch(
      /^GRUB_CMDLINE_LINUX_DEFAULT='quiet splash hugepagesz=1G hugepages=4'$/m,
    );
    const esc = line('GRUB_CMDLINE_LINUX_DEFAULT="quiet acpi_osi=\\"Windows 2015\\""');
    expect(esc.params).toEqual(['quiet', 'acpi_osi="Windows 2015"', 'hugepagesz=1G', 'hugepages=4']);
    expect(esc.after).toMatch(
      /^GRUB_CMDLINE_LINUX_DEFAULT="quiet acpi_osi=\\"Windows 2015\\" hugepagesz=1G hugepages=4"$/m,
    );
    expect(line('export GRUB_CMDLINE_LINUX_DEFAULT="quiet"  # local').after).toContain(
      'export GRUB_CMDLINE_LINUX_DEFAULT="quiet hugepagesz=1G hugepages=4"  # local\n',
    );
    expect(line('GRUB_CMDLINE_LINUX_DEFAULT=quiet').after).toMatch(
      /^GRUB_CMDLINE_LINUX_DEFAULT="quiet hugepagesz=1G hugepages=4"$/m,
    );
  });

  it('refuses what it cannot read safely, saying why, and writes nothing', () => {
    const cases: [string, RegExp][] = [
      ['GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT quiet"', /\$ \(a variable or command\)/],
      ['GRUB_CMDLINE_LINUX_DEFAULT="quiet `cat /etc/extra`"', /a `command`/],
      ['GRUB_CMDLINE_LINUX_DEFAULT="quiet \\\nsplash"', /continues on the next line/],
      ['GRUB_CMDLINE_LINUX_DEFAULT="quiet\nsplash"', /continues on the next line/],
      ['if true; then\n  GRUB_CMDLINE_LINUX_DEFAULT="quiet"\nfi', /indented/],
      ['GRUB_CMDLINE_LINUX_DEFAULT="quiet"; GRUB_TIMEOUT=1', /more shell after the value/],
      ['GRUB_CMDLINE_LINUX_DEFAULT="quiet"\'splash\'', /more shell after the value/],
    ];
    for (const [value, why] of cases) {
      const edit = line(value);
      expect(edit.apply, value).toBe('manual');
      expect(edit.refused, value).toMatch(why);
      expect(edit.after, value).toBeNull();
      expect(edit.commands, value).toEqual([]);
    }
  });

  it('refuses unsafe keys and values', () => {
    const info = detectBootLoader(root('debian-12'));
    const bad: BootChange[] = [
      { kind: 'boot', set: [{ key: 'foo', value: 'a b' }], remove: [] },
      { kind: 'boot', set: [{ key: 'foo', value: 'x;reboot' }], remove: [] },
      { kind: 'boot', set: [{ key: 'foo', value: '$(id)' }], remove: [] },
      { kind: 'boot', set: [{ key: 'foo', value: '"x"' }], remove: [] },
      { kind: 'boot', set: [{ key: 'foo', value: "it's" }], remove: [] },
      { kind: 'boot', set: [{ key: 'foo', value: 'a=b' }], remove: [] },
      { kind: 'boot', set: [{ key: '--init', value: null }], remove: [] },
      { kind: 'boot', set: [{ key: 'Foo', value: '1' }], remove: [] },
      { kind: 'boot', set: [{ key: 'hugepagesz', value: '1G' }], remove: [] },
      { kind: 'boot', set: [{ key: 'hugepages', value: 'lots' }], remove: [] },
      { kind: 'boot', set: [], remove: ['hugepages=16'] },
    ];
    for (const c of bad) {
      const edit = planBootEdit(info, c);
      expect(edit.apply, JSON.stringify(c)).toBe('manual');
      expect(edit.refused, JSON.stringify(c)).toBeTruthy();
    }
  });
});

describe('Fedora BLS: grubby arguments, previewed on the newest entry', () => {
  const info = detectBootLoader(root('fedora-40'));
  const before = info.current!.params;

  it('changing the 1 GiB count restates every reservation, so grubby cannot drop the 2 MiB pair', () => {
    const edit = planBootEdit(info, ch('hugepagesz=1G hugepages=32'));
    expect(edit.apply).toBe('commands');
    expect(edit.commands).toEqual([
      "grubby --update-kernel=ALL --args='hugepagesz=1G hugepages=32 hugepagesz=2M hugepages=1024'",
    ]);
    expect(edit.diff[0]).toBe(`--- ${info.entry}`);
    expect(edit.diff.filter((l) => /^[-+]options/.test(l))).toEqual([
      `-options root=UUID=6a8f0c2e-51d4-4b7a-9e3c-2d1f7b9a0e45 ro rootflags=subvol=root rhgb quiet ${HP}`,
      `+options root=UUID=6a8f0c2e-51d4-4b7a-9e3c-2d1f7b9a0e45 ro rootflags=subvol=root rhgb quiet ${HP.replace('hugepages=16', 'hugepages=32')}`,
    ]);
    // grubby's own rules over the entry give the same reservations as the preview...
    const viaGrubby = simulateGrubby(before, [], splitArgs(edit.commands[0]!));
    expect([...reservationsOf(viaGrubby, 2048).counts]).toEqual([...reservationsOf(edit.params!, 2048).counts]);
    // ...where the obvious arguments would have lost the 2 MiB pair.
    expect([...reservationsOf(simulateGrubby(before, [], ['hugepagesz=1G', 'hugepages=32']), 2048).counts]).toEqual([
      [GIB, '32'],
    ]);
    // The rollback restores what was there.
    const back = simulateGrubby(viaGrubby, [], splitArgs(edit.rollbackCommands[0]!));
    expect([...reservationsOf(back, 2048).counts]).toEqual([...reservationsOf(before, 2048).counts]);
  });

  it('a plain key is one --args; removals are --remove-args; no change, no command', () => {
    expect(planBootEdit(info, ch('transparent_hugepage=madvise')).commands).toEqual([
      'grubby --update-kernel=ALL --args=transparent_hugepage=madvise',
    ]);
    expect(planBootEdit(info, ch('', ['transparent_hugepage'])).commands).toEqual([
      'grubby --update-kernel=ALL --remove-args=transparent_hugepage',
    ]);
    expect(planBootEdit(info, ch('', ['hugepages'])).commands).toEqual([
      "grubby --update-kernel=ALL --remove-args='hugepagesz hugepages'",
    ]);
    const same = planBootEdit(info, ch('hugepagesz=1G hugepages=16 transparent_hugepage=never'));
    expect(same.changed).toBe(false);
    expect(same.commands).toEqual([]);
  });

  it("grubbyArgs always reproduces the edit under grubby's rules (random edits of the fixture line)", () => {
    fc.assert(
      fc.property(arbChange, (c) => {
        let after: string[];
        try {
          after = texts(editWords(wordsOf(before.join(' ')), c, { targetPart: 0, archDefaultKiB: 2048 }));
        } catch (e) {
          if (e instanceof BootEditError) return;
          throw e;
        }
        const { remove, add } = grubbyArgs(before, after, 2048);
        const result = simulateGrubby(before, remove, add);
        expect([...reservationsOf(result, 2048).counts]).toEqual([...reservationsOf(after, 2048).counts]);
        expect(result.filter((w) => !/^(default_)?hugepages/.test(w)).sort()).toEqual(
          after.filter((w) => !/^(default_)?hugepages/.test(w)).sort(),
        );
      }),
      { numRuns: 300 },
    );
  });
});

/** The words of --args='...' or --remove-args in a grubby command. */
function splitArgs(cmd: string, opt = '--args'): string[] {
  const m = new RegExp(`${opt}=('([^']*)'|(\\S+))`).exec(cmd);
  return (m?.[2] ?? m?.[3] ?? '').split(' ').filter(Boolean);
}

describe('systemd-boot and kernelstub', () => {
  it('Arch /etc/kernel/cmdline: the line edited in place, then mkinitcpio -P', () => {
    const info = detectBootLoader(root('arch-systemd-boot'));
    const edit = planBootEdit(info, ch('hugepagesz=1G hugepages=32 transparent_hugepage=madvise'));
    expect(edit.file).toBe('/etc/kernel/cmdline');
    expect(edit.after).toBe(
      `root=UUID=0a3407de-014b-458b-b5c1-848e92a327a3 rw quiet ${HP.replace('hugepages=16', 'hugepages=32').replace('=never', '=madvise')}\n`,
    );
    expect(edit.commands).toEqual(['mkinitcpio -P']);
    expect(edit.note).toMatch(/systemd-boot menu/);
    expect(
      planBootEdit(
        afterWrite(info, edit.file!, edit.after!),
        ch('hugepagesz=1G hugepages=32 transparent_hugepage=madvise'),
      ).changed,
    ).toBe(false);
  });

  it("entries written by hand (no /etc/kernel/cmdline): the newest entry's options line, nothing to regenerate", () => {
    const info = detectBootLoader(
      mem({
        '/etc/os-release': 'ID=arch\n',
        '/boot/loader/entries/arch.conf':
          'title   Arch Linux\nlinux   /vmlinuz-linux\ninitrd  /initramfs-linux.img\noptions root=UUID=1 rw quiet\n',
      }),
    );
    expect(info.loader).toBe('systemd-boot');
    const edit = planBootEdit(info, ch('hugepages=512'));
    expect(edit.file).toBe('/boot/loader/entries/arch.conf');
    expect(edit.diff.slice(3)).toEqual([
      '-options root=UUID=1 rw quiet',
      '+options root=UUID=1 rw quiet hugepagesz=2M hugepages=512',
    ]);
    expect(edit.commands).toEqual([]);
    // An empty options line gets its words.
    const bare = detectBootLoader(mem({ '/boot/loader/entries/a.conf': 'title A\nlinux /vmlinuz\noptions\n' }));
    expect(planBootEdit(bare, ch('hugepages=512')).after).toBe(
      'title A\nlinux /vmlinuz\noptions hugepagesz=2M hugepages=512\n',
    );
  });

  it('Pop!_OS: kernelstub -o with the whole list in order when changing, -a when only adding', () => {
    const info = detectBootLoader(root('pop-22.04'));
    const edit = planBootEdit(info, ch('hugepagesz=1G hugepages=32'));
    expect(edit.apply).toBe('commands');
    expect(edit.commands).toEqual([
      `kernelstub -o 'quiet loglevel=0 systemd.show_status=false splash ${HP.replace('hugepages=16', 'hugepages=32')}'`,
    ]);
    expect(edit.rollbackCommands).toEqual([`kernelstub -o 'quiet loglevel=0 systemd.show_status=false splash ${HP}'`]);
    expect(edit.note).toMatch(/-d would reorder/);
    const add = planBootEdit(info, ch('hugetlb_free_vmemmap=on'));
    expect(add.commands).toEqual(['kernelstub -a hugetlb_free_vmemmap=on']);
    // kernelstub -a appends what is not there yet (application.py): the same list as hugetune's.
    const options = info.current!.params;
    const added = [...options, ...'hugetlb_free_vmemmap=on'.split(' ').filter((o) => !options.includes(o))];
    expect(added).toEqual(add.params);
  });
});

describe('capture: the advisor sees these files live, in fake roots, snapshots and the simulator', () => {
  /** Every path a detection read or listed. */
  function recorded(files: HostFiles): string[] {
    const seen: string[] = [];
    detectBootLoader({
      source: files.source,
      read: (p) => (seen.push(p), files.read(p)),
      list: (d) => (seen.push(d), files.list(d)),
    });
    return seen;
  }
  const covered = (p: string) =>
    CAPTURE_FILES.includes(p) ||
    CAPTURE_TREES.some((t) => p === t || p.startsWith(`${t}/`)) ||
    p === BOOT_PATHS.pmdSize;

  it('every path detection reads is in the capture spec', () => {
    for (const name of ['debian-12', 'ubuntu-24.04-cloud', 'fedora-40', 'arch-systemd-boot', 'pop-22.04']) {
      const paths = recorded(root(name));
      expect(
        paths.filter((p) => !covered(p)),
        name,
      ).toEqual([]);
    }
  });

  it('a snapshot carries them: detection on the snapshot equals detection on the tree', () => {
    for (const name of ['ubuntu-24.04-cloud', 'fedora-40', 'pop-22.04']) {
      const files = root(name);
      const snap = takeSnapshot(files, { capturedAt: new Date(0), host: null, tool: 'test' });
      const parsed = parseSnapshot(JSON.stringify(snap));
      if (!parsed.ok) throw new Error(parsed.error);
      const fromSnap = detectBootLoader(overlay(snapshotFiles(parsed.value, 'snap')));
      expect(fromSnap, name).toEqual(detectBootLoader(files));
    }
    // Still only those: any other /etc file in a snapshot is refused.
    const bad = JSON.stringify({
      format: 'hugetune-snapshot',
      version: 1,
      capturedAt: '2026-01-01T00:00:00Z',
      host: null,
      tool: 'x',
      files: { '/etc/shadow': { text: 'root:x' } },
    });
    expect(parseSnapshot(bad)).toEqual({ ok: false, error: 'malformed: "/etc/shadow" is not a kernel file path' });
  });

  it(
    'the POSIX capture script takes the same boot loader files as hugetune (Fedora root)',
    { timeout: 120_000 },
    () => {
      const dir = join(ROOTS, 'fedora-40');
      const r = spawnSync('sh', [join(REPO, 'resources/capture/hugetune-capture.sh'), '--root', dir], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(r.status, r.stderr).toBe(0);
      const viaScript = parseSnapshot(r.stdout);
      if (!viaScript.ok) throw new Error(viaScript.error);
      const viaNode = takeSnapshot(fixtureFiles(dir), { capturedAt: new Date(0), host: null, tool: 'test' });
      expect(Object.keys(viaScript.value.files).sort()).toEqual(Object.keys(viaNode.files).sort());
      expect(Object.keys(viaNode.files)).toContain('/etc/default/grub');
      expect(detectBootLoader(snapshotFiles(viaScript.value, 'script'))).toEqual(
        detectBootLoader(snapshotFiles(viaNode, 'node')),
      );
    },
  );

  it("the simulator shows a loader holding its profile's boot line", () => {
    for (const p of PROFILES) {
      const info = detectBootLoader(simFiles(new SimMachine(p)));
      const expected = /\.(fc|el)\d+/.test(p.release) ? 'grub-bls' : 'grub';
      expect(info.loader, p.id).toBe(expected);
      const words = p.cmdline.split(/\s+/).filter((w) => !w.startsWith('BOOT_IMAGE='));
      if (expected === 'grub')
        expect(info.current?.params, p.id).toEqual(words.filter((w) => !/^(root=|ro$|rw$)/.test(w)));
      else expect(info.current?.params, p.id).toEqual(words);
    }
    // A pending what-if boot line is what the loader holds.
    const m = new SimMachine(PROFILES.find((p) => p.release.endsWith('-generic'))!);
    m.setCmdline(`${m.bootCmdline} hugepagesz=1G hugepages=8`);
    expect(detectBootLoader(simFiles(m)).current?.params.slice(-2)).toEqual(['hugepagesz=1G', 'hugepages=8']);
  });
});

describe('hostile or broken files', () => {
  it('detection and planning never throw, whatever the files hold', () => {
    const junk = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.constantFrom(
        'GRUB_CMDLINE_LINUX_DEFAULT="quiet',
        'GRUB_CMDLINE_LINUX_DEFAULT="a \\"b"\nGRUB_ENABLE_BLSCFG=true',
        'options "unterminated',
        '{"user": {"kernel_options": "quiet \\"x"}}',
        '{"user": {"kernel_options": [1, 2]}}',
        'hugepagesz=1G hugepages=4 -- hugepages=9',
        'GRUB_CMDLINE_LINUX=$(cat /x)',
      ),
    );
    const paths = [
      '/etc/os-release',
      '/etc/default/grub',
      '/etc/default/grub.d/10-x.cfg',
      '/etc/kernel/cmdline',
      '/etc/kernelstub/configuration',
      '/boot/loader/entries/a.conf',
      '/proc/cmdline',
    ];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...paths), junk), arbChange, (files, c) => {
        const info = detectBootLoader(mem(files));
        const edit = planBootEdit(info, c);
        expect(['file', 'commands', 'manual']).toContain(edit.apply);
        if (edit.apply === 'manual') expect(edit.refused).toBeTruthy();
      }),
      { numRuns: 500 },
    );
  });
});

describe('lineDiff', () => {
  it('replacements, additions and removals, no context', () => {
    expect(lineDiff('f', 'a\nb\nc\n', 'a\nB\nc\n')).toEqual(['--- f', '+++ f', '@@ -2 +2 @@', '-b', '+B']);
    expect(lineDiff('f', 'a\n', 'a\nx\n')).toEqual(['--- f', '+++ f', '@@ -1,0 +2 @@', '+x']);
    expect(lineDiff('f', 'a\nx\n', 'a\n')).toEqual(['--- f', '+++ f', '@@ -2 +1,0 @@', '-x']);
    expect(lineDiff('f', 'same', 'same')).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The edit, over random command lines and changes

const GENERIC = [
  'quiet',
  'splash',
  'transparent_hugepage',
  'hugetlb_free_vmemmap',
  'numa_balancing',
  'mitigations',
  'loglevel',
];
const SIZES = ['2M', '1G'];
const arbValue = fc.stringMatching(/^[a-z0-9][a-z0-9.,:-]{0,5}$/);
const arbCount = fc.oneof(fc.integer({ min: 0, max: 4096 }).map(String), fc.constant('0:8,1:8'));

/** A well-formed line: unique plain keys, at most one reservation per size, maybe a default size and a leading count. */
const arbLine = fc
  .record({
    generic: fc.uniqueArray(fc.constantFrom(...GENERIC), { maxLength: 5 }),
    values: fc.array(fc.option(arbValue, { nil: null }), { minLength: 7, maxLength: 7 }),
    pairs: fc.uniqueArray(fc.constantFrom(...SIZES), { maxLength: 2 }),
    counts: fc.array(arbCount, { minLength: 2, maxLength: 2 }),
    lead: fc.option(arbCount, { nil: null }),
    def: fc.option(fc.constantFrom(...SIZES), { nil: null }),
    defAt: fc.nat(),
    order: fc.array(fc.nat(), { minLength: 5, maxLength: 5 }),
  })
  .map((r) => {
    const plain = r.generic.map((k, i) => (r.values[i] === null ? k : `${k}=${r.values[i]}`));
    // The leading count is the default size's: leave it out where an explicit pair says the same size.
    const defaultSize = r.def ?? '2M';
    const lead = r.lead !== null && !r.pairs.includes(defaultSize) ? [`hugepages=${r.lead}`] : [];
    const huge = [...lead, ...r.pairs.flatMap((s, i) => [`hugepagesz=${s}`, `hugepages=${r.counts[i]}`])];
    if (r.def) huge.splice(lead.length + 2 * (r.defAt % (r.pairs.length + 1)), 0, `default_hugepagesz=${r.def}`);
    // Interleave plain words among the HugeTLB words (their order is what matters).
    const out = [...huge];
    plain.forEach((w, i) => out.splice((r.order[i] ?? 0) % (out.length + 1), 0, w));
    return out;
  });

const arbChange: fc.Arbitrary<BootChange> = fc
  .record({
    generic: fc.uniqueArray(fc.constantFrom(...GENERIC), { maxLength: 3 }),
    values: fc.array(fc.option(arbValue, { nil: null }), { minLength: 3, maxLength: 3 }),
    pairs: fc.uniqueArray(fc.constantFrom(...SIZES), { maxLength: 2 }),
    counts: fc.array(arbCount, { minLength: 2, maxLength: 2 }),
    defaultCount: fc.option(arbCount, { nil: null }),
    def: fc.option(fc.constantFrom(...SIZES), { nil: null }),
    remove: fc.uniqueArray(
      fc.constantFrom(
        'quiet',
        'transparent_hugepage',
        'mitigations',
        'hugepages',
        'hugepagesz=1G',
        'hugepagesz=2M',
        'default_hugepagesz',
        'default_hugepagesz=2M',
      ),
      { maxLength: 2 },
    ),
  })
  .map((r) => ({
    kind: 'boot' as const,
    set: [
      ...r.generic.map((key, i) => ({ key, value: r.values[i] ?? null })),
      ...(r.def ? [{ key: 'default_hugepagesz', value: r.def }] : []),
      ...r.pairs.flatMap((s, i) => [
        { key: 'hugepagesz', value: s },
        { key: 'hugepages', value: r.counts[i]! },
      ]),
      ...(r.defaultCount !== null ? [{ key: 'hugepages', value: r.defaultCount }] : []),
    ],
    remove: r.remove,
  }));

describe('the edit, property-tested', () => {
  const edit = (line: readonly string[], c: BootChange) =>
    texts(editWords(wordsOf(line.join(' ')), c, { targetPart: 0, archDefaultKiB: 2048 }));
  /** A change that names one size twice (a pair and the default size's count) is refused, not guessed at. */
  const editOrContradiction = (line: readonly string[], c: BootChange): string[] | null => {
    try {
      return edit(line, c);
    } catch (e) {
      expect(e).toBeInstanceOf(BootEditError);
      expect((e as Error).message).toMatch(/name the same size/);
      return null;
    }
  };

  it('idempotent, one word per plain key, every set key at its value, reservations as asked, the rest untouched', () => {
    fc.assert(
      fc.property(arbLine, arbChange, (line, c) => {
        const once = editOrContradiction(line, c);
        if (once === null) return;
        expect(edit(once, c)).toEqual(once);

        const keys = once.map(keyOf).filter((k) => k !== 'hugepagesz' && k !== 'hugepages');
        expect(new Set(keys).size).toBe(keys.length);

        const r = reservationsOf(once, 2048);
        const defaultKiB = r.defaultKiB ?? 2048;
        let size: string | null = null;
        for (const { key, value } of c.set) {
          if (key === 'hugepagesz') size = value;
          else if (key === 'hugepages') {
            const kib = size === null ? defaultKiB : size === '1G' ? GIB : 2048;
            expect(r.counts.get(kib)).toBe(value);
            size = null;
          } else {
            const words = once.filter((w) => keyOf(w) === key);
            expect(words).toHaveLength(1);
            expect(valueOf(words[0]!)).toBe(value);
          }
        }
        for (const rm of c.remove) {
          if (rm === 'quiet' || rm === 'transparent_hugepage' || rm === 'mitigations') {
            if (!c.set.some((s) => s.key === rm)) expect(once.some((w) => keyOf(w) === rm)).toBe(false);
          }
        }
        expect(r.conflicts).toEqual([]);

        // Plain words the change does not name keep their order and spelling.
        const named = new Set([...c.set.map((s) => s.key), ...c.remove.map((x) => x.split('=')[0]!)]);
        const untouched = (ws: readonly string[]) =>
          ws.filter(
            (w) => !named.has(keyOf(w)) && !['hugepagesz', 'hugepages', 'default_hugepagesz'].includes(keyOf(w)),
          );
        expect(untouched(once)).toEqual(untouched(line));
      }),
      { numRuns: 1000 },
    );
  });

  it('never changes a reservation the change does not name', () => {
    fc.assert(
      fc.property(arbLine, arbChange, (line, c) => {
        const before = reservationsOf(line, 2048);
        const once = editOrContradiction(line, c);
        if (once === null) return;
        const after = reservationsOf(once, 2048);
        const removedAll = c.remove.includes('hugepages');
        for (const [size, count] of before.counts) {
          const named =
            c.set.some((s, i) => s.key === 'hugepagesz' && s.value === (size === GIB ? '1G' : '2M') && c.set[i + 1]) ||
            c.remove.includes(`hugepagesz=${size === GIB ? '1G' : '2M'}`) ||
            (c.set.some((s, i) => s.key === 'hugepages' && c.set[i - 1]?.key !== 'hugepagesz') &&
              size === (after.defaultKiB ?? 2048));
          if (!named && !removedAll) expect(after.counts.get(size), `${line.join(' ')}`).toBe(count);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('random word soup: either a clean refusal or the same guarantees', () => {
    const soup = fc.array(
      fc.oneof(
        fc.constantFrom(
          'hugepages=4',
          'hugepagesz=1G',
          'hugepagesz=2M',
          'default_hugepagesz=1G',
          'hugepagesz=bad',
          'quiet',
          '--',
        ),
        fc.tuple(fc.constantFrom(...GENERIC), arbValue).map(([k, v]) => `${k}=${v}`),
      ),
      { maxLength: 10 },
    );
    // With the architecture's default size known (x86-64) and unknown.
    fc.assert(
      fc.property(soup, arbChange, fc.constantFrom(2048, null), (line, c, arch) => {
        const run = (ws: readonly string[]) =>
          texts(editWords(wordsOf(ws.join(' ')), c, { targetPart: 0, archDefaultKiB: arch }));
        let once: string[];
        try {
          once = run(line);
        } catch (e) {
          expect(e).toBeInstanceOf(BootEditError);
          return;
        }
        expect(run(once)).toEqual(once);
        // Nothing moves past a bare --: init's arguments stay init's.
        const end = line.indexOf('--');
        if (end !== -1) expect(once.slice(once.indexOf('--'))).toEqual(line.slice(end));
      }),
      { numRuns: 1000 },
    );
  });
});
