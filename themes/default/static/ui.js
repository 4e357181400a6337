// Small enhancements every page may use. Each is progressive: the page works
// without this script, which only adds controls (so there is no dead button
// when JavaScript is off) and remembers the browser's time zone. Labels come
// from the <body>'s data-ui-* attributes, which the layout fills from the
// page language's catalog. Loaded with defer: the document is parsed.
(function () {
  "use strict";
  var labels = document.body.dataset;

  // A "Show"/"Hide" toggle after every password input.
  function passwordToggles() {
    document.querySelectorAll('input[type="password"]').forEach(function (input) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button button-link password-toggle";
      button.textContent = labels.uiShow;
      button.setAttribute("aria-pressed", "false");
      if (input.id) {
        button.setAttribute("aria-controls", input.id);
      }
      button.addEventListener("click", function () {
        var show = input.type === "password";
        input.type = show ? "text" : "password";
        button.textContent = show ? labels.uiHide : labels.uiShow;
        button.setAttribute("aria-pressed", show ? "true" : "false");
      });
      input.insertAdjacentElement("afterend", button);
    });
  }

  // A "Copy" button after every element with data-copy: it copies that
  // attribute's value (the ungrouped key, the codes one per line).
  function copyButtons() {
    if (!navigator.clipboard) {
      return;
    }
    document.querySelectorAll("[data-copy]").forEach(function (el) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button button-secondary copy-button";
      button.textContent = labels.uiCopy;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(el.dataset.copy).then(function () {
          button.textContent = labels.uiCopied;
        });
      });
      el.insertAdjacentElement("afterend", button);
    });
  }

  // The browser's IANA time zone, for times on the account pages when the
  // account names none; the server checks the name before using it.
  function rememberTimeZone() {
    var zone;
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (e) {
      return;
    }
    if (!zone || !/^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone)) {
      return;
    }
    // On https the name carries the __Host- prefix like every other cookie
    // of Foyer's, so a sibling subdomain cannot plant one.
    var https = location.protocol === "https:";
    document.cookie = (https ? "__Host-foyer_tz=" : "foyer_tz=") + encodeURIComponent(zone) +
      "; Path=/; Max-Age=31536000; SameSite=Lax" + (https ? "; Secure" : "");
  }

  passwordToggles();
  copyButtons();
  rememberTimeZone();
})();
