// Node-RED loads this file; the node itself is written in TypeScript (src/nodes/compass-cdr.ts).
module.exports = require("../dist/src/nodes/compass-cdr.js");
