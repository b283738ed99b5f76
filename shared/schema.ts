/**
 * A tiny runtime schema library. Types vanish at process boundaries (IPC, HTTP, snapshot files), so every
 * value that crosses one is checked against a schema that also yields its static type. Kept dependency-free
 * because both the renderer bundle and the cold-started CLI import it.
 */

export type Check<T> = (value: unknown, path: string) => T;

export interface Schema<T> {
  readonly describe: string;
  readonly check: Check<T>;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

export class SchemaError extends Error {
  constructor(
    readonly path: string,
    readonly expected: string,
    missing = false,
  ) {
    super(`${path || 'value'}: ${missing ? 'missing' : 'expected'} ${expected}`);
    this.name = 'SchemaError';
  }
}

function schema<T>(describe: string, check: Check<T>): Schema<T> {
  return { describe, check };
}

export const s = {
  string(opts: { maxLength?: number; pattern?: RegExp; describe?: string } = {}): Schema<string> {
    const max = opts.maxLength ?? 4096;
    const describe =
      opts.describe ??
      `a string of at most ${max} characters${opts.pattern ? ` matching ${String(opts.pattern)}` : ''}`;
    return schema(describe, (v, path) => {
      if (typeof v !== 'string' || v.length > max || (opts.pattern && !opts.pattern.test(v))) {
        throw new SchemaError(path, describe);
      }
      return v;
    });
  },

  integer(opts: { min?: number; max?: number } = {}): Schema<number> {
    const min = opts.min ?? Number.MIN_SAFE_INTEGER;
    const max = opts.max ?? Number.MAX_SAFE_INTEGER;
    const describe = `an integer from ${min} to ${max}`;
    return schema(describe, (v, path) => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
        throw new SchemaError(path, describe);
      }
      return v;
    });
  },

  number(opts: { min?: number; max?: number } = {}): Schema<number> {
    const min = opts.min ?? -Number.MAX_VALUE;
    const max = opts.max ?? Number.MAX_VALUE;
    const describe = `a number from ${min} to ${max}`;
    return schema(describe, (v, path) => {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new SchemaError(path, describe);
      return v;
    });
  },

  boolean(): Schema<boolean> {
    return schema('a boolean', (v, path) => {
      if (typeof v !== 'boolean') throw new SchemaError(path, 'a boolean');
      return v;
    });
  },

  literal<const T extends string | number | boolean>(lit: T): Schema<T> {
    const describe = JSON.stringify(lit);
    return schema(describe, (v, path) => {
      if (v !== lit) throw new SchemaError(path, describe);
      return lit;
    });
  },

  oneOf<const T extends readonly string[]>(values: T): Schema<T[number]> {
    const describe = `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`;
    return schema(describe, (v, path) => {
      if (typeof v !== 'string' || !values.includes(v)) throw new SchemaError(path, describe);
      return v;
    });
  },

  nullable<T>(inner: Schema<T>): Schema<T | null> {
    return schema(`${inner.describe} or null`, (v, path) => (v === null ? null : inner.check(v, path)));
  },

  array<T>(item: Schema<T>, opts: { maxItems?: number } = {}): Schema<T[]> {
    const max = opts.maxItems ?? 100_000;
    const describe = `an array of at most ${max} items`;
    return schema(describe, (v, path) => {
      if (!Array.isArray(v) || v.length > max) throw new SchemaError(path, describe);
      return v.map((x, i) => item.check(x, `${path}[${i}]`));
    });
  },

  /** A string-keyed map with values of one schema (e.g. file path -> content). */
  record<T>(value: Schema<T>, opts: { maxKeys?: number } = {}): Schema<Record<string, T>> {
    const max = opts.maxKeys ?? 100_000;
    const describe = `an object of at most ${max} entries`;
    return schema(describe, (v, path) => {
      if (!isPlainObject(v)) throw new SchemaError(path, describe);
      const keys = Object.keys(v);
      if (keys.length > max) throw new SchemaError(path, describe);
      const out: Record<string, T> = Object.create(null) as Record<string, T>;
      for (const k of keys) out[k] = value.check(v[k], path ? `${path}[${JSON.stringify(k)}]` : k);
      return out;
    });
  },

  /** An object with exactly these keys; optional ones may be absent. Unknown keys are rejected. */
  object<const Shape extends Record<string, Schema<unknown>>, const Opt extends keyof Shape = never>(
    shape: Shape,
    optional: readonly Opt[] = [],
  ): Schema<{ [K in Exclude<keyof Shape, Opt>]: Infer<Shape[K]> } & { [K in Opt]?: Infer<Shape[K]> }> {
    const describe = `an object with keys ${Object.keys(shape).join(', ') || '(none)'}`;
    return schema(describe, (v, path) => {
      if (!isPlainObject(v)) throw new SchemaError(path, describe);
      const at = (k: string): string => (path ? `${path}.${k}` : k);
      for (const k of Object.keys(v)) {
        if (!Object.prototype.hasOwnProperty.call(shape, k)) throw new SchemaError(at(k), 'nothing (unknown key)');
      }
      const out: Record<string, unknown> = {};
      for (const [k, sub] of Object.entries(shape)) {
        const present = Object.prototype.hasOwnProperty.call(v, k) && v[k] !== undefined;
        if (!present) {
          if ((optional as readonly string[]).includes(k)) continue;
          throw new SchemaError(at(k), sub.describe, true);
        }
        out[k] = sub.check(v[k], at(k));
      }
      return out as never;
    });
  },

  union<T extends readonly Schema<unknown>[]>(...options: T): Schema<Infer<T[number]>> {
    const describe = options.map((o) => o.describe).join(' | ');
    return schema(describe, (v, path) => {
      for (const o of options) {
        try {
          return o.check(v, path) as Infer<T[number]>;
        } catch (e) {
          if (!(e instanceof SchemaError)) throw e;
        }
      }
      throw new SchemaError(path, describe);
    });
  },
};

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Validates and returns a typed value, or a one-line reason. */
export function validate<T>(sch: Schema<T>, value: unknown): { ok: true; value: T } | { ok: false; error: string } {
  try {
    return { ok: true, value: sch.check(value, '') };
  } catch (e) {
    if (e instanceof SchemaError) return { ok: false, error: e.message };
    throw e;
  }
}
