import { mount } from 'svelte';
import App from './App.svelte';
import { HostBridge } from './state/host.svelte.ts';
import { WidgetState } from './state/widget.svelte.ts';
import { i18n } from './state/i18n.svelte.ts';
import './app.css';

// Opened by the loader as /widget/?inbox=<uuid>&parent=<host page origin>&locale=<host page language>.
const params = new URLSearchParams(location.search);
i18n.choose(params.get('locale'), navigator.languages);
const host = new HostBridge(params.get('parent'));
const widget = new WidgetState(params.get('inbox'), host);

mount(App, { target: document.getElementById('app')!, props: { widget } });
host.start();
void widget.start();
