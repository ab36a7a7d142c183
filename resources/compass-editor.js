// Shared editor helpers for the Compass nodes (served by Node-RED from this package's resources/).
// Fills id fields from the live platform through the admin endpoints compass/<config>/users|queues;
// when those answer an error (connection not deployed yet, no permission), the field stays a plain
// text box for ids and the reason is shown under it.
(function () {
  if (window.CompassEditor) return;

  function ids(text) {
    return String(text || "")
      .split(/[\s,]+/)
      .map(function (s) { return s.trim(); })
      .filter(Boolean);
  }

  /**
   * opts: { input: "#node-input-users", kind: "users" | "queues", config: "#node-input-config" }
   * Adds a button beside the text input that opens a multi-select filled from the platform.
   */
  function attachPicker(opts) {
    var $input = $(opts.input);
    var $button = $('<button type="button" class="red-ui-button" style="margin-left:4px"><i class="fa fa-list"></i></button>');
    var $list = $('<select multiple size="6" style="display:none; width:70%; margin:4px 0 0 104px"></select>');
    var $note = $('<div class="form-tips" style="display:none; margin:4px 0 0 104px"></div>');
    $input.css("width", "calc(70% - 40px)").after($button);
    $input.closest(".form-row").after($note).after($list);

    $button.on("click", function () {
      var configId = $(opts.config).val();
      $note.hide();
      if (!configId || configId === "_ADD_") {
        $note.text(RED._("@compass-flows/node-red-compass/compass-config:common.editor.pick-config")).show();
        return;
      }
      $.getJSON("compass/" + encodeURIComponent(configId) + "/" + opts.kind)
        .done(function (choices) {
          var chosen = ids($input.val());
          $list.empty();
          choices.forEach(function (c) {
            var label = c.name + (c.detail ? " (" + c.detail + ")" : "") + " · " + c.id;
            $("<option>").val(c.id).text(label).prop("selected", chosen.indexOf(c.id) !== -1).appendTo($list);
          });
          $list.show();
        })
        .fail(function (xhr) {
          var reason = (xhr.responseJSON && xhr.responseJSON.error) || xhr.statusText || "unavailable";
          $note.text(reason).show();
          $list.hide();
        });
    });
    $list.on("change", function () {
      $input.val(($list.val() || []).join(", "));
    });
  }

  /** Renders one checkbox per event name into `container`, checked from `selected` (none = all). */
  function eventCheckboxes(container, names, selected) {
    var $c = $(container).empty();
    var all = !selected || selected.length === 0;
    names.forEach(function (name) {
      var id = "compass-ev-" + name.replace(/\./g, "-");
      $('<label style="display:inline-block; width:48%; margin:0"></label>')
        .append($('<input type="checkbox" style="width:auto; margin:0 4px 0 0">').attr("id", id).val(name).prop("checked", all || selected.indexOf(name) !== -1))
        .append(document.createTextNode(name))
        .appendTo($c);
    });
  }

  /** The checked event names; every box checked is saved as [] (= all, including ones added later). */
  function checkedEvents(container) {
    var $boxes = $(container).find("input[type=checkbox]");
    var checked = $boxes.filter(":checked").map(function () { return this.value; }).get();
    return checked.length === $boxes.length ? [] : checked;
  }

  window.CompassEditor = { attachPicker: attachPicker, eventCheckboxes: eventCheckboxes, checkedEvents: checkedEvents };
})();
