// Shared editor helpers for the Compass nodes (served by Node-RED from this package's resources/).
// - Migrates our nodes as a flow is imported (resources/compass-migrations.js, the runtime's table).
// - Pickers beside id fields, filled from the live platform through the admin endpoints
//   compass/<config>/users|queues|switches; when those answer an error (connection not deployed yet,
//   no permission) the field stays a text box for ids and the reason is shown under it.
// - Event checkboxes, and the connection's readable label.
// - The form rows every node repeats (connection, name, typed inputs, id filters, selects, checkboxes,
//   event lists, rows shown for some values of a select), written once here: a template names them
//   by placeholder, see expandRows.
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

  // Node-RED 5 loads a module's <script src> files as async script elements, so they run in the
  // order they arrive: compass-migrations.js may run after this file. The table is therefore looked
  // up at each import (the editor imports flows only once every script of the module has run).
  function migrateOnImport() {
    var original = RED.nodes && RED.nodes.import;
    if (typeof original !== "function" || original.compassMigrates) return;
    var wrapped = function (flow) {
      var migrations = window.CompassMigrations;
      if (!migrations) return original.apply(this, arguments);
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

  var NODE_INPUT = "node-input-";
  var TYPED_TYPES = "str,msg,flow,global,env";

  function row(spec, inner) {
    var $row = $('<div class="form-row"></div>').append(inner);
    if (spec.shownWhen) $row.attr("data-shown-when", spec.shownWhen);
    return $row;
  }

  function labelFor(property, icon, key) {
    return $("<label></label>")
      .attr("for", NODE_INPUT + property)
      .append($("<i></i>").addClass("fa fa-" + icon))
      .append(" ")
      .append($("<span></span>").attr("data-i18n", key));
  }

  /**
   * The rows a placeholder stands for, by its data-compass-row; `t` prefixes a key with the node type.
   * Its other attributes: data-property (the field, #node-input-<property>), data-icon (Font Awesome
   * name), data-label (label key when not label.<property>), data-placeholder (placeholder.<value or
   * property>), data-pick (users, queues or switches: a list button), data-types / data-default (a
   * typed input's types, first by default), data-options (a select's values), data-events (the
   * RED.settings list), data-shown-when ("<select property>: <values>").
   */
  var ROWS = {
    config: function (spec, t) {
      return row(spec, [labelFor("config", "phone", t("label.config")), textInput("config")]);
    },
    name: function (spec, t) {
      return row(spec, [labelFor("name", "tag", t("label.name")), textInput("name")]);
    },
    // a typed input: the value, and the hidden field holding its type (<property>Type)
    typed: function (spec, t) {
      var $input = textInput(spec.property).attr("data-compass-typed", spec.types || TYPED_TYPES);
      if (spec.defaultType) $input.attr("data-compass-default", spec.defaultType);
      if (spec.placeholder !== undefined)
        $input.attr("data-i18n", "[placeholder]" + t("placeholder." + (spec.placeholder || spec.property)));
      if (spec.pick) $input.attr("data-compass-pick", spec.pick);
      var $type = $('<input type="hidden">').attr("id", NODE_INPUT + spec.property + "Type");
      return row(spec, [labelFor(spec.property, spec.icon, t("label." + (spec.label || spec.property))), $input, $type]);
    },
    // a filter of ids, comma-separated, empty for any; the list button picks several
    ids: function (spec, t) {
      var $input = textInput(spec.property)
        .attr("data-i18n", "[placeholder]" + t("placeholder.any"))
        .attr("data-compass-pick", spec.pick)
        .attr("data-compass-multiple", "true");
      return row(spec, [labelFor(spec.property, spec.icon, t("label." + spec.label)), $input]);
    },
    // a select whose options are data-options, each labelled <type>.<property>.<value>
    select: function (spec, t) {
      var $select = $("<select></select>").attr("id", NODE_INPUT + spec.property);
      spec.options.split(/\s+/).forEach(function (value) {
        $("<option></option>")
          .attr("value", value)
          .attr("data-i18n", t(spec.property + "." + value))
          .appendTo($select);
      });
      return row(spec, [labelFor(spec.property, spec.icon, t("label." + spec.property)), $select]);
    },
    checkbox: function (spec, t) {
      return row(spec, [
        $("<label>&nbsp;</label>"),
        $('<input type="checkbox" style="width:auto; margin:0 4px 0 0">').attr("id", NODE_INPUT + spec.property),
        $('<label style="width:auto"></label>')
          .attr("for", NODE_INPUT + spec.property)
          .attr("data-i18n", t("label." + spec.property)),
      ]);
    },
    // the event checkboxes, from the list the runtime serves as RED.settings[data-events]
    events: function (spec, t) {
      var $label = $("<label></label>")
        .append('<i class="fa fa-filter"></i> ')
        .append($("<span></span>").attr("data-i18n", t("label.events")));
      var $list = $('<div style="display:inline-block; width:70%; vertical-align:top"></div>')
        .attr("id", spec.type + "s")
        .attr("data-compass-list", "events")
        .attr("data-compass-events", spec.events);
      return row(spec, [$label, $list]);
    },
  };

  function textInput(property) {
    return $('<input type="text">').attr("id", NODE_INPUT + property);
  }

  /**
   * Replaces the row placeholders in the edit template of `type` (its script's text), once, as the
   * node's html loads: called before registerType, when Node-RED has put the html's templates in the
   * page. Why the template's text and not oneditprepare: the editor (prepareEditDialog in red.js)
   * builds the dialog from that text, namespaces its data-i18n keys, fills each #node-input-<prop>
   * from the node, sets up the connection select and validation, then calls oneditprepare, and
   * translates last. Rows in the text get all of that as if written by hand; rows built in
   * oneditprepare would have to be filled and validated by us.
   */
  function expandRows(type) {
    var $script = $('script[data-template-name="' + type + '"]');
    if ($script.length === 0 || $script.attr("data-compass-expanded")) return;
    var $form = $("<div></div>").html($script.html());
    $form.find("[data-compass-row]").each(function () {
      var $p = $(this);
      var spec = {
        type: type,
        property: $p.attr("data-property"),
        icon: $p.attr("data-icon"),
        label: $p.attr("data-label"),
        placeholder: $p.attr("data-placeholder"),
        pick: $p.attr("data-pick"),
        types: $p.attr("data-types"),
        defaultType: $p.attr("data-default"),
        events: $p.attr("data-events"),
        options: $p.attr("data-options"),
        shownWhen: $p.attr("data-shown-when"),
      };
      var build = ROWS[$p.attr("data-compass-row")];
      if (!build) throw new Error(type + ": no form row " + $p.attr("data-compass-row"));
      $p.replaceWith(
        build(spec, function (key) {
          return type + "." + key;
        }),
      );
    });
    $script.text($form.html()).attr("data-compass-expanded", "true");
  }

  /**
   * The shared rows' editing, for oneditprepare: typed inputs, the list buttons beside ids, the
   * event checkboxes, and rows shown only for some values of a select (data-shown-when="action: set
   * msg"; Node-RED triggers each field's change after oneditprepare, so they start right). What is
   * particular to a node (other typed inputs, pickers whose list depends on another field) follows
   * in its own oneditprepare.
   */
  function prepareRows(node) {
    var $form = $("#dialog-form");
    $form.find("[data-compass-typed]").each(function () {
      var types = $(this).attr("data-compass-typed").split(",");
      $(this).typedInput({
        default: $(this).attr("data-compass-default") || types[0],
        types: types,
        typeField: "#" + this.id + "Type",
      });
    });
    $form.find("[data-compass-pick]").each(function () {
      attachPicker({
        input: "#" + this.id,
        kind: $(this).attr("data-compass-pick"),
        config: "#node-input-config",
        multiple: $(this).attr("data-compass-multiple") === "true",
      });
    });
    $form.find("[data-compass-events]").each(function () {
      eventCheckboxes(this, RED.settings[$(this).attr("data-compass-events")] || [], node.events);
    });
    $form.find("[data-shown-when]").each(function () {
      var $row = $(this);
      var when = /^(\w+):\s*(.*)$/.exec($row.attr("data-shown-when"));
      var values = when[2].split(/\s+/);
      $("#" + NODE_INPUT + when[1]).on("change", function () {
        $row.toggle(values.indexOf($(this).val()) !== -1);
      });
    });
  }

  /** For oneditsave: what the shared rows keep outside #node-input-<prop> fields (the events ticked). */
  function saveRows(node) {
    var $events = $("#dialog-form [data-compass-events]");
    if ($events.length) node.events = checkedEvents($events);
  }

  migrateOnImport();
  if (RED.events) RED.events.on("flows:loaded", loadConnectionUsers);

  window.CompassEditor = {
    expandRows: expandRows,
    prepareRows: prepareRows,
    saveRows: saveRows,
    attachPicker: attachPicker,
    eventCheckboxes: eventCheckboxes,
    checkedEvents: checkedEvents,
    connectionLabel: connectionLabel,
  };
})();
