import { defineConfig } from 'vite';

// JSX through esbuild's automatic runtime (no React plugin needed)
export default defineConfig({
  esbuild: { jsx: 'automatic' },
});
