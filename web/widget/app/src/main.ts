import { mount } from 'svelte';
import App from './App.svelte';
import { HostBridge } from './state/host.svelte.ts';
import { WidgetState } from './state/widget.svelte.ts';
import { i18n } from './state/i18n.svelte.ts';
import { brandTheme } from '../../theme.ts';
import './app.css';

// Opened by the loader as /widget/?inbox=<uuid>&parent=<host page origin>&locale=<host page language>[&color=].
const params = new URLSearchParams(location.search);
// The site's brand colour, checked again here (the URL can be edited): shades that keep WCAG contrast.
if (params.get('color')) {
  const theme = brandTheme(params.get('color'));
  const root = document.documentElement.style;
  root.setProperty('--brand', theme.brand);
  root.setProperty('--brand-strong', theme.strong);
  root.setProperty('--brand-soft', theme.soft);
}
i18n.choose(params.get('locale'), navigator.languages);
const host = new HostBridge(params.get('parent'));
const widget = new WidgetState(params.get('inbox'), host);

mount(App, { target: document.getElementById('app')!, props: { widget } });
host.start();
void widget.start();
