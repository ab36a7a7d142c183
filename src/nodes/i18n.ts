// Texts shared by every node (status, common errors) live once, in compass-config's message
// catalog; node-specific texts live in each node's own catalog. A key with ":" is taken by
// Node-RED as fully qualified, so shared texts are looked up in compass-config's namespace.

import type { NodeAPI } from "./red";

const PACKAGE_NAME: string = require("../../../package.json").name;
const SHARED_NAMESPACE = `${PACKAGE_NAME}/compass-config`;

export function sharedText(
  RED: NodeAPI,
  key: string,
  substitutions?: Record<string, string | number>,
): string {
  const text = RED._(`${SHARED_NAMESPACE}:common.${key}`, substitutions);
  // Without a loaded catalog (some test harnesses) Node-RED answers the key itself: keep it readable.
  return text.startsWith(SHARED_NAMESPACE)
    ? `${key}${substitutions ? ` ${JSON.stringify(substitutions)}` : ""}`
    : text;
}
