// Node-RED loads this file; the node itself is written in TypeScript (src/nodes/compass-queue-agent.ts).
module.exports = require("../dist/src/nodes/compass-queue-agent.js");
