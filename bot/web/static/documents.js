// Owner's documents in the web chat: the assistant offers "Document toevoegen" as a button with
// the payload /add_dossier_document; chat.js then calls olkDocuments.pick instead of sending it.
// The file goes as the request body to /api/chat/documents (name in X-Document-Name); the
// server answers with the Dutch text to show (content/dossier_documents.yml), also on errors.
// A button for one requested document carries its id in the payload
// (/add_dossier_document{"requested_document":"terrace_plan"}); it goes along in
// X-Requested-Document. The plain payload is "een ander document" (not assigned).
(function () {
  "use strict";
  const PAYLOAD = "/add_dossier_document";
  const ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png";
  const KEYED = /^\/add_dossier_document\{"requested_document":"([a-z0-9_]{1,64})"\}$/;

  // null: not a document button; "": any document; else the requested document's id
  function keyOf(payload) {
    if (payload === PAYLOAD) { return ""; }
    const match = KEYED.exec(String(payload || ""));
    return match ? match[1] : null;
  }

  function pick(url, show, key) {
    const input = document.createElement("input");
    input.type = "file";
    input.accept = ACCEPT;
    input.hidden = true;
    input.id = "document-input";
    document.body.appendChild(input);
    input.addEventListener("change", async function () {
      const file = input.files && input.files[0];
      input.remove();
      if (!file) { return; }
      show("", true);
      try {
        const headers = { "X-Document-Name": encodeURIComponent(file.name),
                          "Content-Type": "application/octet-stream" };
        if (key) { headers["X-Requested-Document"] = key; }
        const response = await fetch(url, {
          method: "POST", credentials: "same-origin", body: file, headers: headers
        });
        const data = await response.json();
        show(String(data.message || ""), false, Boolean(data.ok));
      } catch (e) {
        show("", false, false);
      }
    });
    input.click();
  }

  window.olkDocuments = { PAYLOAD: PAYLOAD, keyOf: keyOf, pick: pick };
}());
