/**
 * The boot loader configuration a simulated machine would have, so the advisor finds a loader in the simulator
 * as on a real machine (shared/advise/bootloader.ts): /etc/os-release and the loader's files, derived from the
 * profile's kernel release and the boot line the next boot will use. Fedora and RHEL-family kernels (`.fcNN.`,
 * `.elNN.`) get GRUB with BLS entries, the way those distributions install; every other kernel a Debian/Ubuntu
 * /etc/default/grub. The parameters are the boot line without what the loader adds itself (BOOT_IMAGE=, and on
 * GRUB's side root= and ro/rw, which grub-mkconfig writes).
 */
import { splitWords } from '../advise/boot-params';

/** Made up, fixed, so simulated snapshots stay the same from run to run. */
const MACHINE_ID = '5117ab1e0d15ea5e0b5e55ed00c0ffee';

/** A double-quoted shell string holding `s` literally. */
const dq = (s: string) => `"${s.replace(/(["\\$`])/g, '\\$1')}"`;

function words(cmdline: string): string[] {
  try {
    return splitWords(cmdline).filter((w) => !w.startsWith('BOOT_IMAGE='));
  } catch {
    return [];
  }
}

export function simBootFiles(release: string, cmdline: string): Record<string, string> {
  const all = words(cmdline);
  const params = all.filter((w) => !/^(root=|ro$|rw$|initrd=)/.test(w));
  const rh = /\.(fc|el)(\d+)/.exec(release);
  if (rh) {
    const fedora = rh[1] === 'fc';
    const name = fedora ? 'Fedora Linux' : 'Rocky Linux';
    const version = rh[2]!;
    return {
      '/etc/os-release': [
        `NAME="${name}"`,
        `VERSION="${version}"`,
        `ID=${fedora ? 'fedora' : 'rocky'}`,
        ...(fedora ? [] : ['ID_LIKE="rhel centos fedora"']),
        `VERSION_ID="${version}"`,
        `PRETTY_NAME="${name} ${version}"`,
        '',
      ].join('\n'),
      '/etc/default/grub': [
        'GRUB_TIMEOUT=5',
        `GRUB_DISTRIBUTOR="$(sed 's, release .*$,,g' /etc/system-release)"`,
        'GRUB_DEFAULT=saved',
        'GRUB_DISABLE_SUBMENU=true',
        'GRUB_TERMINAL_OUTPUT="console"',
        `GRUB_CMDLINE_LINUX=${dq(params.join(' '))}`,
        'GRUB_DISABLE_RECOVERY="true"',
        'GRUB_ENABLE_BLSCFG=true',
        '',
      ].join('\n'),
      [`/boot/loader/entries/${MACHINE_ID}-${release}.conf`]: [
        `title ${name} (${release}) ${version}`,
        `version ${release}`,
        `linux /vmlinuz-${release}`,
        `initrd /initramfs-${release}.img`,
        `options ${all.join(' ')}`,
        'grub_users $grub_users',
        'grub_arg --unrestricted',
        `grub_class ${fedora ? 'fedora' : 'rocky'}`,
        '',
      ].join('\n'),
    };
  }
  const ubuntu = /-(generic|lowlatency|nvidia|azure|aws|gcp)$/.test(release);
  const deb = /\+deb(\d+)/.exec(release)?.[1] ?? '12';
  return {
    '/etc/os-release': ubuntu
      ? 'PRETTY_NAME="Ubuntu 24.04 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\nID_LIKE=debian\n'
      : `PRETTY_NAME="Debian GNU/Linux ${deb}"\nNAME="Debian GNU/Linux"\nVERSION_ID="${deb}"\nID=debian\n`,
    '/etc/default/grub': [
      "# If you change this file, run 'update-grub' afterwards to update",
      '# /boot/grub/grub.cfg.',
      '',
      'GRUB_DEFAULT=0',
      'GRUB_TIMEOUT=5',
      `GRUB_DISTRIBUTOR=${ubuntu ? 'Ubuntu' : 'Debian'}`,
      `GRUB_CMDLINE_LINUX_DEFAULT=${dq(params.join(' '))}`,
      'GRUB_CMDLINE_LINUX=""',
      '',
    ].join('\n'),
  };
}
