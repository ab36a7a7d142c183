// Node-RED loads this file; the node itself is written in TypeScript (src/nodes/compass-call-event.ts).
module.exports = require("../dist/src/nodes/compass-call-event.js");
