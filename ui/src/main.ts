import { mount } from 'svelte';
import App from './App.svelte';
import { api } from './lib/api';
import StartupError from './lib/StartupError.svelte';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

// A data dir that could not be opened gets its explanation instead of an app that cannot
// work; if even this question fails, the app starts and shows its own errors.
void api.startupProblem().then(
  (error) => (error ? mount(StartupError, { target, props: { error } }) : mount(App, { target })),
  () => mount(App, { target }),
);
