// mocha's configuration. `npm test` (no file named) runs the whole suite; `npx mocha <files>` runs
// only the files named (a .mocharc.json `spec` would be added to them, running everything).
const named = process.argv.slice(2).some((arg) => /\.test\.js$/.test(arg) || arg === '--spec' || arg.startsWith('--spec='));
module.exports = {
  spec: named ? [] : ['dist/test/**/*.test.js'],
  require: ['dist/test/support/root-hooks.js'],
  timeout: 20000,
  exit: true,
};
