// First, so the first calls leave before Svelte and the views are evaluated.
import { api, first } from './early';
import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';

const target = document.getElementById('app');
if (target && api && first) mount(App, { target, props: { api, first } });
