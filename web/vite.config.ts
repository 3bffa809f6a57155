/**
 * The reference web apps: three pages (applicant portal, department workbench, supervision
 * dashboard), Preact in TypeScript, built into web/dist by `npm start` (local/web-build.ts) and
 * deployed by the city stack to S3 behind CloudFront, same origin as the API (infra/constructs/web-app.ts).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    // A PDF viewer is the browser's own; the QR code and chart libraries are the largest parts.
    chunkSizeWarningLimit: 400,
    rolldownOptions: {
      input: {
        portal: here('index.html'),
        workbench: here('workbench/index.html'),
        supervision: here('supervision/index.html'),
      },
    },
  },
});
