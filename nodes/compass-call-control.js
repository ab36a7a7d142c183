// Node-RED loads this file; the node itself is written in TypeScript (src/nodes/compass-call-control.ts).
module.exports = require("../dist/src/nodes/compass-call-control.js");
