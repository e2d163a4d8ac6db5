// Run by `bench/cold-start.bench.ts` under Node 22 with `--require local/functions-core-shim.cjs`, in a fresh
// process with the stack's app settings: loads the registrations, then times what the first negotiate costs
// (loading dist/runtime.cjs, building the app, the managed identity token, the ban lookup, generateToken) and a
// second one. Prints one JSON line on stderr.
const { resolve } = require('node:path');

async function main() {
  const root = process.cwd();
  // The request and context classes come from the installed package, loaded before the clock starts.
  const { HttpRequest, InvocationContext } = require('@azure/functions');
  const headers = JSON.parse(process.env.BENCH_PRINCIPAL_HEADERS ?? '{}');
  const negotiateOnce = async (runtime) => {
    const request = new HttpRequest({ url: 'http://127.0.0.1/api/negotiate', method: 'GET', headers });
    const response = await runtime.endpoints.negotiate(
      request,
      runtime.getApp(),
      new InvocationContext({ functionName: 'negotiate' }),
    );
    if (response.status !== 200)
      throw new Error(`negotiate answered ${response.status}: ${JSON.stringify(response.jsonBody)}`);
  };
  const started = performance.now();
  require(resolve(root, 'dist/index.cjs'));
  const registered = performance.now();
  const runtime = require(resolve(root, 'dist/runtime.cjs'));
  const runtimeLoaded = performance.now();
  await negotiateOnce(runtime);
  const firstDone = performance.now();
  await negotiateOnce(runtime);
  const secondDone = performance.now();
  process.stderr.write(
    `${JSON.stringify({
      registrationsMs: registered - started,
      runtimeRequireMs: runtimeLoaded - registered,
      firstNegotiateMs: firstDone - runtimeLoaded,
      secondNegotiateMs: secondDone - firstDone,
    })}\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
