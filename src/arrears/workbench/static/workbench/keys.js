// Keyboard shortcuts of the workbench: j/k move in the queue, Enter opens, n/p next/previous
// account, q back to the queue, ? help. Keys typed into a form field are left alone.
(function () {
  "use strict";
  function typing(event) {
    var tag = (event.target.tagName || "").toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable;
  }
  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-keys=rows] tbody tr[data-href]"));
  }
  var current = -1;
  function select(index) {
    var all = rows();
    if (!all.length) { return; }
    current = Math.max(0, Math.min(all.length - 1, index));
    all.forEach(function (row, i) { row.classList.toggle("selected", i === current); });
    all[current].scrollIntoView({ block: "nearest" });
  }
  function go(selector) {
    var link = document.querySelector(selector);
    if (link && link.href) { window.location.href = link.href; }
  }
  document.addEventListener("keydown", function (event) {
    if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var help = document.getElementById("keys-help");
    switch (event.key) {
      case "j": select(current + 1); break;
      case "k": select(current - 1); break;
      case "Enter":
        if (current >= 0) { window.location.href = rows()[current].dataset.href; } else { return; }
        break;
      case "n": go("a[data-key=next]"); break;
      case "p": go("a[data-key=previous]"); break;
      case "q": go("a[data-key=queue]"); break;
      case "?": if (help && help.showModal) { help.showModal(); } break;
      default: return;
    }
    event.preventDefault();
  });
  document.addEventListener("DOMContentLoaded", function () { if (rows().length) { select(0); } });
}());
