/**
 * The apply and rollback scripts: POSIX sh, a dry run unless --apply is given, every value single-quoted,
 * every write read back. They change only runtime kernel files; the boot line, limits and the service are
 * printed as steps to take, never edited silently.
 */
import type { Collected, PlannedWrite } from './collect';
import { dropInPath, LIMITS_PATH, SYSCTL_PATH, TMPFILES_PATH, type FileArtifact } from './files';
import { type ArtifactContext, plainText, shQuote, shWord } from './text';

export const APPLY_PATH = 'hugetune-apply.sh';
export const ROLLBACK_PATH = 'hugetune-rollback.sh';

type Role = 'apply' | 'rollback';

/**
 * The fixed part of both scripts. `put PATH VALUE WAS` makes one write (or, in a dry run, says it would),
 * reads the file back and says what the kernel kept; a write that fails or reads back differently is
 * reported, remembered, and the script carries on with the rest, then exits 1 at the end.
 */
function prelude(role: Role, ctx: ArtifactContext): string {
  const verb = role === 'apply' ? 'applies' : 'undoes';
  return `#!/bin/sh
# hugetune ${role}: ${verb} the runtime settings of "${plainText(ctx.title)}"
# Written by hugetune ${plainText(ctx.version, 40)} for ${plainText(ctx.machine)}
#
# A dry run by default: prints each step and changes nothing.
#   sh ${role === 'apply' ? APPLY_PATH : ROLLBACK_PATH}            show what it would do
#   sudo sh ${role === 'apply' ? APPLY_PATH : ROLLBACK_PATH} --apply  do it (root), reading each value back
# A value the kernel does not take as asked (a pool that grows only partly) is reported as asked/got; the
# script carries on with the rest and exits 1 at the end.
set -eu
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
LC_ALL=C
export LC_ALL

mode=dry
case $# in
  0) ;;
  1) if [ "$1" = --apply ]; then mode=apply; else mode=usage; fi ;;
  *) mode=usage ;;
esac
if [ "$mode" = usage ]; then
  echo "usage: sh $0 [--apply]" >&2
  exit 2
fi

# Tests point the writes at a temporary tree (an absolute path); anything else writes the kernel's own
# files, which takes root.
root=
if [ -n "\${HUGETUNE_TEST_ROOT-}" ]; then
  case $HUGETUNE_TEST_ROOT in
    /*) root=\${HUGETUNE_TEST_ROOT%/} ;;
    *)
      echo 'HUGETUNE_TEST_ROOT must be an absolute path' >&2
      exit 2
      ;;
  esac
  echo "test root: files under $root"
elif [ "$mode" = apply ] && [ "$(id -u)" -ne 0 ]; then
  echo "--apply writes kernel settings and must run as root: sudo sh $0 --apply" >&2
  exit 1
fi

differ=0

say() {
  printf '%s\\n' "$1"
}

# The value a kernel file shows: the word in brackets for a multiple-choice file ("always [madvise] never").
shown() {
  v=$(cat -- "$1") || return 1
  case $v in
    *'['*']'*)
      v=\${v#*'['}
      v=\${v%%']'*}
      ;;
  esac
  printf '%s' "$v"
}

put() {
  if [ "$mode" = dry ]; then
    printf 'would write %s to %s (%s)\\n' "$2" "$1" "$3"
    return 0
  fi
  file=$root$1
  if [ ! -e "$file" ]; then
    printf 'MISSING %s: not on this kernel, %s not written\\n' "$1" "$2"
    differ=1
    return 0
  fi
  if ! printf '%s\\n' "$2" >"$file"; then
    printf 'FAILED  %s: the kernel refused %s\\n' "$1" "$2"
    differ=1
    return 0
  fi
  if ! got=$(shown "$file"); then
    printf 'FAILED  %s: wrote %s, could not read it back\\n' "$1" "$2"
    differ=1
    return 0
  fi
  if [ "$got" = "$2" ]; then
    printf 'ok      %s = %s\\n' "$1" "$got"
    return 0
  fi
  printf 'DIFFERS %s: asked %s, got %s\\n' "$1" "$2" "$got"
  case $1 in
    */nr_hugepages) say '        a pool changes only as far as the kernel can: it grows into free contiguous memory (compact memory and run again, or reserve at boot) and shrinks by pages not in use' ;;
  esac
  differ=1
}
`;
}

function ending(role: Role): string {
  const done = role === 'apply' ? 'applied' : 'restored';
  return `
if [ "$mode" = dry ]; then
  say 'dry run: nothing was changed; run with --apply (as root) to make these writes'
elif [ "$differ" -ne 0 ]; then
  say 'some values were not ${done} as asked (see above)' >&2
  exit 1
else
  say 'every value ${done} and read back'
fi
`;
}

/**
 * A line of text to print. Text that shows $, ` or \ (a loader command) is printed, never run, which is
 * what the single quotes are for: shellcheck's notes that they stop expansion are turned off for that line.
 */
const say = (text: string): string =>
  /[$`\\]/.test(text) ? `# shellcheck disable=SC2016,SC1003\nsay ${shQuote(text)}` : `say ${shQuote(text)}`;

function applyWrites(writes: readonly PlannedWrite[]): string[] {
  return writes.map(
    (w) =>
      `put ${shQuote(w.path)} ${shQuote(w.value)} ${shQuote(w.before === null ? 'before: unknown' : `before: ${w.before}`)}`,
  );
}

/** Steps this script does not take itself: the boot line, files for limits and the service. */
function steps(c: Collected, ctx: ArtifactContext, role: Role, persisted: string[]): string[] {
  const out: string[] = [];
  const loader = ctx.loader ?? null;
  if (c.boot && (c.boot.add.length > 0 || c.boot.remove.length > 0)) {
    out.push('', '# The boot line is printed, not edited: a wrong boot line can stop the machine from booting.');
    out.push(say('boot line: this script does not change it; after the change below, reboot for it to take effect'));
    const undo = role === 'rollback';
    const adds = undo ? c.boot.remove : c.boot.add;
    const drops = undo ? c.boot.add : c.boot.remove;
    if (adds.length > 0) out.push(say(`  ${undo ? 'put back' : 'add'}: ${adds.join(' ')}`));
    if (drops.length > 0) out.push(say(`  ${undo ? 'take out' : 'remove'}: ${drops.join(' ')}`));
    const commands = loader && loader.apply !== 'manual' ? (undo ? loader.rollbackCommands : loader.commands) : [];
    if (loader?.apply === 'file' && loader.file) {
      // The commands only regenerate the loader's configuration from the file: the file edit comes first.
      out.push(
        say(
          undo
            ? `  put ${loader.file} back as it was before the change (hugetune keeps the earlier text)`
            : `  edit ${loader.file} as hugetune shows it (the words above on its kernel command line)`,
        ),
      );
    }
    if (commands.length > 0) {
      out.push(say(`  ${loader?.apply === 'file' ? 'then run' : 'run'} as root:`));
      for (const cmd of commands) out.push(say(`    ${cmd}`));
    } else if (!loader || loader.apply !== 'file') {
      out.push(say("  with your boot loader's tool (grubby, kernelstub, /etc/default/grub and update-grub, ...)"));
    }
    if (loader?.note) for (const l of loader.note.split('\n')) out.push(say(`  ${l}`));
  }
  if (c.users.length > 0) {
    out.push(
      role === 'apply'
        ? say(
            `memlock for ${c.users.join(', ')}: install ${LIMITS_PATH} (written with this script); takes effect at the next login`,
          )
        : say(`memlock for ${c.users.join(', ')}: rm ${LIMITS_PATH}; takes effect at the next login`),
    );
  }
  if (c.service) {
    const path = dropInPath(c.service.unit);
    const unit = shWord(c.service.unit);
    out.push(
      role === 'apply'
        ? say(
            `${c.service.unit}: install ${path} (written with this script), then systemctl daemon-reload && systemctl restart ${unit}`,
          )
        : say(`${c.service.unit}: rm ${shWord(path)} && systemctl daemon-reload && systemctl restart ${unit}`),
    );
  }
  if (persisted.length > 0) {
    out.push(
      role === 'apply'
        ? say(`these writes last until reboot; to keep them install ${persisted.join(' and ')} (or the TuneD profile)`)
        : say(`if ${persisted.join(' or ')} is installed, remove it too, or the next boot sets the values again`),
    );
  }
  return out;
}

function persistedFiles(c: Collected): string[] {
  const files: string[] = [];
  if (c.writes.some((w) => w.sysctl !== null)) files.push(SYSCTL_PATH);
  if (c.writes.some((w) => w.sysctl === null)) files.push(TMPFILES_PATH);
  return files;
}

export function applyScript(c: Collected, ctx: ArtifactContext): FileArtifact {
  const body = [
    '',
    c.writes.length > 0
      ? '# In order: HVO first (it only optimizes pages allocated while on), pools shrunk before pools grown.'
      : '# No runtime writes.',
    ...applyWrites(c.writes),
    ...steps(c, ctx, 'apply', persistedFiles(c)),
  ];
  return { path: APPLY_PATH, text: prelude('apply', ctx) + body.join('\n') + '\n' + ending('apply') };
}

export function rollbackScript(c: Collected, ctx: ArtifactContext): FileArtifact {
  const lines = ['', '# The values read before the change, restored in the reverse order of the apply script.'];
  for (const w of [...c.writes].reverse()) {
    lines.push(
      w.before === null
        ? say(`skip ${w.path}: its value before the change was not known, so it is left at ${w.value}`)
        : `put ${shQuote(w.path)} ${shQuote(w.before)} ${shQuote(`applied: ${w.value}`)}`,
    );
  }
  lines.push(...steps(c, ctx, 'rollback', persistedFiles(c)));
  return { path: ROLLBACK_PATH, text: prelude('rollback', ctx) + lines.join('\n') + '\n' + ending('rollback') };
}
