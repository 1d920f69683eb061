// Svelte 5 in runes mode everywhere: no legacy reactivity sneaks into a component.
export default {
  compilerOptions: { runes: true },
};
