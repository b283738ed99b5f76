/**
 * Which inference runtime a process is, from its command line, its comm and (for Python) the libraries it has
 * mapped; and the loading flags on its command line that decide where its memory sits. Pure.
 */
import { numberText } from '../../number-text';
import type { RuntimeId } from '../../plan/runtimes';

export type ProcessRuntime =
  | 'llama.cpp'
  | 'ik_llama.cpp'
  | 'ollama'
  | 'ollama-runner'
  | 'vllm'
  | 'ktransformers'
  | 'onnxruntime'
  | 'openvino'
  | 'torch';

export const RUNTIME_LABEL: Record<ProcessRuntime, string> = {
  'llama.cpp': 'llama.cpp',
  'ik_llama.cpp': 'ik_llama.cpp',
  ollama: 'Ollama',
  'ollama-runner': 'Ollama runner (llama.cpp)',
  vllm: 'vLLM',
  ktransformers: 'KTransformers',
  onnxruntime: 'Python with ONNX Runtime',
  openvino: 'Python with OpenVINO',
  torch: 'Python with PyTorch',
};

/**
 * The planner's runtime for a detected one, so a plan compared with a process is made for what that process
 * runs; undefined where the planner has no such runtime (Python with ONNX Runtime, OpenVINO or PyTorch).
 */
export function planRuntimeOf(id: ProcessRuntime | null): RuntimeId | undefined {
  switch (id) {
    case 'llama.cpp':
    case 'ik_llama.cpp':
    case 'ktransformers':
      return id;
    case 'ollama':
    case 'ollama-runner':
      return 'ollama';
    case 'vllm':
      return 'vllm-cpu';
    default:
      return undefined;
  }
}

const LLAMA_TOOLS =
  /^llama-(server|cli|bench|simple|run|mtmd-cli|perplexity|batched-bench|parallel|embedding)$|^(main|server)$/;

const base = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

/** A Python interpreter's process (python3, python3.12, pythonw...). */
export function isPython(comm: string | null, argv: readonly string[]): boolean {
  return /^python/.test(comm ?? '') || /^python[\d.]*$/.test(base(argv[0] ?? ''));
}

/** The libraries that make a Python process an inference runtime, most specific first. */
const LIBRARIES: [RegExp, ProcessRuntime][] = [
  [/\/libopenvino[^/]*\.so/, 'openvino'],
  [/\/libonnxruntime[^/]*\.so/, 'onnxruntime'],
  [/\/libtorch_cpu[^/]*\.so/, 'torch'],
];

export function identifyRuntime(
  comm: string | null,
  argv: readonly string[],
  mappedPaths: readonly string[] = [],
): ProcessRuntime | null {
  const exe = argv[0] ?? '';
  const name = base(exe);
  const line = argv.join(' ');
  if (
    /ik_llama/i.test(exe) ||
    (LLAMA_TOOLS.test(name) && /(^| )(-thp|--transparent-huge-pages|-fmoe|-rtr)( |$)/.test(line))
  )
    return 'ik_llama.cpp';
  if (LLAMA_TOOLS.test(name) && name !== 'main' && name !== 'server') return 'llama.cpp';
  if (/^llama-/.test(comm ?? '')) return 'llama.cpp';
  if (name === 'ollama_llama_server' || (name === 'ollama' && argv[1] === 'runner')) return 'ollama-runner';
  if (name === 'ollama' || comm === 'ollama') return 'ollama';
  const python = isPython(comm, argv);
  if (/(^| |\/)vllm( |$)|vllm\.entrypoints/.test(line) && (python || name === 'vllm')) return 'vllm';
  if (/ktransformers/.test(line) && (python || name === 'ktransformers')) return 'ktransformers';
  if (python) {
    for (const [re, id] of LIBRARIES) if (mappedPaths.some((p) => re.test(p))) return id;
  }
  return null;
}

export interface LoadFlags {
  /** ik_llama.cpp `-thp`: the weights in MAP_HUGETLB memory of the default huge page size. */
  hugetlbWeights: boolean;
  noMmap: boolean;
  mlock: boolean;
  /** The GGUF named with -m / --model, if any. */
  model: string | null;
}

export function loadFlags(argv: readonly string[]): LoadFlags {
  const has = (...names: string[]): boolean => argv.some((a) => names.includes(a));
  const at = (...names: string[]): string | null => {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      if (names.includes(a)) return argv[i + 1] ?? null;
      for (const n of names) if (a.startsWith(`${n}=`)) return a.slice(n.length + 1);
    }
    return null;
  };
  const loadMode = at('--load-mode');
  return {
    hugetlbWeights: has('-thp', '--transparent-huge-pages') && at('-thp') !== '0',
    noMmap: has('--no-mmap') || loadMode === 'none' || loadMode === 'dio',
    mlock: has('--mlock') || loadMode === 'mlock',
    model: at('-m', '--model'),
  };
}

/** /proc/PID/cmdline: NUL-separated arguments, with a trailing NUL. */
export function parseCmdline(text: string): string[] {
  const parts = text.split('\0');
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** The kernel's PID_MAX_LIMIT on 64-bit machines: no process id is larger. */
export const PID_MAX = 4194304;

/** What a process id must be, as every front end says it when one is not. */
export const PID_EXPECTED = `a process id, a whole number from 1 to ${numberText(PID_MAX)}`;

/** A process id as a user types it: a positive whole number no larger than the kernel's PID_MAX_LIMIT. */
export function parsePid(text: string): number | null {
  return /^[1-9]\d{0,9}$/.test(text) && Number(text) <= PID_MAX ? Number(text) : null;
}
