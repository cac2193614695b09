// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // A form with problems comes back as 422 with the form and its error summary, and a refusal
  // (409 and the like) as a message the server sends to #messages (HX-Retarget): show them.
  // (htmx leaves 4xx responses unswapped by default, so the person would see nothing happen.)
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || xhr.status < 400) return;
    var retarget = xhr.getResponseHeader("HX-Retarget");
    if (xhr.status === 422 || retarget) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
    // The message is the whole answer: a form's hx-select (the part it keeps of a page) must not
    // drop it.
    if (retarget) event.detail.selectOverride = "unset";
  });
  // After htmx swaps content, move focus to an error summary or a marked heading so keyboard and
  // screen-reader users land on what changed.
  document.addEventListener("htmx:afterSettle", function (event) {
    var focusable = null;
    [event.detail.elt, event.detail.target].forEach(function (place) {
      if (!focusable && place && place.querySelector) {
        focusable = place.querySelector(".error-summary, [data-focus-after-swap]");
      }
    });
    if (focusable) {
      if (!focusable.hasAttribute("tabindex")) focusable.setAttribute("tabindex", "-1");
      focusable.focus();
    }
  });
  // Show the error summary's focus on full page loads too.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".error-summary");
    if (summary) summary.focus();
  });
})();
