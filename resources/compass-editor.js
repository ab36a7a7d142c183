// Shared editor helpers for the Compass nodes (served by Node-RED from this package's resources/).
// - Migrates our nodes as a flow is imported (resources/compass-migrations.js, the runtime's table).
// - Pickers beside id fields, filled from the live platform through the admin endpoints
//   compass/<config>/users|queues|switches; when those answer an error (connection not deployed yet,
//   no permission) the field stays a text box for ids and the reason is shown under it.
// - Event checkboxes, and the connection's readable label.
(function () {
  if (window.CompassEditor) return;

  /**
   * Node-RED's editor copies only the properties a node type declares when it imports a flow (on
   * load, paste, library, examples): an old property such as `users` is gone before any dialog
   * opens. So our nodes are migrated here, on the raw flow, before Node-RED sees them; the next
   * deploy then saves the new names and the version.
   */
  function ours(type) {
    var def = RED.nodes.getType(type);
    return Boolean(def && def.set && def.set.module === "@compass-flows/node-red-compass");
  }

  function migrateOnImport() {
    var migrations = window.CompassMigrations;
    var original = RED.nodes && RED.nodes.import;
    if (!migrations || typeof original !== "function" || original.compassMigrates) return;
    var wrapped = function (flow) {
      var nodes = flow;
      if (typeof nodes === "string") {
        try {
          nodes = JSON.parse(nodes);
        } catch (e) {
          return original.apply(this, arguments); // Node-RED reports the bad JSON itself
        }
      }
      var list = Array.isArray(nodes) ? nodes : [nodes];
      var migrated = list.map(function (n) {
        if (!n || typeof n.type !== "string" || !ours(n.type)) return n;
        var copy = $.extend({}, n);
        migrations.migrate(n.type, copy);
        return copy;
      });
      var args = Array.prototype.slice.call(arguments);
      args[0] = Array.isArray(nodes) ? migrated : migrated[0];
      return original.apply(this, args);
    };
    wrapped.compassMigrates = true;
    RED.nodes.import = wrapped;
  }

  function ids(text) {
    return String(text || "")
      .split(/[\s,]+/)
      .map(function (s) {
        return s.trim();
      })
      .filter(Boolean);
  }

  /**
   * A searchable list beside an id field, filled from the platform through the chosen connection.
   * opts: {
   *   input: "#node-input-userIds",
   *   kind: "users" | "queues" | "switches", or a function returning one of them or null (no list now),
   *   config: "#node-input-config",
   *   multiple: true for filters (comma-separated ids), false for one id,
   * }
   * On a typed input the button shows only while its type is a plain string.
   */
  function attachPicker(opts) {
    var $input = $(opts.input);
    var typed = Boolean($input.data("noderedTypedInput"));
    var kindNow = function () {
      return typeof opts.kind === "function" ? opts.kind() : opts.kind;
    };
    var $button = $(
      '<button type="button" class="red-ui-button compass-picker-button" style="margin-left:4px"><i class="fa fa-list"></i></button>',
    ).attr("title", RED._("@compass-flows/node-red-compass/compass-config:common.editor.pick"));
    var $panel = $(
      '<div class="compass-picker" style="display:none; margin:4px 0 8px 104px; width:calc(70% - 4px)"></div>',
    );
    var $filter = $(
      '<input type="text" class="compass-picker-filter" style="width:100%; margin-bottom:4px">',
    ).attr("placeholder", RED._("@compass-flows/node-red-compass/compass-config:common.editor.filter"));
    var $list = $('<select class="compass-picker-list" size="6" style="width:100%"></select>').prop(
      "multiple",
      opts.multiple === true,
    );
    var $note = $(
      '<div class="form-tips compass-picker-note" style="display:none; margin:4px 0 0 104px"></div>',
    );
    $panel.append($filter).append($list);

    if (typed) {
      $input.typedInput("width", "calc(70% - 40px)");
      $input.next(".red-ui-typedInput-container").after($button);
    } else {
      $input.css("width", "calc(70% - 40px)").after($button);
    }
    $input.closest(".form-row").after($note).after($panel);

    function value() {
      return typed ? $input.typedInput("value") : $input.val();
    }
    function setValue(v) {
      if (typed) $input.typedInput("value", v);
      else $input.val(v).trigger("change");
    }
    function usable() {
      return kindNow() && (!typed || $input.typedInput("type") === "str");
    }
    function refreshButton() {
      var show = Boolean(usable());
      $button.toggle(show);
      if (!show) {
        $panel.hide();
        $note.hide();
      }
    }
    if (typed) $input.on("change", refreshButton);
    if (opts.watch) $(opts.watch).on("change", refreshButton);
    refreshButton();

    $button.on("click", function () {
      if ($panel.is(":visible")) {
        $panel.hide();
        return;
      }
      var configId = $(opts.config).val();
      $note.hide();
      if (!configId || configId === "_ADD_") {
        $note.text(RED._("@compass-flows/node-red-compass/compass-config:common.editor.pick-config")).show();
        return;
      }
      $.getJSON("compass/" + encodeURIComponent(configId) + "/" + kindNow())
        .done(function (choices) {
          var chosen = ids(value());
          $list.empty();
          choices.forEach(function (c) {
            var label = c.name + (c.detail ? " (" + c.detail + ")" : "") + " · " + c.id;
            $("<option>")
              .val(c.id)
              .text(label)
              .prop("selected", chosen.indexOf(c.id) !== -1)
              .appendTo($list);
          });
          if (choices.length === 0)
            $note.text(RED._("@compass-flows/node-red-compass/compass-config:common.editor.empty")).show();
          $filter.val("");
          $panel.show();
          $filter.trigger("focus");
        })
        .fail(function (xhr) {
          var reason = (xhr.responseJSON && xhr.responseJSON.error) || xhr.statusText || "unavailable";
          $note
            .text(
              reason + " " + RED._("@compass-flows/node-red-compass/compass-config:common.editor.type-id"),
            )
            .show();
          $panel.hide();
        });
    });
    $filter.on("input", function () {
      var words = String($filter.val()).toLowerCase().split(/\s+/).filter(Boolean);
      $list.children("option").each(function () {
        var text = $(this).text().toLowerCase();
        $(this).toggle(
          words.every(function (w) {
            return text.indexOf(w) !== -1;
          }),
        );
      });
    });
    $list.on("change", function () {
      if (!opts.multiple) {
        setValue($list.val() || "");
        return;
      }
      // ids typed by hand that the platform did not list are kept
      var listed = $list
        .children("option")
        .map(function () {
          return this.value;
        })
        .get();
      var kept = ids(value()).filter(function (id) {
        return listed.indexOf(id) === -1;
      });
      setValue(kept.concat($list.val() || []).join(", "));
    });
  }

  /** Renders one checkbox per event name into `container`, checked from `selected` (none = all). */
  function eventCheckboxes(container, names, selected) {
    var $c = $(container).empty();
    var all = !selected || selected.length === 0;
    names.forEach(function (name) {
      var id = "compass-ev-" + name.replace(/\./g, "-");
      $('<label style="display:inline-block; width:48%; margin:0"></label>')
        .append(
          $('<input type="checkbox" style="width:auto; margin:0 4px 0 0">')
            .attr("id", id)
            .val(name)
            .prop("checked", all || selected.indexOf(name) !== -1),
        )
        .append(document.createTextNode(name))
        .appendTo($c);
    });
  }

  /** The checked event names; every box checked is saved as [] (= all, including ones added later). */
  function checkedEvents(container) {
    var $boxes = $(container).find("input[type=checkbox]");
    var checked = $boxes
      .filter(":checked")
      .map(function () {
        return this.value;
      })
      .get();
    return checked.length === $boxes.length ? [] : checked;
  }

  /** "Compass · alice@compass.test": the connection's name, else who logs in where. */
  function connectionLabel(node) {
    if (node.name) return node.name;
    var user = node.credentials && node.credentials.username;
    var who = user
      ? user.indexOf("@") === -1 && node.domain
        ? user + "@" + node.domain
        : user
      : node.domain;
    return "Compass · " + (who || "");
  }

  /**
   * The editor only fetches a node's credentials when its dialog opens, so a connection's label
   * could not name its user. Fetch the username (never the password: Node-RED sends only has_password)
   * of each connection once, the way the dialog does, and redraw.
   */
  function loadConnectionUsers() {
    RED.nodes.eachConfig(function (node) {
      if (node.type !== "compass-config" || node.credentials || node.compassUserLoading) return;
      node.compassUserLoading = true;
      $.getJSON("credentials/compass-config/" + encodeURIComponent(node.id)).done(function (data) {
        if (node.credentials) return; // a dialog loaded them meanwhile
        node.credentials = data;
        node.credentials._ = $.extend(true, {}, data);
        RED.view.redraw(true);
        if (RED.sidebar && RED.sidebar.config) RED.sidebar.config.refresh();
      });
    });
  }

  migrateOnImport();
  if (RED.events) RED.events.on("flows:loaded", loadConnectionUsers);

  window.CompassEditor = {
    attachPicker: attachPicker,
    eventCheckboxes: eventCheckboxes,
    checkedEvents: checkedEvents,
    connectionLabel: connectionLabel,
  };
})();
