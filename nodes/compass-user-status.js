// Node-RED loads this file; the node itself is written in TypeScript (src/nodes/compass-user-status.ts).
module.exports = require("../dist/src/nodes/compass-user-status.js");
