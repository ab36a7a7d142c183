// Node-RED loads this file; the node itself is written in TypeScript (src/nodes/compass-user-event.ts).
module.exports = require("../dist/src/nodes/compass-user-event.js");
