// Brings a node's saved properties up to the current version before the node reads them, so flows
// saved by an older release keep working after a property is renamed. The steps live in
// resources/compass-migrations.js, the same file the editor runs when it imports a flow.

import * as path from "node:path";
import type { NodeDef } from "./red";

interface Migrations {
  CURRENT_VERSION: number;
  STEPS: Array<Record<string, Record<string, string>>>;
  migrate(type: string, props: Record<string, unknown>): void;
}

// dist/src/nodes/ -> the package's resources/ folder
const shared: Migrations = require(
  path.resolve(__dirname, "..", "..", "..", "resources", "compass-migrations.js"),
);

export const CURRENT_VERSION = shared.CURRENT_VERSION;

/** A copy of `def` migrated to CURRENT_VERSION for node `type`; `def` itself is left untouched. */
export function migrated<T extends NodeDef>(type: string, def: T): T {
  // with Node-RED's non-enumerable properties (_flow, _module, _path), which createNode needs
  const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(def)) as T;
  shared.migrate(type, copy);
  return copy;
}
