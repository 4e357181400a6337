// The admin console works without JavaScript; this only helps: the store
// switcher opens a store as soon as one is chosen, buttons marked
// data-confirm ask before they submit, inputs marked data-filter hide
// the rows of their table that do not contain what is typed, and a select
// marked data-refresh presses its form's refresh button when it changes
// (the invitation form's organization: its clients follow). An identity
// provider's form hides the fieldsets its preset and kind do not use (the
// server ignores them anyway).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });
  document.querySelectorAll("select[data-refresh]").forEach(function (s) {
    s.addEventListener("change", function () {
      var b = s.form && s.form.querySelector('button[name="refresh"]');
      if (b) { b.click(); }
    });
  });
  document.querySelectorAll("[data-confirm]").forEach(function (b) {
    b.addEventListener("click", function (e) {
      if (!window.confirm(b.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  });
  document.querySelectorAll("select[data-idp-preset]").forEach(function (preset) {
    var form = preset.form, kind = form.querySelector("select[data-idp-kind]");
    var show = function () {
      var p = preset.value, k = kind ? kind.value : "";
      var oauth2 = p === "github" || (p === "" && k === "oauth2");
      var needs = {issuer: !oauth2, endpoints: p === "" && k === "oauth2", secret: p !== "apple", apple: p === "apple"};
      form.querySelectorAll("fieldset[data-idp-needs]").forEach(function (f) {
        f.hidden = !needs[f.getAttribute("data-idp-needs")];
      });
    };
    preset.addEventListener("change", show);
    if (kind) { kind.addEventListener("change", show); }
    show();
  });
  document.querySelectorAll("input[data-filter]").forEach(function (input) {
    var table = document.getElementById(input.getAttribute("data-filter"));
    if (!table) { return; }
    input.hidden = false;
    if (input.labels) { input.labels.forEach(function (l) { l.hidden = false; }); }
    input.addEventListener("input", function () {
      var q = input.value.toLowerCase();
      table.querySelectorAll("tbody tr").forEach(function (row) {
        row.hidden = q !== "" && row.textContent.toLowerCase().indexOf(q) < 0;
      });
    });
  });
});
// A branding colour's picker fills its text field as it moves (without
// JavaScript the server reads a moved picker itself).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input[data-color-for]").forEach(function (pick) {
    var text = document.getElementById(pick.getAttribute("data-color-for"));
    if (!text) { return; }
    pick.addEventListener("input", function () { text.value = pick.value; });
  });
});
