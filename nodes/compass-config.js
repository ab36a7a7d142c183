// Node-RED loads this file; the node itself is written in TypeScript (src/nodes/compass-config.ts).
module.exports = require("../dist/src/nodes/compass-config.js");
