// Node-RED loads this file; the node itself is written in TypeScript (src/nodes/compass-dial.ts).
module.exports = require("../dist/src/nodes/compass-dial.js");
