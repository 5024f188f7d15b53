// Reference for warden-version's npm differential test: npm's own `semver` package.
// Reads "a<TAB>b" lines on stdin. Mode `compare`: -1, 0, 1, or E when either is not a strict
// semver version. Mode `satisfies`: a is a version, b a range; T, F or E (invalid range or version).
// Mode `satisfies-pre`: the same with the range parsed with { includePrerelease: true }.
'use strict'
const path = require('path')
const dir = process.env.WARDEN_NPM_SEMVER_DIR || '/opt/warden-test/node_modules/semver'
const SemVer = require(path.join(dir, 'classes/semver.js'))
const Range = require(path.join(dir, 'classes/range.js'))
const mode = process.argv[2]
const input = require('fs').readFileSync(0, 'utf8')
const out = []
for (const line of input.split('\n')) {
  if (!line) continue
  const tab = line.indexOf('\t')
  const a = line.slice(0, tab)
  const b = line.slice(tab + 1)
  try {
    if (mode === 'compare') {
      out.push(String(new SemVer(a).compare(new SemVer(b))))
    } else if (mode === 'satisfies-pre') {
      const r = new Range(b, { includePrerelease: true })
      out.push(r.test(new SemVer(a)) ? 'T' : 'F')
    } else {
      const r = new Range(b)
      out.push(r.test(new SemVer(a)) ? 'T' : 'F')
    }
  } catch (e) {
    out.push('E')
  }
}
process.stdout.write(out.join('\n') + '\n')
