// Passkey ceremonies for forms marked data-webauthn="create" or "get": the
// server puts the options (JSON, binary fields base64url) in data-options;
// this script runs navigator.credentials, writes the result as JSON into
// the form's "credential" field and submits the form. A "get" form with
// data-conditional also offers passkeys in the browser's autofill.
(function () {
  "use strict";
  function b64uToBuf(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }
  function bufToB64u(buf) {
    var bytes = new Uint8Array(buf), bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function publicKeyOf(form) {
    var o = JSON.parse(form.getAttribute("data-options"));
    var pk = o.publicKey || o;
    pk.challenge = b64uToBuf(pk.challenge);
    if (pk.user && pk.user.id) pk.user.id = b64uToBuf(pk.user.id);
    ["allowCredentials", "excludeCredentials"].forEach(function (k) {
      (pk[k] || []).forEach(function (c) { c.id = b64uToBuf(c.id); });
    });
    return pk;
  }
  function encode(cred) {
    var r = cred.response, out = {
      id: cred.id, rawId: bufToB64u(cred.rawId), type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      response: { clientDataJSON: bufToB64u(r.clientDataJSON) }
    };
    if (r.attestationObject) {
      out.response.attestationObject = bufToB64u(r.attestationObject);
      if (r.getTransports) out.response.transports = r.getTransports();
    } else {
      out.response.authenticatorData = bufToB64u(r.authenticatorData);
      out.response.signature = bufToB64u(r.signature);
      if (r.userHandle) out.response.userHandle = bufToB64u(r.userHandle);
    }
    return JSON.stringify(out);
  }
  function finish(form, cred) {
    form.querySelector("input[name=credential]").value = encode(cred);
    form.submit();
  }
  var pending = null; // the conditional (autofill) request, aborted by a click
  function run(form, mediation) {
    var kind = form.getAttribute("data-webauthn");
    var opts = { publicKey: publicKeyOf(form) };
    if (pending) { pending.abort(); pending = null; }
    if (mediation) {
      opts.mediation = mediation;
      pending = new AbortController();
      opts.signal = pending.signal;
    }
    var p = kind === "create" ? navigator.credentials.create(opts) : navigator.credentials.get(opts);
    return p.then(function (cred) { if (cred) finish(form, cred); });
  }
  if (!window.PublicKeyCredential) return;
  document.querySelectorAll("form[data-webauthn]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (form.querySelector("input[name=credential]").value) return;
      ev.preventDefault();
      run(form).catch(function () {});
    });
    if (form.hasAttribute("data-conditional") && PublicKeyCredential.isConditionalMediationAvailable) {
      PublicKeyCredential.isConditionalMediationAvailable().then(function (ok) {
        if (ok) run(form, "conditional").catch(function () {});
      });
    }
  });
})();
