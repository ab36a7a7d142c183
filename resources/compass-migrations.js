// Per-node property migrations, shared by the runtime (src/nodes/migrate.ts requires this file) and
// the editor (a <script> tag beside compass-editor.js, which looks the table up at each import). One table, so both sides always
// agree on what a node of an older version means.
//
// Every node carries `version` (absent = 0). STEPS[n] takes a node from version n to n + 1: per node
// type, old property name -> new name. To rename another property, append a step; nothing else.
(function (root, factory) {
  if (typeof module === "object" && module.exports) module.exports = factory();
  else root.CompassMigrations = factory();
})(this, function () {
  var STEPS = [
    // 0 -> 1: "users" is a property name Node-RED's editor reserves (it drops it from every node);
    // "queues" follows for one name scheme; "noRedirect: true" meant "follow redirects".
    {
      "compass-call-event": { users: "userIds", queues: "queueIds" },
      "compass-user-event": { users: "userIds" },
      "compass-queue-event": { queues: "queueIds" },
      "compass-api": { noRedirect: "followRedirects" },
    },
  ];
  var CURRENT_VERSION = STEPS.length;

  /**
   * Migrates `props` (a node's saved properties) of node `type` in place through `steps`, to version
   * steps.length. A new name already present wins over the old one, which is removed either way.
   * A node newer than the steps is left as it is.
   */
  function migrateWith(steps, type, props) {
    var from = Number(props.version) || 0;
    if (from >= steps.length) return;
    for (var v = from; v < steps.length; v++) {
      var renames = steps[v][type] || {};
      for (var oldName in renames) {
        if (!Object.prototype.hasOwnProperty.call(renames, oldName)) continue;
        if (!Object.prototype.hasOwnProperty.call(props, oldName)) continue;
        var newName = renames[oldName];
        if (props[newName] === undefined) {
          props[newName] = props[oldName];
        }
        delete props[oldName];
      }
    }
    props.version = steps.length;
  }

  /** migrateWith(STEPS, ...): to CURRENT_VERSION. */
  function migrate(type, props) {
    migrateWith(STEPS, type, props);
  }

  return { STEPS: STEPS, CURRENT_VERSION: CURRENT_VERSION, migrate: migrate, migrateWith: migrateWith };
});
