// Node-RED loads this file; the node itself is written in TypeScript (src/nodes/compass-queue-event.ts).
module.exports = require("../dist/src/nodes/compass-queue-event.js");
