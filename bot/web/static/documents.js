// Owner's documents in the web chat: the assistant offers "Document toevoegen" as a button with
// the payload /add_dossier_document; chat.js then calls olkDocuments.pick instead of sending it.
// The file goes as the request body to /api/chat/documents (name in X-Document-Name); the
// server answers with the Dutch text to show (content/dossier_documents.yml), also on errors.
(function () {
  "use strict";
  const PAYLOAD = "/add_dossier_document";
  const ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png";

  function pick(url, show) {
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
        const response = await fetch(url, {
          method: "POST", credentials: "same-origin", body: file,
          headers: { "X-Document-Name": encodeURIComponent(file.name),
                     "Content-Type": "application/octet-stream" }
        });
        const data = await response.json();
        show(String(data.message || ""), false, Boolean(data.ok));
      } catch (e) {
        show("", false, false);
      }
    });
    input.click();
  }

  window.olkDocuments = { PAYLOAD: PAYLOAD, pick: pick };
}());
