import { mount } from 'svelte';
import App from './App.svelte';
import { connectApi } from './lib/bridge';
import './app.css';

const target = document.getElementById('app');
if (target) {
  const api = connectApi();
  // Asked before the app is built, so the answers travel while the page builds its shell: the Overview's
  // data then waits for neither the round trip nor the mount.
  const first = {
    report: api.call('host.report', {}),
    info: api.call('app.info', {}),
    source: api.call('source.get', {}),
  };
  first.report.catch(() => {}); // its error is shown by the view that reads it
  mount(App, { target, props: { api, first } });
}
