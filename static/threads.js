// Live posts for a thread: Server-Sent Events from the server, inserted where they belong in the
// reply tree and announced in a polite live region. Without this file the page works by reload.
(function () {
  "use strict";
  var status = document.getElementById("live-status");
  if (!status || !window.EventSource) return;
  var fresh = 0;
  var source = new EventSource(status.getAttribute("data-live-url"));
  source.addEventListener("post", function (event) {
    var data;
    try { data = JSON.parse(event.data); } catch (e) { return; }
    if (document.getElementById("post-" + data.id)) return;  // already shown (our own post)
    var holder = document.createElement("ol");
    holder.innerHTML = data.html;
    var item = holder.firstElementChild;
    if (!item) return;
    var list = (data.parent && document.getElementById("replies-" + data.parent)) ||
      document.getElementById("posts");
    if (!list) return;
    item.classList.add("post-item--new");
    list.appendChild(item);
    fresh += 1;
    status.textContent = fresh === 1 ? status.getAttribute("data-one") || "1 new post" :
      (status.getAttribute("data-many") || "%n new posts").replace("%n", fresh);
  });
  // After posting with htmx, empty the form so it is ready for the next post.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.hasAttribute && form.hasAttribute("data-post-form") && event.detail.successful) {
      form.reset();
    }
  });
})();
