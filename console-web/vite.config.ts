/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The console is served by the wasmjob server at `/`; `npm run dev` proxies
// the API to a server on 127.0.0.1:7700 (WASMJOB_SERVER to choose another).
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", sourcemap: false, chunkSizeWarningLimit: 800 },
  server: {
    proxy: { "/api": { target: process.env.WASMJOB_SERVER ?? "http://127.0.0.1:7700", ws: true } },
  },
  test: {
    environment: "jsdom",
    setupFiles: ["src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
  },
});
