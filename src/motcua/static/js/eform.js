/*
 * The procedure's e-form (portal/_answers.html, at the portal and at the counter), progressive enhancement:
 * the form works without this script (every field shown, the server ignores a conditional field whose
 * condition does not hold; a button shows a province's communes).
 *
 * 1. Conditional fields: an element with data-when-control="ID" data-when-value="V" is shown only while the
 *    input #ID has the value V (a disabled or hidden input counts as empty). While hidden its inputs are
 *    disabled, so they are not sent; their values stay in the page if the condition comes back.
 * 2. The address picker: a <select data-unit-province="ID" data-communes-url="URL"> of provinces fills the
 *    communes <select id="ID"> from URL?tinh=CODE (JSON {communes: [{code, name}]}) when it changes, and
 *    says so to screen readers; its texts come translated in data-text-* attributes.
 * Strict CSP: no inline script, no eval.
 */
(function () {
  "use strict";

  var DISABLED_MARK = "data-eform-disabled";

  function valueOf(input) {
    if (!input || input.disabled) {
      return "";
    }
    if (input.type === "checkbox" || input.type === "radio") {
      return input.checked ? input.value : "";
    }
    return (input.value || "").trim();
  }

  function setShown(block, shown) {
    if (shown === !block.hidden) {
      return false;
    }
    block.hidden = !shown;
    var inputs = block.querySelectorAll("input, select, textarea, button");
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (!shown && !input.disabled) {
        input.disabled = true;
        input.setAttribute(DISABLED_MARK, "");
      } else if (shown && input.hasAttribute(DISABLED_MARK)) {
        input.disabled = false;
        input.removeAttribute(DISABLED_MARK);
      }
    }
    return true;
  }

  function updateConditions() {
    var blocks = document.querySelectorAll("[data-when-control]");
    // A condition may depend on a field that is itself conditional: repeat until nothing changes.
    for (var pass = 0; pass < 5; pass++) {
      var changed = false;
      for (var i = 0; i < blocks.length; i++) {
        var block = blocks[i];
        var control = document.getElementById(block.getAttribute("data-when-control"));
        if (!control) {
          continue;
        }
        var shown = valueOf(control) === block.getAttribute("data-when-value");
        changed = setShown(block, shown) || changed;
      }
      if (!changed) {
        return;
      }
    }
  }

  function status(select) {
    var id = select.id + "-status";
    var node = document.getElementById(id);
    if (!node) {
      node = document.createElement("span");
      node.id = id;
      node.className = "mc-visually-hidden";
      node.setAttribute("role", "status");
      node.setAttribute("aria-live", "polite");
      select.parentNode.appendChild(node);
    }
    return node;
  }

  function fillCommunes(province) {
    var target = document.getElementById(province.getAttribute("data-unit-province"));
    if (!target) {
      return;
    }
    var code = province.value;
    var url = province.getAttribute("data-communes-url") + "?tinh=" + encodeURIComponent(code);
    var say = status(target);
    var keep = target.value;
    function replace(rows, placeholder) {
      while (target.options.length) {
        target.remove(0);
      }
      target.add(new Option(placeholder, ""));
      for (var i = 0; i < rows.length; i++) {
        target.add(new Option(rows[i].name, rows[i].code, false, rows[i].code === keep));
      }
    }
    if (!code) {
      target.eformTicket = (target.eformTicket || 0) + 1;
      replace([], province.getAttribute("data-text-first") || "—");
      say.textContent = "";
      return;
    }
    target.setAttribute("aria-busy", "true");
    var ticket = (target.eformTicket = (target.eformTicket || 0) + 1); // a later choice wins
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (body) {
        if (ticket !== target.eformTicket) {
          return;
        }
        var rows = body.communes || [];
        replace(rows, province.getAttribute("data-text-choose") || "—");
        say.textContent = (province.getAttribute("data-text-loaded") || "").replace(
          "%(province)s",
          province.options[province.selectedIndex].text
        );
      })
      .catch(function () {
        if (ticket !== target.eformTicket) {
          return;
        }
        say.textContent = province.getAttribute("data-text-failed") || "";
      })
      .finally(function () {
        target.removeAttribute("aria-busy");
      });
  }

  function init() {
    updateConditions();
    document.addEventListener("change", function (event) {
      var target = event.target;
      if (target && target.hasAttribute && target.hasAttribute("data-unit-province")) {
        fillCommunes(target);
      }
      updateConditions();
    });
    document.addEventListener("input", updateConditions);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
