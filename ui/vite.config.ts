import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Tauri loads ui/dist from disk (frontendDist) and uses http://localhost:1420 in dev (devUrl).
export default defineConfig({
  plugins: [svelte()],
  // Relative asset URLs so the bundle works from the custom protocol Tauri serves it on.
  base: './',
  // Keep Rust compiler output visible when run by `tauri dev`.
  clearScreen: false,
  // Tauri's devUrl points here; fail rather than silently move to another port.
  server: {
    port: 1420,
    strictPort: true,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
});
