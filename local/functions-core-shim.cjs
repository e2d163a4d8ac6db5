// Stands in for the Azure Functions Node worker's `@azure/functions-core` module outside Azure, so
// `@azure/functions` registers functions as it does in the worker instead of switching to "test mode".
// The local host serves the app's own definitions; with FUNCTIONS_CORE_SHIM_REPORT=1 (the package check) the
// registrations are printed as JSON when the process exits.
const Module = require('node:module');

const registered = [];
const core = {
  version: 'local-shim',
  setProgrammingModel() {},
  getProgrammingModel() {},
  registerHook() {
    return { dispose() {} };
  },
  registerFunction(metadata, handler) {
    registered.push({ name: metadata.name, bindings: metadata.bindings, handler: typeof handler });
    return { dispose() {} };
  },
  log() {},
};
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === '@azure/functions-core' ? core : load.call(this, request, ...rest);
};
if (process.env.FUNCTIONS_CORE_SHIM_REPORT === '1') {
  process.on('exit', () => {
    process.stdout.write(`${JSON.stringify({ node: process.version, registered })}\n`);
  });
}
