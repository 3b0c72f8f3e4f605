import { mount } from 'svelte';
import App from './App.svelte';
import { app } from './state/app.svelte.ts';
import { i18n } from './lib/i18n.svelte.ts';
import { copyRedactionsAsShown } from './lib/copy-redactions.ts';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('#app element missing from index.html');

// The sign-in screen speaks the browser's language; the agent's own preference follows once signed in.
void i18n.use(null);
copyRedactionsAsShown(document);
mount(App, { target });
app.start();
