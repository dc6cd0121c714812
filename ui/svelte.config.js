/** @type {import('@sveltejs/vite-plugin-svelte').SvelteConfig} */
export default {
  compilerOptions: {
    // Runes everywhere, so a stray legacy-mode component is a compile error, not a surprise.
    runes: true,
  },
};
