// Builds the addon with plain `cargo build` (host target, so it shares the workspace's target
// dir with every other cargo build; `napi build` always passes `--target`, which compiles all
// dependencies a second time), copies it next to the package as `otto-node.<platform>.node`,
// and renders `index.d.ts` / `index.js` with @napi-rs/cli's own generators.
//
//   node scripts/build.mjs [--release]      build and rewrite index.d.ts + index.js
//   node scripts/build.mjs --check          build, then fail if the committed files are stale
//   node scripts/build.mjs --check-only     no build: compare with the last build's type defs
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateTypeDef, writeJsBinding } from '@napi-rs/cli'

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const workspace = resolve(pkgDir, '../..')
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'))
const args = new Set(process.argv.slice(2))
const release = args.has('--release')
const checkOnly = args.has('--check-only')
const check = checkOnly || args.has('--check')
const profile = release ? 'release' : 'debug'
const crate = 'otto-node'
const binaryName = pkg.napi.binaryName
const targetDir = resolve(workspace, process.env.CARGO_TARGET_DIR ?? 'target')
// One folder per profile; napi-derive rewrites `<folder>/otto-node` whenever it compiles the crate.
const typeDefDir = join(targetDir, 'napi-type-defs', profile)

if (!checkOnly) {
  mkdirSync(typeDefDir, { recursive: true })
  const env = { ...process.env, NAPI_TYPE_DEF_TMP_FOLDER: typeDefDir }
  // Type defs are written while the macros expand: force a recompile of this crate (only) when
  // the folder has none yet, as `napi build` does.
  if (!existsSync(join(typeDefDir, crate))) env.NAPI_FORCE_BUILD_OTTO_NODE = String(Date.now())
  const cargoArgs = ['build', '-p', crate, ...(release ? ['--release'] : [])]
  console.error(`$ cargo ${cargoArgs.join(' ')}`)
  execFileSync('cargo', cargoArgs, { cwd: workspace, env, stdio: 'inherit' })
  const lib = { linux: `lib${crate.replace(/-/g, '_')}.so`, darwin: `lib${crate.replace(/-/g, '_')}.dylib`, win32: `${crate.replace(/-/g, '_')}.dll` }[process.platform]
  const platformArch = { 'linux-x64': 'linux-x64-gnu', 'linux-arm64': 'linux-arm64-gnu', 'darwin-x64': 'darwin-x64', 'darwin-arm64': 'darwin-arm64', 'win32-x64': 'win32-x64-msvc' }[`${process.platform}-${process.arch}`]
  const dest = join(pkgDir, `${binaryName}.${platformArch}.node`)
  copyFileSync(join(targetDir, profile, lib), dest)
  console.error(`wrote ${dest}`)
} else if (!existsSync(join(typeDefDir, crate))) {
  console.error(`no type defs in ${typeDefDir}: run \`npm run build\` first`)
  process.exit(1)
}

const { exports: idents, dts } = await generateTypeDef({
  typeDefDir,
  configDtsHeaderFile: pkg.napi.dtsHeaderFile,
  cwd: pkgDir,
  declareBindingTarget: true,
})
const scratch = mkdtempSync(join(tmpdir(), 'otto-node-js-'))
await writeJsBinding({
  platform: true,
  idents,
  binaryName,
  packageName: pkg.name,
  version: pkg.version,
  outputDir: scratch,
})
const generated = { 'index.d.ts': dts, 'index.js': readFileSync(join(scratch, 'index.js'), 'utf8') }
rmSync(scratch, { recursive: true, force: true })

let stale = []
for (const [name, text] of Object.entries(generated)) {
  const path = join(pkgDir, name)
  const current = existsSync(path) ? readFileSync(path, 'utf8') : null
  if (current === text) continue
  if (check) {
    stale.push(name)
    const got = (current ?? '').split('\n')
    const want = text.split('\n')
    const i = want.findIndex((line, n) => line !== got[n])
    console.error(`${name} is stale (first difference at line ${i + 1}):\n  committed: ${got[i] ?? '<end>'}\n  generated: ${want[i] ?? '<end>'}`)
  } else {
    writeFileSync(path, text)
    console.error(`wrote ${path}`)
  }
}
if (stale.length) {
  console.error(`run \`npm run build\` in bindings/node and commit ${stale.join(' and ')}`)
  process.exit(1)
}
