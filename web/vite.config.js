import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import { precompress } from './precompress.js'

// The build output in dist/ is committed and embedded into the Go binary
// (package web), so it must be byte-for-byte reproducible: no timestamps, no
// absolute paths, no source maps that would embed them.
export default defineConfig({
  base: '/',
  plugins: [vue(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    assetsInlineLimit: 0, // CSP: no data: URLs for fonts or images
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'element-plus', test: /node_modules[\\/](element-plus|@element-plus|@vueuse|@floating-ui|@popperjs|lodash|dayjs|async-validator)/ },
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender|vue-echarts)/ },
            { name: 'leaflet', test: /node_modules[\\/]leaflet[\\/]/ },
            { name: 'vue', test: /node_modules[\\/](vue|@vue|vue-router)[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
  test: {
    environment: 'node',
    include: ['test/**/*.test.js'],
  },
})
