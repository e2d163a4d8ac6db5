// Stands in for the Azure Functions Node worker when the built package is loaded outside Azure: the worker provides
// `@azure/functions-core`; this records what the app registers and prints it as JSON when the process exits.
const Module = require('node:module');
const registered = [];
const core = {
  version: 'shim',
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
process.on('exit', () => {
  process.stdout.write(`${JSON.stringify({ node: process.version, registered })}\n`);
});
