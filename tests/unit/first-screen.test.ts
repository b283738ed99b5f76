/** app.firstScreen: the first screen's data in one call, and that screen as the server renders it. */
import { describe, expect, it } from 'vitest';
import { dispatch, type FirstScreen } from '../../shared/api';
import { ActiveSource } from '../../electron/host/active-source';
import { createHandlers } from '../../electron/host/handlers';
import { renderFirstScreen } from '../../renderer/src/first-screen';
import { WINDOW_REPORT } from '../../shared/window-report';
import { fixtureFiles, VM_TUNED } from '../helpers';

const handlers = createHandlers(new ActiveSource(fixtureFiles(VM_TUNED)), 'web');

describe('app.firstScreen', () => {
  it('answers what app.info, source.get and host.report answer, with the Overview rendered from it', async () => {
    const env = await dispatch(handlers, 'app.firstScreen', {});
    expect(env.ok).toBe(true);
    const screen = (env as { ok: true; value: FirstScreen }).value;
    expect(screen.info).toEqual(((await dispatch(handlers, 'app.info', {})) as { value: unknown }).value);
    expect(screen.source).toEqual(((await dispatch(handlers, 'source.get', {})) as { value: unknown }).value);
    const report = await dispatch(handlers, 'host.report', WINDOW_REPORT);
    expect(screen.report).toEqual(report);
    // The shell, the Overview's cards, and figures from this report.
    expect(screen.html).toContain('data-testid="tab-overview"');
    expect(screen.html).toContain('data-testid="card-memory"');
    const { kernel } = (report as { ok: true; value: { kernel: { release: string | null } } }).value;
    expect(kernel.release).toBeTruthy();
    expect(screen.html).toContain(kernel.release);
  });

  it('shows a report that could not be read as the Overview would, with the message escaped', async () => {
    const { value } = (await dispatch(handlers, 'app.firstScreen', {})) as { value: FirstScreen };
    const html = renderFirstScreen({
      info: value.info,
      source: value.source,
      report: { ok: false, error: { code: 'failed', message: 'meminfo: <script>alert(1)</script> is not a number' } },
    });
    expect(html).toContain('Could not read the machine: meminfo: &lt;script>alert(1)&lt;/script> is not a number');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('data-testid="card-memory"');
  });
});
