#!/usr/bin/env node
// Runs the built simulator; `npm run build` first when working from a checkout.
const { main } = require("../dist/src/simulator/cli.js");

main(process.argv.slice(2)).then(
  (code) => {
    // exit at once: after a failed listen a half-started endpoint may still hold a socket
    process.exit(code);
  },
  (err) => {
    console.error(`compass-simulator failed: ${err?.message ?? err}`);
    process.exit(1);
  },
);
