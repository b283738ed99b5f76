/**
 * How the window asks for the report (`host.report` arguments): it shows totals and how many CPUs there are,
 * and the live monitor brings its own per-CPU rates, so the per-CPU counts, nine tenths of the report at 4,096
 * CPUs, stay on the server. A module of its own so that the renderer can import it without the API's schemas.
 */
export const WINDOW_REPORT = { perCpu: false } as const;
