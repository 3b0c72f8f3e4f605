import { mount } from 'svelte';
import App from './App.svelte';
import { app } from './state/app.svelte.ts';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('#app element missing from index.html');

mount(App, { target });
app.start();
