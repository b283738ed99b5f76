/**
 * What to say when a view's code could not be fetched. In web mode each view's code comes from the server the
 * first time it is opened, so a failed fetch almost always means the server is gone: say that first, and keep
 * the browser's own message (a module URL) as detail for whoever needs it.
 */
import type { FrontEnd } from '../../../shared/api';

export function viewLoadProblem(frontEnd: FrontEnd | null | undefined): string {
  return frontEnd === 'web'
    ? 'This view could not be loaded: the app has lost its connection to hugetune (each view is fetched from it when first opened). Restart hugetune serve, then reload this page.'
    : 'This view could not be loaded from the app’s own files. Restart the app; if it happens again, reinstall it.';
}
