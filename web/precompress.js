// precompress writes a .br and a .gz beside every text file of the build, so
// that the server sends a station on a slow link the compressed bytes
// without compressing per request (issue 18). The output must be
// byte-for-byte reproducible, because web/dist is committed and checked
// (scripts/check-ui-build.sh): both encoders are deterministic for the same
// input and settings, and the gzip header's time and OS fields are fixed.
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { brotliCompressSync, gzipSync, constants } from 'node:zlib'

const TEXT = /\.(js|css|html|svg|json)$/
const MIN = 1024 // smaller files are not worth the round of decoding

function walk(dir) {
  return readdirSync(dir).sort().flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? walk(p) : [p]
  })
}

/** compressDir compresses the files of dir; it returns how many it wrote. */
export function compressDir(dir) {
  let n = 0
  for (const p of walk(dir)) {
    if (!TEXT.test(p)) continue
    const src = readFileSync(p)
    if (src.length < MIN) continue
    const br = brotliCompressSync(src, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: src.length } })
    const gz = gzipSync(src, { level: 9 })
    gz.writeUInt32LE(0, 4) // MTIME: none
    gz[9] = 3 // OS: Unix, wherever it was built
    if (br.length < src.length * 0.9) { writeFileSync(p + '.br', br); n++ }
    if (gz.length < src.length * 0.9) { writeFileSync(p + '.gz', gz); n++ }
  }
  return n
}

/** precompress is the Vite plugin: it runs once the bundle is written. */
export function precompress() {
  let outDir = 'dist'
  return {
    name: 'zhudun-precompress',
    apply: 'build',
    configResolved(c) { outDir = c.build.outDir },
    closeBundle() { compressDir(outDir) },
  }
}
