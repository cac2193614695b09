// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // A form with problems comes back as 422 with the form and its error summary: show it. (htmx
  // leaves 4xx responses unswapped by default, so the person would see nothing happen.)
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // After htmx swaps content, move focus to an error summary or a marked heading so keyboard and
  // screen-reader users land on what changed.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.elt;
    if (!target || !target.querySelector) return;
    var focusable = target.querySelector(".error-summary, [data-focus-after-swap]");
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
