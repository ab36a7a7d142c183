// Node-RED loads this file; the node itself is written in TypeScript (src/nodes/compass-dpswitch.ts).
module.exports = require("../dist/src/nodes/compass-dpswitch.js");
