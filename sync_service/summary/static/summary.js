// The summary page: close the day, wait for the summary, edit the template.
(function () {
  "use strict";
  const body = document.body;
  const day = body.dataset.day;
  // below the page's own path, so the browser sends the coordinator's credentials again
  const base = "/days/" + encodeURIComponent(day) + "/summary";
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  // The token for a signed-in dashboard session; X-Requested-With for Basic (see dashboard/guard.py).
  const headers = { "Content-Type": "application/json", "X-CSRFToken": csrf, "X-Requested-With": "fetch" };
  const message = document.getElementById("status-message");

  function waitForSummary(tries) {
    fetch(base + "/latest.json", { credentials: "same-origin" }).then(function (r) {
      if (r.ok) { window.location.reload(); return; }
      if (tries > 0) { setTimeout(function () { waitForSummary(tries - 1); }, 500); }
    });
  }

  const closeButton = document.getElementById("close-day");
  if (closeButton) {
    closeButton.addEventListener("click", function () {
      if (!window.confirm(body.dataset.confirm)) { return; }
      closeButton.disabled = true;
      message.textContent = body.dataset.closing;
      fetch(base + "/close", { method: "POST", headers: headers, credentials: "same-origin" }).then(function (r) {
        if (!r.ok) { return r.json().then(function (e) { message.textContent = e.message; closeButton.disabled = false; }); }
        waitForSummary(240);
      });
    });
  } else if (body.dataset.hasSummary === "0") {
    waitForSummary(240);
  }

  const text = document.getElementById("template-text");
  const errors = document.getElementById("template-errors");
  fetch(base + "/template.json", { credentials: "same-origin" }).then(function (r) { return r.json(); })
    .then(function (template) { text.value = JSON.stringify(template, null, 2); });
  document.getElementById("save-template").addEventListener("click", function () {
    let parsed;
    try { parsed = JSON.parse(text.value); } catch (e) { errors.textContent = String(e); return; }
    fetch(base + "/template.json", { method: "PUT", headers: headers, credentials: "same-origin",
                                       body: JSON.stringify(parsed) }).then(function (r) {
      return r.json().then(function (answer) {
        if (!r.ok) { errors.textContent = JSON.stringify(answer.errors || answer, null, 2); return; }
        errors.textContent = body.dataset.saved;
      });
    });
  });
})();
