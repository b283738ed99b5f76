/**
 * The report of the current source, shared by the machine views (Overview, THP, Pools, HVO). A view asks for
 * it when it opens (`load`): one `host.report` call per navigation, and calls made while one is in flight
 * share it. The shell makes a new store when the source changes.
 */
import type { Hardware, HugetuneApi } from '../../../shared/api';
import { WINDOW_REPORT } from '../../../shared/window-report';
import type { Report } from '../../../shared/host/report';

export class MachineStore {
  report = $state<Report | null>(null);
  error = $state<string | null>(null);
  hardware = $state<Hardware | null>(null);
  private inFlight: Promise<void> | null = null;
  private hardwareAsked = false;

  /**
   * `first`: a report call already under way (the shell asks at startup, alongside the source), or its
   * outcome in hand (the report, or why it could not be read), as the server has it when it renders the
   * first screen, which must show it at once.
   */
  constructor(
    private readonly api: HugetuneApi,
    first?: Promise<Report> | Report | { message: string },
  ) {
    if (first instanceof Promise) this.inFlight = this.settle(first);
    else if (first && 'message' in first) this.error = first.message;
    else if (first) this.report = first;
  }

  load(): Promise<void> {
    this.inFlight ??= this.settle(this.api.call('host.report', WINDOW_REPORT));
    return this.inFlight;
  }

  private settle(call: Promise<Report>): Promise<void> {
    return call.then(
      (r) => {
        this.report = r;
        this.error = null;
        this.inFlight = null;
      },
      (e: unknown) => {
        this.error = e instanceof Error ? e.message : String(e);
        this.inFlight = null;
      },
    );
  }

  /** CPU model and sockets: slow and live-only, so asked once per source, after the report, and optional. */
  loadHardware(): void {
    if (this.hardwareAsked || this.report?.source.kind !== 'live') return;
    this.hardwareAsked = true;
    this.api.call('host.hardware', {}).then(
      (h) => (this.hardware = h),
      () => (this.hardware = null),
    );
  }
}
